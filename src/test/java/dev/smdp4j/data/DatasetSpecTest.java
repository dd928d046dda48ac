package dev.smdp4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problems;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dataset.json form of the parameters: a round trip for every problem, the legacy form, strict errors. */
class DatasetSpecTest {

    @Test
    void everyRegisteredProblemRoundTrips() {
        for (String name : Problems.all().keySet()) {
            DatasetSpec spec = Problems.get(name).defaults().defaultSpec();
            assertEquals(spec, DatasetSpec.fromMap(spec.toMap(), "test"), name);
            assertEquals(name, spec.toMap().get("problem"));
        }
    }

    @Test
    void aFormWithoutAProblemIsTheHeatBenchmark() {
        Map<String, Object> legacy = new LinkedHashMap<>(DatasetSpec.paper().toMap());
        legacy.remove("problem");
        DatasetSpec read = DatasetSpec.fromMap(legacy, "old/dataset.json");
        assertEquals(DatasetSpec.paper(), read);
        assertTrue(read.problem() instanceof HeatProblem);
    }

    @Test
    void aMissingOrMistypedParameterIsNamed() {
        assertNamed("train_size", m -> m.remove("train_size"), "Missing required");
        assertNamed("seed", m -> m.put("seed", "7"), "seed");
        assertNamed("steps", m -> m.put("steps", 32.5), "steps");
        assertNamed("end_time", m -> m.put("end_time", null), "end_time");
    }

    private static void assertNamed(
            String field, java.util.function.Consumer<Map<String, Object>> damage, String text) {
        Map<String, Object> m = new LinkedHashMap<>(DatasetSpec.paper().toMap());
        damage.accept(m);
        var e = assertThrows(InvalidInputException.class, () -> DatasetSpec.fromMap(m, "some/dataset.json"));
        assertTrue(
                e.getMessage().startsWith("some/dataset.json: bad data set parameters: ")
                        && e.getMessage().contains(field)
                        && e.getMessage().contains(text),
                e.getMessage());
    }
}
