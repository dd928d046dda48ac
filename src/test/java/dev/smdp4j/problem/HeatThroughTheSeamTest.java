package dev.smdp4j.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.problem.toy.ToySde;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heat benchmark behind the problem seam: the same data as before it, and old data sets still load. */
class HeatThroughTheSeamTest {

    /**
     * SHA-256 of the float32 values (little endian) of train x0, test x0 and test y generated with
     * {@code smdp generate --train 6 --test 3 --grid 16 --seed 5} by commit 109a21c, the last one
     * before the problem seam (its generator named the heat equation directly).
     */
    static final String BEFORE_THE_SEAM = "aa2a6c1f4baf4ca0b8831e2e9f1e4162651e9579d8445e1766da4baf713ad1cf";

    @Test
    void theSameSeedGivesTheSameHeatDataAsBeforeTheSeam() throws Exception {
        DatasetSpec spec = DatasetSpec.heat(6, 3, 16, 4, 1, 0.2, 32, 0.1, 0.01, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            Dataset data = DatasetGenerator.generate(m, spec, false);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (float[] values : new float[][] {
                data.trainX0().data(), data.testX0().data(), data.testY().data()
            }) {
                ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values);
                sha.update(b.array());
            }
            assertEquals(BEFORE_THE_SEAM, HexFormat.of().formatHex(sha.digest()));
        }
    }

    /** A manifest without a problem (written before the seam) is a heat data set. */
    @Test
    void aDataSetWithoutAProblemLoadsAsHeat(@TempDir Path dir) {
        DatasetSpec spec = DatasetSpec.heat(6, 3, 16, 4, 1, 0.2, 32, 0.1, 0.01, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            DatasetStore.write(dir, DatasetGenerator.generate(m, spec, false));
        }
        ObjectNode manifest = Json.readChecked(dir.resolve(DatasetStore.MANIFEST), true);
        manifest.remove("problem");
        manifest.remove("state_shape");
        ((ObjectNode) manifest.path("parameters")).remove("problem");
        manifest.remove(Json.CHECKSUM_FIELD);
        Json.writeChecked(dir.resolve(DatasetStore.MANIFEST), manifest);
        DatasetStore store = DatasetStore.open(dir);
        assertEquals(spec, store.spec());
        assertEquals(16, store.testY().dim(2));
    }

    @Test
    void problemsRoundTripThroughTheirParameters() {
        for (Problem p : new Problem[] {new HeatProblem(8, 3, 0.5), new ToySde(5)}) {
            DatasetSpec spec = p.defaultSpec();
            assertEquals(spec, DatasetSpec.fromMap(spec.toMap(), "test"));
            assertEquals(p.name(), spec.toMap().get("problem"));
        }
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> DatasetSpec.fromMap(Map.of("problem", "no-such"), "x"));
        assertTrue(
                e.getMessage().contains("unknown problem 'no-such'")
                        && e.getMessage().contains("toy-sde"),
                e.getMessage());
        e = assertThrows(
                InvalidInputException.class, () -> ToySde.paper().defaultSpec().gridSize());
        assertTrue(e.getMessage().contains("specific to the heat benchmark"), e.getMessage());
        assertEquals(
                java.util.List.of("problem heat vs toy-sde"),
                HeatProblem.paper().differences(ToySde.paper()));
    }
}
