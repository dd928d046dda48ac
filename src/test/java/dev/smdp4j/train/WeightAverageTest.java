package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.util.Engines;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link WeightAverage} against the average computed independently on the host. */
class WeightAverageTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** Random weights for every parameter of {@code block}, as a checkpoint would hold them. */
    private static Map<String, HostArray> randomWeights(Block block, SplittableRandom random) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostArray> e : ParameterIO.export(block).entrySet()) {
            float[] v = new float[e.getValue().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextDouble() * 2 - 1);
            }
            out.put(e.getKey(), new HostArray(v, e.getValue().shape()));
        }
        return out;
    }

    @Test
    void swapExchangesTheWeightsWithTheirExponentialAverage() {
        try (NDManager m = manager.newSubManager()) {
            Block block = AdamTest.linear(m, 3);
            Map<String, HostArray> start = ParameterIO.export(block);
            Map<String, double[]> expected = new LinkedHashMap<>();
            start.forEach((k, v) -> {
                double[] d = new double[v.size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = v.data()[i];
                }
                expected.put(k, d);
            });
            SplittableRandom random = new SplittableRandom(5);
            Map<String, HostArray> last = start;
            double decay = 0.6;
            try (WeightAverage average = new WeightAverage(block, decay)) {
                for (int t = 0; t < 12; t++) {
                    last = randomWeights(block, random);
                    ParameterIO.load(block, last);
                    average.update();
                    double r = Math.min(decay, (1.0 + t) / (10.0 + t)); // warm-up, then the decay (from t = 5)
                    for (Map.Entry<String, double[]> e : expected.entrySet()) {
                        double[] a = e.getValue();
                        float[] w = last.get(e.getKey()).data();
                        for (int i = 0; i < a.length; i++) {
                            a[i] = r * a[i] + (1 - r) * w[i];
                        }
                    }
                }
                assertEquals(12, average.updates());
                average.swap();
                Map<String, HostArray> swapped = ParameterIO.export(block);
                for (Map.Entry<String, double[]> e : expected.entrySet()) {
                    float[] got = swapped.get(e.getKey()).data();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(e.getValue()[i], got[i], 1e-5, e.getKey() + "[" + i + "]");
                    }
                }
                // the other side of the swap is the raw weights, exported as training state
                Map<String, HostArray> state = average.exportState();
                for (Map.Entry<String, HostArray> e : last.entrySet()) {
                    String name = e.getKey().substring(ParameterIO.PREFIX.length());
                    assertArrayEquals(
                            e.getValue().data(),
                            state.get(WeightAverage.WEIGHTS + name).data(),
                            name);
                }
                average.swap();
                Map<String, HostArray> back = ParameterIO.export(block);
                for (Map.Entry<String, HostArray> e : last.entrySet()) {
                    assertArrayEquals(
                            e.getValue().data(), back.get(e.getKey()).data(), "swapping twice restores " + e.getKey());
                }
            }
        }
    }

    @Test
    void importedStateContinuesExactlyAndBadStateIsRefused() {
        try (NDManager m = manager.newSubManager()) {
            Block a = AdamTest.linear(m, 1);
            Block b = AdamTest.linear(m, 2); // different start: the import must replace it
            SplittableRandom random = new SplittableRandom(9);
            try (WeightAverage first = new WeightAverage(a, 0.9);
                    WeightAverage second = new WeightAverage(b, 0.9)) {
                for (int t = 0; t < 4; t++) {
                    ParameterIO.load(a, randomWeights(a, random));
                    first.update();
                }
                Map<String, HostArray> state = first.exportState();
                second.importState(state);
                ParameterIO.load(b, ParameterIO.export(a));
                Map<String, HostArray> next = randomWeights(a, random);
                ParameterIO.load(a, next);
                ParameterIO.load(b, next);
                first.update();
                second.update();
                first.swap();
                second.swap();
                Map<String, HostArray> ea = ParameterIO.export(a);
                Map<String, HostArray> eb = ParameterIO.export(b);
                for (String key : ea.keySet()) {
                    assertArrayEquals(ea.get(key).data(), eb.get(key).data(), key);
                }

                Map<String, HostArray> missing = new LinkedHashMap<>(state);
                missing.remove(WeightAverage.COUNT);
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> second.importState(missing));
                assertTrue(e.getMessage().contains(WeightAverage.COUNT), e.getMessage());
                Map<String, HostArray> fractional = new LinkedHashMap<>(state);
                fractional.put(WeightAverage.COUNT, new HostArray(new float[] {2.5f}, 1));
                e = assertThrows(InvalidInputException.class, () -> second.importState(fractional));
                assertTrue(e.getMessage().contains("whole count"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(a, 1.0));
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(a, 0));
        }
    }
}
