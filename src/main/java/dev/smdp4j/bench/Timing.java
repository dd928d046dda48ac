package dev.smdp4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.train.Adam;
import dev.smdp4j.train.Position;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.Stage;
import dev.smdp4j.train.TrainingLoop;
import dev.smdp4j.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How {@link SpeedSuite} measures: the median time of a call after warm-up, the timed units of work
 * (a network pass, a step of the real training loop) and the process's peak memory.
 */
final class Timing {
    /** Calls shorter than this are timed in blocks of about this length. */
    private static final long BLOCK_NANOS = 200_000_000L;

    private Timing() {}

    /**
     * Median seconds per call over {@code repeats} timed blocks, after warm-up calls for at least
     * {@code warmUpSeconds} (and at least two): until the JIT compiler has settled, its threads
     * compete with the engine's for this machine's two cores (a batch-1 forward measured 19 ms in
     * the first half second and 6 ms after). Calls shorter than {@link #BLOCK_NANOS} are timed in
     * blocks of that length, so that one scheduler hiccup does not decide a row.
     */
    static double medianSeconds(Runnable call, int repeats, double warmUpSeconds) {
        long start = System.nanoTime();
        int warmUps = 0;
        while (warmUps < 2 || System.nanoTime() - start < warmUpSeconds * 1e9) {
            call.run();
            warmUps++;
        }
        long perCall = (System.nanoTime() - start) / warmUps;
        int block = (int) Math.max(1, Math.min(1000, BLOCK_NANOS / Math.max(1, perCall)));
        double[] t = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                call.run();
            }
            t[r] = (System.nanoTime() - t0) / 1e9 / block;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    /** One network pass on {@code x} at time {@code t} (forward, or forward and backward to the parameters) in a scope of its own. */
    static void pass(NDManager manager, SmdpModel model, NDArray x, boolean backward, double t) {
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step);
            if (!backward) {
                model.network().output(x, t);
                return;
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.network().output(x, t).square().mean());
            }
        }
    }

    /** Median seconds per step of the real training loop over {@code steps} steps after one warm-up step. */
    static double trainingStepSeconds(
            NDManager manager, SmdpModel model, Sde sde, TrainingOptions to, HostArray train, int steps) {
        double[] t = new double[steps];
        try (Adam adam = Adam.builder().clip(to.clip()).build(model.block())) {
            TrainingLoop loop =
                    new TrainingLoop(manager, model.objective(sde, to), adam, train, to.schedule(), 7, false);
            long[] last = {System.nanoTime()};
            int[] done = {0};
            loop.run(
                    Position.START,
                    new TrainingLoop.Listener() {
                        @Override
                        public void onStep(Position position, Stage stage, double lr, double loss, boolean applied) {
                            long now = System.nanoTime();
                            if (done[0] > 0) {
                                t[done[0] - 1] = (now - last[0]) / 1e9;
                            }
                            last[0] = now;
                            done[0]++;
                        }

                        @Override
                        public boolean shouldStop() {
                            return done[0] > steps;
                        }
                    },
                    null);
        }
        Arrays.sort(t);
        return t[steps / 2];
    }

    /** The process's peak resident set size so far (VmHWM), in bytes; 0 where /proc is not available. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
