package dev.smdp4j.io;

import static dev.smdp4j.train.AdamTest.assertSameBits;
import static dev.smdp4j.train.AdamTest.linear;
import static dev.smdp4j.train.AdamTest.values;
import static dev.smdp4j.train.AdamTest.with;
import static dev.smdp4j.train.AdamTest.without;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.smdp4j.EngineTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ParameterIO}: exporting and loading a block's parameters, with validation. */
class ParameterIOTest extends EngineTest {

    @Test
    void exportNamesEveryParameter() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 1);
            Map<String, HostArray> exported = ParameterIO.export(block);
            assertEquals(List.of("param/weight", "param/bias"), List.copyOf(exported.keySet()));
            assertArrayEquals(new int[] {3, 4}, exported.get("param/weight").shape());
            assertArrayEquals(new int[] {3}, exported.get("param/bias").shape());
            assertArrayEquals(
                    values(block).get("weight"), exported.get("param/weight").data());
        }
    }

    @Test
    void roundTripCopiesIntoTheExistingArrays() {
        try (NDManager m = manager.newSubManager()) {
            Block source = linear(m, 1);
            Block target = linear(m, 2);
            NDArray weight = target.getParameters().get("weight").getArray();
            ParameterIO.load(target, ParameterIO.export(source));
            assertSame(weight, target.getParameters().get("weight").getArray());
            assertSameBits(values(source), values(target));
            // The loaded block computes what the source does.
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.randomNormal(new Shape(2, 4));
                float[] a = source.forward(new ParameterStore(step, false), new NDList(x), false)
                        .singletonOrThrow()
                        .toFloatArray();
                float[] b = target.forward(new ParameterStore(step, false), new NDList(x), false)
                        .singletonOrThrow()
                        .toFloatArray();
                assertArrayEquals(a, b);
            }
        }
    }

    @Test
    void otherKeysAreIgnored() {
        try (NDManager m = manager.newSubManager()) {
            Block source = linear(m, 1);
            Block target = linear(m, 2);
            ParameterIO.load(target, with(ParameterIO.export(source), "adam.t", HostArray.zeros(1)));
            assertSameBits(values(source), values(target));
        }
    }

    @Test
    void rejectsBadValuesAndChangesNothing() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 1);
            Map<String, HostArray> good = ParameterIO.export(linear(m, 2));
            Map<String, float[]> before = values(block);

            assertRejected(block, without(good, "param/bias"), "missing parameter 'param/bias'");
            assertRejected(block, Map.of(), "missing parameter 'param/bias', 'param/weight'");
            assertRejected(block, with(good, "param/extra", HostArray.zeros(2)), "unexpected parameter 'param/extra'");
            assertRejected(
                    block,
                    with(good, "param/weight", HostArray.zeros(4, 3)),
                    "parameter 'param/weight': expected shape [3, 4], got [4, 3]");
            assertRejected(
                    block,
                    with(good, "param/bias", HostArray.zeros(1, 3)),
                    "parameter 'param/bias': expected shape [3], got [1, 3]");
            float[] nan = good.get("param/weight").data().clone();
            nan[5] = Float.NaN;
            assertRejected(
                    block,
                    with(good, "param/weight", new HostArray(nan, 3, 4)),
                    "parameter 'param/weight': element 5 is NaN");
            assertRejected(
                    block,
                    with(good, "param/bias", new HostArray(new float[] {0, Float.POSITIVE_INFINITY, 0}, 3)),
                    "parameter 'param/bias': element 1 is Infinity");
            assertSameBits(before, values(block));
        }
    }

    private static void assertRejected(Block block, Map<String, HostArray> tensors, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ParameterIO.load(block, tensors));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
