package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.report.Table1;
import dev.smdp4j.train.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainings of a heat reproduction: their order, and what a child process is told to run. */
class ReproductionTrainingsTest {
    @Test
    void smdpStartsFirstAndTheSurrogateRunsBeforeSmdpWithIt() {
        ReproductionProfile quick = ReproductionProfile.named("quick");
        List<List<String>> with = ReproductionTrainings.chains(quick.withLearnedPhysics(true));
        assertEquals(List.of(Method.SMDP.id()), with.get(0));
        assertEquals(List.of(Method.SURROGATE.id(), Table1.LEARNED), with.get(1));
        List<List<String>> without = ReproductionTrainings.chains(quick.withLearnedPhysics(false));
        assertEquals(with.size() - 1, without.size());
        assertTrue(without.stream()
                .flatMap(List::stream)
                .noneMatch(l -> l.equals(Table1.LEARNED) || l.equals(Method.SURROGATE.id())));
        for (Table1.Row row : Table1.ROWS) { // every row but the closed forms samples one of the trainings
            assertTrue(row.limit() || with.stream().anyMatch(c -> c.contains(row.source())), row.name());
        }
    }

    @Test
    void aChildRunsOneTrainingWithTheParentsSettings(@TempDir Path out) throws Exception {
        Path data = Files.createDirectories(out.resolve(StageCache.DATA));
        Files.writeString(data.resolve(DatasetStore.TRAIN), "not read, only hashed");
        ReproductionProfile profile =
                ReproductionProfile.named("quick").withLearnedPhysics(false).withSeed(7);
        ReproductionTrainings quiet = new ReproductionTrainings(profile, new StageCache(out, false), data);
        List<String> args = quiet.childArguments("fno-s");
        assertEquals(
                List.of(
                        "reproduce",
                        "--profile",
                        "quick",
                        "--out",
                        out.toAbsolutePath().toString(),
                        "--train-only",
                        "fno-s",
                        "--no-learned-physics",
                        "--seed",
                        "7",
                        "--quiet"),
                args);
        ReproductionTrainings shown = new ReproductionTrainings(profile, new StageCache(out, true), data);
        assertFalse(shown.childArguments("fno-s").contains("--quiet"));
        assertFalse(quiet.complete(Method.SMDP.id()), "nothing trained yet");
        assertTrue(quiet.describe(Method.SMDP.id()).startsWith("train smdp: "));
    }
}
