package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import dev.smdp4j.physics.NavierStokes2d;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --problem navier-stokes-2d} through the shared commands: the data set records the
 * problem; {@code simulate} equals the solver run directly with the recorded parameters; the test
 * observations are the noisy end states around it; SMDP trains, samples and is evaluated.
 */
class NavierStokesCommandTest {
    @TempDir
    static Path tmp;

    @Test
    void generateSimulateTrainSampleAndEvaluate() {
        Path data = tmp.resolve("data");
        ok(
                "generate",
                "--problem",
                "navier-stokes-2d",
                "--set",
                "grid_size=16",
                "--set",
                "nu=0.05",
                "--train",
                "16",
                "--test",
                "4",
                "--steps",
                "4",
                "--end-time",
                "0.5",
                "--out",
                data.toString());
        Path xT = tmp.resolve("xT.npz");
        ok(
                "simulate",
                "--data",
                data.toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--out",
                xT.toString());
        HostArray x0 = Npz.read(data.resolve("test.npz"), "x0");
        HostArray simulated = Npz.read(xT, "xT");
        HostArray y = Npz.read(data.resolve("test.npz"), "y");
        assertArrayEquals(new int[] {4, 16, 16}, simulated.shape());
        float[] direct;
        try (NDManager m = Engines.newManager();
                NavierStokes2d ns = new NavierStokes2d(m, 0.05, 0, null, 0.01, NavierStokes2d.Scheme.CN_RK4)) {
            var x = EngineArrays.of(m, x0.data(), new Shape(4, 16, 16));
            for (int i = 0; i < 4; i++) {
                x = ns.advance(x, 0.125);
            }
            direct = x.toFloatArray();
        }
        double maxDiff = 0;
        double scale = 0;
        double noise = 0;
        for (int i = 0; i < direct.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(direct[i] - simulated.data()[i]));
            scale = Math.max(scale, Math.abs(direct[i]));
            noise += (y.data()[i] - direct[i]) * (double) (y.data()[i] - direct[i]);
        }
        assertTrue(scale > 0.5 && maxDiff <= 1e-5 * scale, "simulate vs the solver: " + maxDiff + " of " + scale);
        // y is the end of a noisy trajectory plus s e: about g sqrt(T) = 0.18 away from the noise-free end
        double rms = Math.sqrt(noise / direct.length);
        assertTrue(rms > 0.05 && rms < 0.6, "observation noise rms " + rms);

        Path run = tmp.resolve("run");
        ok(
                "train",
                "--data",
                data.toString(),
                "--out",
                run.toString(),
                "--schedule",
                "1:1:4:1e-3:1e-3,2:1:4:1e-3:1e-3",
                "--quiet");
        Path ode = tmp.resolve("ode.npz");
        ok(
                "sample",
                "--model",
                run.resolve("best.ckpt").toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--sampler",
                "ode",
                "--out",
                ode.toString(),
                "--quiet");
        assertArrayEquals(new int[] {4, 1, 16, 16}, Npz.read(ode, "x0").shape());
        String one = ok("evaluate", "--data", data.resolve("test.npz").toString(), "--pred", ode.toString())
                .out();
        assertTrue(one.contains("mse") && one.contains("spectrum") && !one.contains("spread_skill"), one);
        Path sde = tmp.resolve("sde.npz");
        ok(
                "sample",
                "--model",
                run.resolve("best-sde.ckpt").toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--sampler",
                "sde",
                "--samples",
                "2",
                "--out",
                sde.toString(),
                "--quiet");
        String two = ok("evaluate", "--data", data.resolve("test.npz").toString(), "--pred", sde.toString())
                .out();
        assertTrue(two.contains("2 predictions") && two.contains("spread_skill"), two);
        fails(
                "nu must be finite and >= 0",
                "generate",
                "--problem",
                "navier-stokes-2d",
                "--set",
                "nu=-1",
                "--out",
                tmp.resolve("bad").toString());
    }
}
