package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import dev.smdp4j.physics.HeatKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smdp simulate}: the heat data set's forward map equals the exact heat semigroup over T,
 * computed on the host in double precision (the data set's M steps compose to one step of T), in
 * physical units; bad input is refused without writing.
 */
class SimulateCommandTest {
    @TempDir
    static Path tmp;

    @Test
    void heatSimulationIsTheExactSemigroupOverT() {
        Path data = tmp.resolve("data");
        ok(
                "generate",
                "--out",
                data.toString(),
                "--train",
                "20",
                "--test",
                "5",
                "--grid",
                "16",
                "--steps",
                "4",
                "--end-time",
                "0.1",
                "--seed",
                "3");
        Path out = tmp.resolve("xT.npz");
        ok(
                "simulate",
                "--data",
                data.toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--out",
                out.toString());
        HostArray x0 = Npz.read(data.resolve("test.npz"), "x0");
        HostArray xT = Npz.read(out, "xT");
        assertArrayEquals(x0.shape(), xT.shape());
        double[][] a = HeatKernel.circulant(16, 1.0, 0.1);
        double maxDiff = 0;
        double scale = 0;
        for (int i = 0; i < 5; i++) {
            double[] expected = HeatKernel.apply(a, x0.data(), i * 256, 16);
            for (int j = 0; j < 256; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[j] - xT.data()[i * 256 + j]));
                scale = Math.max(scale, Math.abs(expected[j]));
            }
        }
        assertTrue(scale > 0 && maxDiff < 1e-5 * scale, "differs by " + maxDiff + " of " + scale);

        fails(
                "exists",
                "simulate",
                "--data",
                data.toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--out",
                out.toString());
        Path wrong = tmp.resolve("wrong.npz");
        Npz.write(wrong, Map.of("x0", new HostArray(new float[2 * 8 * 8], 2, 8, 8)));
        Path notWritten = tmp.resolve("never.npz");
        fails(
                "wrong.npz key 'x0'",
                "simulate",
                "--data",
                data.toString(),
                "--input",
                wrong.toString(),
                "--out",
                notWritten.toString());
        assertTrue(!Files.exists(notWritten));
    }
}
