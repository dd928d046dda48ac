package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.nn.UNetConfig;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.GaussianNoise;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot baselines: checkpoint round trips and the physics loss's gradient through the solver. */
class OneShotModelTest extends EngineTest {
    static final DatasetSpec SPEC = DatasetSpec.heat(16, 4, 16, 4, 1, 0.2, 8, 0.1, 0.01, 3);
    static final Normalisation NORM = new Normalisation(0.1, 2.0);

    @TempDir
    Path tmp;

    static NetworkConfig tiny(Method method) {
        return switch (method.architecture()) {
            case "unet" -> new UNetConfig(4, 4, 0.2);
            case "fno" -> new FnoConfig(4, 6, 2, 16);
            default -> new ScoreNetConfig(6, 1, 3, new int[] {1, 2}, "leaky-relu");
        };
    }

    /** Moves every parameter away from its initialisation (the ResNet's output layer starts at zero). */
    static void perturb(OneShotModel model, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        for (var p : model.block().getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = a.toFloatArray();
            float[] z = noise.next(v.length);
            for (int i = 0; i < v.length; i++) {
                v[i] += 0.05f * z[i];
            }
            a.set(FloatBuffer.wrap(v));
        }
    }

    @Test
    void checkpointRoundTripGivesIdenticalPredictions() {
        for (Method method : new Method[] {Method.RESNET_S, Method.BNN_P, Method.FNO_S}) {
            try (NDManager scope = manager.newSubManager()) {
                OneShotModel model = OneShotModel.create(scope, method, tiny(method), SPEC, NORM, 5);
                perturb(model, 9);
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("method", method.id());
                meta.put("network", model.architecture().toMap());
                meta.put(
                        "dataset",
                        Map.of(
                                "parameters",
                                SPEC.toMap(),
                                "normalisation",
                                Map.of("mean", NORM.mean(), "std", NORM.std())));
                Path file = tmp.resolve(method.id() + ".ckpt");
                Checkpoint.write(file, meta, ParameterIO.export(model.block()));
                TrainableModel loaded = TrainableModel.load(scope, Checkpoint.read(file));
                assertEquals(method, loaded.method());
                assertEquals(model.architecture().toMap(), loaded.architecture().toMap());
                HostArray y = new HostArray(new GaussianNoise(3).next(5 * 16 * 16), 5, 16, 16);
                HostArray a = model.predict(scope, y, 2, 7, null);
                HostArray b = ((OneShotModel) loaded).predict(scope, y, 2, 7, null);
                assertEquals(-1, a.firstNonFinite(), method.id() + " predicts a non-finite value");
                assertArrayEquals(a.data(), b.data(), method.id());
                assertTrue(maxAbsDifference(a.data(), y.data(), 2) > 1e-4, method.id() + " predicts more than y");
            }
        }
    }

    /** Largest |x0_pred - y| over predictions {@code [n, K, 16, 16]} of observations {@code [n, 16, 16]}. */
    private static double maxAbsDifference(float[] pred, float[] y, int samples) {
        double max = 0;
        for (int i = 0; i < pred.length; i++) {
            int item = i / (256 * samples);
            max = Math.max(max, Math.abs(pred[i] - y[item * 256 + i % 256]));
        }
        return max;
    }

    /**
     * The "-P" loss |H_T(y + net(y)) - y|^2 reaches the network only through the solver: its
     * gradient with respect to output-layer weights matches central finite differences.
     */
    @Test
    void physicsLossGradientReachesTheNetworkThroughTheSolver() {
        try (NDManager scope = manager.newSubManager();
                HeatEquation heat = new HeatEquation(scope, SPEC.alpha())) {
            OneShotModel model = OneShotModel.create(scope, Method.RESNET_P, tiny(Method.RESNET_P), SPEC, NORM, 5);
            perturb(model, 4);
            Objective objective = model.objective(new Sde(heat, Diffusion.constant(SPEC.diffusion())), null);
            NDArray x0 = new GaussianNoise(8).next(scope, new Shape(3, 16, 16));
            Parameter weight = model.block().getParameters().stream()
                    .filter(p -> p.getKey().contains("project") && p.getKey().endsWith("weight"))
                    .findFirst()
                    .orElseThrow()
                    .getValue();
            NDArray w = weight.getArray();
            double[] analytic;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = objective.loss(x0, 1, new GaussianNoise(21));
                gc.backward(loss);
                float[] g = w.getGradient().toFloatArray();
                analytic = new double[] {g[0], g[4], g[g.length - 1]};
            }
            int[] entries = {0, 4, (int) w.size() - 1};
            float[] base = w.toFloatArray();
            double h = 1e-2;
            for (int j = 0; j < entries.length; j++) {
                double[] side = new double[2];
                for (int s = 0; s < 2; s++) {
                    float[] v = base.clone();
                    v[entries[j]] += (float) (s == 0 ? h : -h);
                    w.set(FloatBuffer.wrap(v));
                    try (NDManager eval = scope.newSubManager()) {
                        NDArray x = x0.duplicate();
                        x.attach(eval);
                        side[s] = objective.loss(x, 1, new GaussianNoise(21)).getFloat();
                    }
                }
                w.set(FloatBuffer.wrap(base));
                double numeric = (side[0] - side[1]) / (2 * h);
                assertTrue(Math.abs(analytic[j]) > 1e-7, "gradient entry " + j + " is zero: " + analytic[j]);
                assertEquals(
                        numeric,
                        analytic[j],
                        0.05 * Math.abs(numeric) + 1e-7,
                        "entry " + entries[j] + ": finite differences " + numeric + ", autograd " + analytic[j]);
            }
        }
    }
}
