package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.smdp4j.EngineTest;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on the number of engine threads: what makes a two-thread {@code smdp sample}
 * and single-core Spark executors give bit-identical samples. Without MKL's strict reproducibility
 * mode (the pom gives the tests {@code MKL_CBWR} from {@code allocator.env}) both cases failed on a
 * Xeon with AMX: products with an inner dimension of 1024 rounded differently with one thread.
 */
class ThreadCountReproducibilityTest extends EngineTest {

    @Test
    void aMatrixProductWithALongInnerDimensionIsTheSameWithOneAndTwoThreads() {
        float[] a = new GaussianNoise(1).next(32 * 1024);
        float[] b = new GaussianNoise(2).next(1024 * 64);
        assertSameWithOneAndTwoThreads(
                s -> EngineArrays.of(s, a, new Shape(32, 1024)).matMul(EngineArrays.of(s, b, new Shape(1024, 64))));
    }

    @Test
    void theShippedNetworksScoreIsTheSameWithOneAndTwoThreads() {
        try (NDManager m = manager.newSubManager()) {
            SmdpModel model = SmdpModel.load(m, Checkpoint.read(Pretrained.checkpoint(Pretrained.Use.POSTERIOR)));
            float[] x = new GaussianNoise(3).next(32 * 32 * 32);
            assertSameWithOneAndTwoThreads(s ->
                    model.score().score(EngineArrays.of(s, x, new Shape(32, 32, 32)), 0.37));
        }
    }

    private static void assertSameWithOneAndTwoThreads(Function<NDManager, NDArray> f) {
        int before = JniUtils.getNumThreads();
        try {
            float[] two = run(f, 2);
            float[] one = run(f, 1);
            assertArrayEquals(two, one, "one engine thread against two");
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    private static float[] run(Function<NDManager, NDArray> f, int threads) {
        JniUtils.setNumThreads(threads);
        try (NDManager s = manager.newSubManager()) {
            return f.apply(s).toFloatArray();
        }
    }
}
