package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.score.ScaledNetworkScore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed view of a checkpoint's metadata: what it reads, what absence means, and clear errors for bad fields. */
class CheckpointMetadataTest {
    @TempDir
    Path dir;

    private Checkpoint write(Map<String, Object> meta) {
        Path file = dir.resolve("m" + meta.hashCode() + ".ckpt");
        Checkpoint.write(file, meta, Map.of());
        return Checkpoint.read(file);
    }

    private static Map<String, Object> complete() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("method", "fno-p");
        meta.put("network", new FnoConfig(6, 12, 2, 32).toMap());
        meta.put(
                "dataset",
                new CheckpointMetadata.Dataset(
                        "/somewhere", DatasetSpec.paper().toMap(), new Normalisation(0.5, 2), "ab".repeat(32)));
        meta.put("training", Map.of("score_factor", 0.25));
        meta.put("complete", true);
        return meta;
    }

    @Test
    void readsWhatTheTrainingWrites() {
        Checkpoint c = write(complete());
        CheckpointMetadata m = CheckpointMetadata.of(c);
        assertEquals(Method.FNO_P, m.method(c.file()));
        assertEquals(new FnoConfig(6, 12, 2, 32), m.network(c.file()));
        assertEquals(DatasetSpec.paper(), m.spec(c.file()));
        assertEquals(new Normalisation(0.5, 2), m.normalisation(c.file()));
        assertEquals("ab".repeat(32), m.trainSha256());
        assertEquals(0.25, m.scoreFactor());
        assertTrue(m.complete());
        assertNull(m.shippedFrom());
    }

    @Test
    void absentFieldsMeanTheOldDefaults() {
        Map<String, Object> meta = complete();
        meta.remove("training");
        meta.remove("complete");
        Checkpoint c = write(meta);
        CheckpointMetadata m = CheckpointMetadata.of(c);
        assertEquals(ScaledNetworkScore.TWEEDIE_FACTOR, m.scoreFactor());
        assertEquals(false, m.complete());
    }

    @Test
    void badFieldsNameTheFileAndTheField() {
        Map<String, Object> noMethod = complete();
        noMethod.remove("method");
        Checkpoint c1 = write(noMethod);
        var e1 = assertThrows(
                InvalidInputException.class, () -> CheckpointMetadata.of(c1).method(c1.file()));
        assertTrue(
                e1.getMessage().contains(c1.file().toString())
                        && e1.getMessage().contains("no method"),
                e1.getMessage());

        Map<String, Object> unknown = complete();
        unknown.put("method", "magic");
        Checkpoint c2 = write(unknown);
        var e2 = assertThrows(
                InvalidInputException.class, () -> CheckpointMetadata.of(c2).method(c2.file()));
        assertTrue(e2.getMessage().contains("unknown method 'magic'"), e2.getMessage());

        Map<String, Object> noStd = complete();
        noStd.put("dataset", Map.of("parameters", DatasetSpec.paper().toMap(), "normalisation", Map.of("mean", 0.0)));
        Checkpoint c3 = write(noStd);
        var e3 = assertThrows(InvalidInputException.class, () -> CheckpointMetadata.of(c3));
        assertTrue(
                e3.getMessage().contains(c3.file().toString())
                        && e3.getMessage().contains("std"),
                e3.getMessage());

        Map<String, Object> negativeStd = complete();
        negativeStd.put(
                "dataset",
                Map.of("parameters", DatasetSpec.paper().toMap(), "normalisation", Map.of("mean", 0.0, "std", -1.0)));
        Checkpoint c4 = write(negativeStd);
        var e4 = assertThrows(InvalidInputException.class, () -> CheckpointMetadata.of(c4));
        assertTrue(e4.getMessage().contains("std must be finite and > 0"), e4.getMessage());

        Map<String, Object> noData = complete();
        noData.remove("dataset");
        Checkpoint c5 = write(noData);
        var e5 = assertThrows(
                InvalidInputException.class, () -> CheckpointMetadata.of(c5).spec(c5.file()));
        assertTrue(e5.getMessage().contains("no data set parameters"), e5.getMessage());

        Map<String, Object> noNetwork = complete();
        noNetwork.remove("network");
        Checkpoint c6 = write(noNetwork);
        var e6 = assertThrows(
                InvalidInputException.class, () -> CheckpointMetadata.of(c6).network(c6.file()));
        assertTrue(e6.getMessage().contains("no network description"), e6.getMessage());
    }
}
