package dev.smdp4j.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.smdp4j.GcPressure;
import dev.smdp4j.util.Engines;
import java.util.Random;

/**
 * The standalone reproduction of the convolution NaNs that {@code CircularConv} once padded
 * channels against (docs/RELIABILITY.md, "Convolution NaNs"): plain 3x3 convolutions with the
 * channel counts that failed, forward and input gradient, repeated many times while a thread
 * forces garbage collections.
 *
 * <p>Mode {@code engine}: inputs, weights and bias drawn by the engine ({@code randomNormal}), no
 * host data at all. Mode {@code host}: the same, but the input and the weight are made from Java
 * arrays by DJL's {@code NDManager.create(float[])} and only the Java object keeps them alive
 * (the route the project used when the NaNs were seen). Prints one line per case: calls, NaN
 * outputs, NaN input gradients.
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes:CP dev.smdp4j.nn.ConvNanReproduction engine|host REPEATS [padded]}; {@code padded} runs the
 * shapes {@code CircularConv} passes on ({@link #PADDED_CASES}) instead of the failing ones.
 */
public final class ConvNanReproduction {
    /** {in, out, dilation}: the failing cases recorded in the project's benchmarks. */
    static final int[][] CASES = {
        {20, 16, 1},
        {20, 32, 1},
        {24, 16, 1},
        {36, 32, 1},
        {40, 16, 1},
        {20, 20, 1},
        {32, 1, 1},
        {32, 2, 1},
        {32, 4, 2},
        {32, 8, 4},
        {3, 1, 1},
        {4, 1, 1}
    };

    /**
     * {in, out, dilation}: the shapes {@code CircularConv} gives the engine after padding channels
     * (input channels above 16 to a multiple of 16, output channels to a multiple of 16).
     */
    static final int[][] PADDED_CASES = {
        {32, 16, 1},
        {32, 32, 1},
        {48, 16, 1},
        {48, 32, 1},
        {16, 16, 1},
        {32, 16, 2},
        {32, 16, 4},
        {32, 32, 2},
        {32, 32, 4},
        {32, 32, 8},
        {3, 16, 1},
        {4, 32, 1}
    };

    private ConvNanReproduction() {}

    /** Counts of one case. */
    record Count(int in, int out, int dilation, int calls, int nanOutputs, int nanGradients) {
        @Override
        public String toString() {
            return String.format(
                    "%2d -> %2d (dilation %d): %4d calls, NaN outputs %d, NaN input gradients %d",
                    in, out, dilation, calls, nanOutputs, nanGradients);
        }
    }

    /** Runs every case {@code repeats} times under garbage-collector pressure. */
    static Count[] run(NDManager root, boolean hostInputs, int repeats, long seed) {
        return run(root, CASES, hostInputs, repeats, seed);
    }

    /** Runs every case of {@code cases} {@code repeats} times under garbage-collector pressure. */
    static Count[] run(NDManager root, int[][] cases, boolean hostInputs, int repeats, long seed) {
        Count[] out = new Count[cases.length];
        Random random = new Random(seed);
        try (GcPressure pressure = GcPressure.start()) {
            for (int c = 0; c < cases.length; c++) {
                int in = cases[c][0];
                int filters = cases[c][1];
                int dil = cases[c][2];
                int nanOut = 0;
                int nanGrad = 0;
                for (int r = 0; r < repeats; r++) {
                    int n = r % 3 == 0 ? 8 : r % 3 == 1 ? 10 : 16;
                    int pad = dil;
                    try (NDManager s = root.newSubManager()) {
                        Shape xs = new Shape(2, in, n + 2 * pad, n + 2 * pad);
                        Shape ws = new Shape(filters, in, 3, 3);
                        NDArray x = hostInputs ? host(s, xs, random) : s.randomNormal(xs);
                        NDArray w = hostInputs ? host(s, ws, random) : s.randomNormal(0f, 0.1f, ws, DataType.FLOAT32);
                        NDArray b = s.randomNormal(0f, 0.1f, new Shape(filters), DataType.FLOAT32);
                        x.setRequiresGradient(true);
                        NDArray y;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(dil, dil))
                                    .singletonOrThrow();
                            gc.backward(y.square().sum());
                        }
                        nanOut += y.isNaN().any().getBoolean() ? 1 : 0;
                        nanGrad += x.getGradient().isNaN().any().getBoolean() ? 1 : 0;
                    }
                }
                out[c] = new Count(in, filters, dil, repeats, nanOut, nanGrad);
            }
            if (pressure.collections() == 0) {
                throw new IllegalStateException("no collection happened: the pressure thread did not run");
            }
        }
        return out;
    }

    /** Host data through DJL's borrowing route (a view of a Java buffer), kept alive only by the Java object. */
    private static NDArray host(NDManager s, Shape shape, Random random) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return s.create(v, shape);
    }

    public static void main(String[] args) {
        boolean host = args.length > 0 && args[0].equals("host");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int[][] cases = args.length > 2 && args[2].equals("padded") ? PADDED_CASES : CASES;
        try (NDManager root = Engines.newManager()) {
            long t0 = System.nanoTime();
            for (Count c : run(root, cases, host, repeats, 1)) {
                System.out.println((host ? "host   " : "engine ") + c);
            }
            System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }
}
