package dev.smdp4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.HostArray;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Figure 2 with diverged estimates: their cells stay empty instead of failing the figure. */
class BenchmarkFiguresTest {
    @TempDir
    Path dir;

    @Test
    void divergedEstimatesAndSamplesAreEmptyCells() throws Exception {
        int n = 8;
        int field = n * n;
        float[] truth = new float[2 * field];
        float[] ode = new float[2 * field];
        float[] sde = new float[2 * 3 * field];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = (float) Math.sin(i * 0.37);
            ode[i] = truth[i] * 0.9f;
        }
        for (int i = 0; i < sde.length; i++) {
            sde[i] = (float) Math.cos(i * 0.11);
        }
        ode[field + 5] = Float.NaN; // observation 1's ODE estimate diverged
        sde[field + 3] = Float.POSITIVE_INFINITY; // observation 0's second sample diverged
        Path png = dir.resolve("fig2.png");
        BenchmarkFigures.figure2(
                png,
                new HostArray(truth, 2, n, n),
                new HostArray(truth, 2, n, n),
                new HostArray(ode, 2, 1, n, n),
                new HostArray(sde, 2, 3, n, n),
                2);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() > 400 && image.getHeight() > 100);

        Path clean = dir.resolve("clean.png");
        ode[field + 5] = 0;
        sde[field + 3] = 0;
        BenchmarkFigures.figure2(
                clean,
                new HostArray(truth, 2, n, n),
                new HostArray(truth, 2, n, n),
                new HostArray(ode, 2, 1, n, n),
                new HostArray(sde, 2, 3, n, n),
                2);
        BufferedImage reference = ImageIO.read(clean.toFile());
        assertEquals(reference.getWidth(), image.getWidth());
        int differing = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                differing += image.getRGB(x, y) != reference.getRGB(x, y) ? 1 : 0;
            }
        }
        assertTrue(differing > 100, "the diverged cells are drawn differently: " + differing + " pixels");
    }
}
