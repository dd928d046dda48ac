package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.GaussianNoise;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every network leaves nothing behind in its parameters' manager after forward+backward passes
 * run in a step scope. DJL puts an op's result in the manager of its left operand, so any op that
 * starts from a parameter (a padded or transformed weight) would otherwise own its result in the
 * long-lived manager for the rest of a training run.
 */
class NetworkMemoryTest extends EngineTest {

    @Test
    void forwardAndBackwardPassesLeaveNothingInTheParametersManager() {
        int n = 32;
        for (NetworkConfig config : List.of(ScoreNetConfig.defaults(), UNetConfig.defaults(), FnoConfig.defaults())) {
            try (NDManager params = manager.newSubManager()) {
                Block block = config.build(2);
                block.initialize(params, DataType.FLOAT32, new Shape(2, 2, n, n));
                if (block instanceof UNet unet) {
                    unet.setDropoutNoise(new GaussianNoise(9));
                }
                int before = params.getManagedArrays().size();
                for (int pass = 0; pass < 3; pass++) {
                    try (NDManager step = params.newSubManager();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray x = new GaussianNoise(pass).next(step, new Shape(2, 2, n, n));
                        gc.backward(block.forward(new ParameterStore(step, false), new NDList(x), true)
                                .singletonOrThrow()
                                .square()
                                .sum());
                    }
                }
                assertEquals(before, params.getManagedArrays().size(), "arrays left behind by " + config.toMap());
            }
        }
    }

    /** The same for the physics surrogate, whose inputs are a field and a time span. */
    @Test
    void surrogatePassesLeaveNothingInTheParametersManager() {
        int n = 16;
        try (NDManager params = manager.newSubManager()) {
            Block block = SurrogateNetConfig.defaults().build(1);
            block.initialize(params, DataType.FLOAT32, new Shape(2, 1, n, n), new Shape(1));
            int before = params.getManagedArrays().size();
            for (int pass = 0; pass < 3; pass++) {
                try (NDManager step = params.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = new GaussianNoise(pass).next(step, new Shape(2, 1, n, n));
                    NDList in = new NDList(x, step.create(new float[] {1.5f}));
                    gc.backward(block.forward(new ParameterStore(step, false), in, true)
                            .singletonOrThrow()
                            .square()
                            .sum());
                }
            }
            assertEquals(before, params.getManagedArrays().size(), "arrays left behind by the surrogate");
        }
    }
}
