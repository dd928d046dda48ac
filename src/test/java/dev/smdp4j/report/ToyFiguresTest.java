package dev.smdp4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ToyFigures}: the PNGs have the layout's size, paths and bars take the colour of their end
 * state at t = 0 and sit where their values say, at most maxPaths paths are drawn and evenly
 * chosen, the histogram is a density, bad input is rejected with a message naming the entry and
 * index, and a failed write leaves an existing target untouched.
 */
class ToyFiguresTest {
    private static final double T = 10;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    private static double[] times(int count) {
        double[] t = new double[count];
        for (int j = 0; j < count; j++) {
            t[j] = T * j / (count - 1);
        }
        return t;
    }

    /** A straight path from {@code atZero} at t = 0 to {@code atT} at t = T on the grid {@code times}. */
    private static double[] line(double[] times, double atZero, double atT) {
        double[] x = new double[times.length];
        for (int j = 0; j < times.length; j++) {
            x[j] = atZero + (atT - atZero) * times[j] / T;
        }
        return x;
    }

    private static double[] constant(int count, double value) {
        double[] x = new double[count];
        Arrays.fill(x, value);
        return x;
    }

    private static BufferedImage read(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), "missing " + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image: " + png);
        return image;
    }

    private void assertOnlyFiles(String... names) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> present =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(Arrays.stream(names).sorted().toList(), present);
        }
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int p = image.getRGB(x, y);
        return new int[] {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
    }

    private static boolean reddish(int[] c) {
        return c[0] > Math.max(c[1], c[2]) + 40;
    }

    private static boolean bluish(int[] c) {
        return c[2] > c[0] + 40 && c[2] >= c[1];
    }

    private static boolean dark(int[] c) {
        return c[0] < 120 && c[1] < 120 && c[2] < 120;
    }

    /** Unsaturated and clearly darker than the light grey grid lines: a grey path. */
    private static boolean midGrey(int[] c) {
        int max = Math.max(c[0], Math.max(c[1], c[2]));
        int min = Math.min(c[0], Math.min(c[1], c[2]));
        return max - min < 20 && max < 215;
    }

    /** Pixel row of the value v on the y axis [-1.5, 1.5] of a trajectory panel. */
    private static double yPixel(Rectangle2D area, double v) {
        return area.getMinY() + (ToyFigures.X_LIMIT - v) / (2 * ToyFigures.X_LIMIT) * area.getHeight();
    }

    /** Pixel column of the value v on the x axis [-1.5, 1.5] of a histogram panel. */
    private static double xPixel(Rectangle2D area, double v) {
        return area.getMinX() + (v + ToyFigures.X_LIMIT) / (2 * ToyFigures.X_LIMIT) * area.getWidth();
    }

    /** Pixels inside the data area (2 pixels in from its frame) with rows in [fromY, toY) that match. */
    private static int count(BufferedImage image, Rectangle2D area, double fromY, double toY, Predicate<int[]> test) {
        int n = 0;
        int y0 = (int) Math.max(Math.ceil(area.getMinY()) + 2, Math.ceil(fromY));
        int y1 = (int) Math.min(Math.floor(area.getMaxY()) - 2, Math.floor(toY));
        for (int y = y0; y < y1; y++) {
            for (int x = (int) Math.ceil(area.getMinX()) + 2; x < (int) Math.floor(area.getMaxX()) - 2; x++) {
                if (test.test(rgb(image, x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int countAll(BufferedImage image, Rectangle2D area, Predicate<int[]> test) {
        return count(image, area, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, test);
    }

    /** Three panels: 20 paths ending at about +1, 20 at about -1, 20 at 0; all start at -0.1 or +0.1 at t = T. */
    private static Map<String, double[][]> threeMethods(double[] t) {
        double[][] up = new double[20][];
        double[][] down = new double[20][];
        double[][] stuck = new double[20][];
        for (int i = 0; i < 20; i++) {
            double spread = 0.05 * (i - 10) / 10;
            up[i] = line(t, 1 + spread, -0.1); // ends near +1 although it starts below 0
            down[i] = line(t, -1 + spread, 0.1); // ends near -1 although it starts above 0
            stuck[i] = constant(t.length, 0.3); // never near either
        }
        Map<String, double[][]> paths = new LinkedHashMap<>();
        paths.put("to +1", up);
        paths.put("to -1", down);
        paths.put("stuck", stuck);
        return paths;
    }

    private static void assertRejected(String expectedInMessage, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should contain '" + expectedInMessage + "'");
    }

    // ------------------------------------------------------------------ trajectories

    @Test
    void trajectoriesHaveOnePanelPerMethodSideBySideAndLeaveNoTemporaryFile() throws IOException {
        double[] t = times(101);
        Path png = dir.resolve("traj.png");
        ToyFigures.trajectories(png, t, threeMethods(t), 50);
        BufferedImage image = read(png);
        assertEquals(3 * ToyFigures.TRAJECTORY_PANEL_WIDTH, image.getWidth());
        assertEquals(ToyFigures.TRAJECTORY_PANEL_HEIGHT + Charts.LEGEND_HEIGHT, image.getHeight());
        assertOnlyFiles("traj.png");

        List<Rectangle2D> areas =
                ToyFigures.renderTrajectories(t, threeMethods(t), 50).dataAreas();
        assertEquals(3, areas.size());
        for (int p = 0; p < 3; p++) {
            Rectangle2D a = areas.get(p);
            assertTrue(
                    a.getMinX() >= p * ToyFigures.TRAJECTORY_PANEL_WIDTH
                            && a.getMaxX() <= (p + 1) * ToyFigures.TRAJECTORY_PANEL_WIDTH,
                    "panel " + p + ": " + a);
            assertTrue(a.getWidth() > 250 && a.getHeight() > 250, "panel " + p + " too small: " + a);
        }
        assertEquals(areas.get(0).getHeight(), areas.get(2).getHeight(), 0.5, "panels of equal height");
    }

    @Test
    void pathsTakeTheColourOfTheirEndStateAtTimeZeroAndSitWhereTheirValuesSay() throws IOException {
        double[] t = times(101);
        Path png = dir.resolve("traj.png");
        ToyFigures.trajectories(png, t, threeMethods(t), 50);
        BufferedImage image = read(png);
        List<Rectangle2D> areas =
                ToyFigures.renderTrajectories(t, threeMethods(t), 50).dataAreas();

        // Panel 0: paths from -0.1 at t = T to +1 at t = 0 are red, above x = -0.3, never blue.
        Rectangle2D up = areas.get(0);
        assertTrue(count(image, up, up.getMinY(), yPixel(up, 0.2), ToyFiguresTest::reddish) > 50, "red above 0.2");
        assertEquals(0, count(image, up, yPixel(up, -0.3), up.getMaxY(), ToyFiguresTest::reddish), "red below -0.3");
        assertEquals(0, countAll(image, up, ToyFiguresTest::bluish), "blue in the +1 panel");

        // Panel 1: the mirror image.
        Rectangle2D down = areas.get(1);
        assertTrue(
                count(image, down, yPixel(down, -0.2), down.getMaxY(), ToyFiguresTest::bluish) > 50, "blue below -0.2");
        assertEquals(
                0, count(image, down, down.getMinY(), yPixel(down, 0.3), ToyFiguresTest::bluish), "blue above 0.3");
        assertEquals(0, countAll(image, down, ToyFiguresTest::reddish), "red in the -1 panel");

        // Panel 2: paths at 0.3 end neither near -1 nor near +1: grey, on the row of 0.3.
        Rectangle2D stuck = areas.get(2);
        assertEquals(0, countAll(image, stuck, ToyFiguresTest::reddish), "red in the grey panel");
        assertEquals(0, countAll(image, stuck, ToyFiguresTest::bluish), "blue in the grey panel");
        int x = (int) (stuck.getMinX() + 0.45 * stuck.getWidth());
        int row = (int) Math.round(yPixel(stuck, 0.3));
        boolean grey = false;
        for (int y = row - 2; y <= row + 2; y++) {
            grey |= midGrey(rgb(image, x, y));
        }
        assertTrue(grey, "a grey path at x = 0.3");
    }

    @Test
    void dashedReferenceLinesMarkMinusOneAndPlusOne() throws IOException {
        double[] t = times(11);
        Map<String, double[][]> paths = Map.of("flat", new double[][] {constant(11, 0.3)});
        Path png = dir.resolve("ref.png");
        ToyFigures.trajectories(png, t, paths, 10);
        BufferedImage image = read(png);
        Rectangle2D area =
                ToyFigures.renderTrajectories(t, paths, 10).dataAreas().get(0);
        for (double level : new double[] {-1, 1}) {
            int best = 0;
            int row = (int) Math.round(yPixel(area, level));
            int bestRow = row;
            for (int y = row - 2; y <= row + 2; y++) {
                int n = count(image, area, y, y + 1, ToyFiguresTest::dark);
                if (n > best) {
                    best = n;
                    bestRow = y;
                }
            }
            // Dashed: dark over more than a third of the width, but not all of it.
            int inner = (int) area.getWidth() - 4;
            assertTrue(best > inner / 3, "dark pixels on the row of x = " + level + ": " + best);
            assertTrue(best < inner - 20, "the line at x = " + level + " is not dashed: " + best + " of " + inner);
            int below = count(image, area, bestRow + 4, bestRow + 5, ToyFiguresTest::dark);
            assertEquals(0, below, "a horizontal line, not a band, at x = " + level);
        }
    }

    @Test
    void atMostMaxPathsAreDrawnEvenlyChosenOverTheIndices() throws IOException {
        double[] t = times(21);
        // 20 horizontal paths at distinct heights in (0.5, 1): all red, one line each.
        double[][] flat = new double[20][];
        for (int i = 0; i < 20; i++) {
            flat[i] = constant(t.length, 0.55 + 0.4 * i / 19);
        }
        assertEquals(4, redLines(t, Map.of("m", flat), 4));
        assertEquals(1, redLines(t, Map.of("m", flat), 1));
        double[][] eight = Arrays.copyOf(flat, 8);
        for (int i = 0; i < 8; i++) {
            eight[i] = constant(t.length, 0.55 + 0.4 * i / 7);
        }
        assertEquals(8, redLines(t, Map.of("m", eight), 100), "maxPaths beyond the count draws all");

        // First half ends at +1, second half at -1: an even choice of 10 out of 100 shows both.
        double[][] halves = new double[100][];
        for (int i = 0; i < 100; i++) {
            halves[i] = line(t, i < 50 ? 1 : -1, 0);
        }
        Map<String, double[][]> paths = Map.of("halves", halves);
        Path png = dir.resolve("halves.png");
        ToyFigures.trajectories(png, t, paths, 10);
        BufferedImage image = read(png);
        Rectangle2D area =
                ToyFigures.renderTrajectories(t, paths, 10).dataAreas().get(0);
        assertTrue(countAll(image, area, ToyFiguresTest::reddish) > 20, "red paths drawn");
        assertTrue(countAll(image, area, ToyFiguresTest::bluish) > 20, "blue paths drawn");
    }

    /** The number of separate red lines crossing the middle column of the (single) panel. */
    private int redLines(double[] t, Map<String, double[][]> paths, int maxPaths) throws IOException {
        Path png = dir.resolve("lines.png");
        ToyFigures.trajectories(png, t, paths, maxPaths);
        BufferedImage image = read(png);
        Rectangle2D area =
                ToyFigures.renderTrajectories(t, paths, maxPaths).dataAreas().get(0);
        int x = (int) (area.getMinX() + 0.45 * area.getWidth());
        int runs = 0;
        boolean inRun = false;
        for (int y = (int) area.getMinY() + 2; y < area.getMaxY() - 2; y++) {
            boolean red = reddish(rgb(image, x, y));
            if (red && !inRun) {
                runs++;
            }
            inRun = red;
        }
        return runs;
    }

    @Test
    void longPathsAreThinnedToAtMostTheLimitKeepingBothEnds() {
        int[] all = ToyFigures.thinned(7);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, all);
        assertEquals(ToyFigures.MAX_POINTS_PER_PATH, ToyFigures.thinned(ToyFigures.MAX_POINTS_PER_PATH).length);
        for (int length : new int[] {ToyFigures.MAX_POINTS_PER_PATH + 1, 3999, 4000, 10001, 100_000}) {
            int[] k = ToyFigures.thinned(length);
            assertTrue(
                    k.length <= ToyFigures.MAX_POINTS_PER_PATH && k.length > ToyFigures.MAX_POINTS_PER_PATH / 3,
                    length + " -> " + k.length);
            assertEquals(0, k[0]);
            assertEquals(length - 1, k[k.length - 1]);
            int stride = k[1] - k[0];
            for (int i = 1; i < k.length; i++) {
                assertTrue(k[i] > k[i - 1] && k[i] - k[i - 1] <= stride, length + ": gap at " + i);
            }
        }
        // A 10 001-point path still ends where it should at t = 0 and t = T.
        double[] t = times(10_001);
        Map<String, double[][]> paths = Map.of("long", new double[][] {line(t, 1, -0.1)});
        assertEquals(1, ToyFigures.renderTrajectories(t, paths, 1).dataAreas().size());
    }

    @Test
    void trajectoriesRejectBadInputNamingTheEntryAndIndex() throws IOException {
        Path png = dir.resolve("bad.png");
        double[] t = {0, 5, 10};
        double[][] ok = {{1, 0.5, 0}};
        assertRejected("paths is empty", () -> ToyFigures.trajectories(png, t, Map.of(), 5));
        assertRejected(
                "'SMDP-ODE' has no paths",
                () -> ToyFigures.trajectories(png, t, Map.of("SMDP-ODE", new double[0][]), 5));
        assertRejected(
                "'SMDP-SDE' path 1 has 2 values but there are 3 times",
                () -> ToyFigures.trajectories(png, t, Map.of("SMDP-SDE", new double[][] {{1, 0.5, 0}, {1, 0}}), 5));
        assertRejected(
                "'SMDP-SDE' path 0 has no values (null)",
                () -> ToyFigures.trajectories(png, t, Map.of("SMDP-SDE", new double[][] {null}), 5));
        assertRejected(
                "'SMDP-SDE' path 1 has the non-finite value NaN at time index 2 (t = 10.0)",
                () -> ToyFigures.trajectories(
                        png, t, Map.of("SMDP-SDE", new double[][] {{1, 0.5, 0}, {1, 0.5, Double.NaN}}), 5));
        assertRejected(
                "non-finite value Infinity at time index 0",
                () -> ToyFigures.trajectories(
                        png, t, Map.of("x", new double[][] {{Double.POSITIVE_INFINITY, 0, 0}}), 5));
        assertRejected(
                "times[1] = 0.0 follows times[0] = 0.0",
                () -> ToyFigures.trajectories(png, new double[] {0, 0, 1}, Map.of("x", ok), 5));
        assertRejected(
                "times[2] is not finite: NaN",
                () -> ToyFigures.trajectories(png, new double[] {0, 1, Double.NaN}, Map.of("x", ok), 5));
        assertRejected(
                "times has 1 value(s)",
                () -> ToyFigures.trajectories(png, new double[] {0}, Map.of("x", new double[][] {{1}}), 5));
        assertRejected("maxPaths must be at least 1, got 0", () -> ToyFigures.trajectories(png, t, Map.of("x", ok), 0));
        Map<String, double[][]> nullName = new HashMap<>();
        nullName.put(null, ok);
        assertRejected("null name", () -> ToyFigures.trajectories(png, t, nullName, 5));
        assertOnlyFiles();
    }

    // ------------------------------------------------------------------ end-state histograms

    @Test
    void histogramsHaveOnePanelPerMethodWithBarsColouredByWhereTheyLie() throws IOException {
        double[] up = new double[200];
        double[] down = new double[200];
        for (int i = 0; i < 200; i++) {
            up[i] = 1 + 0.08 * (i - 100) / 100.0;
            down[i] = -1 + 0.08 * (i - 100) / 100.0;
        }
        Map<String, double[]> ends = new LinkedHashMap<>();
        ends.put("to +1", up);
        ends.put("to -1", down);
        double[] data = {-1, 1, -1, 1};
        Path png = dir.resolve("hist.png");
        ToyFigures.endStateHistograms(png, ends, data, 63);
        BufferedImage image = read(png);
        assertEquals(2 * ToyFigures.HISTOGRAM_PANEL_WIDTH, image.getWidth());
        assertEquals(ToyFigures.HISTOGRAM_PANEL_HEIGHT + Charts.LEGEND_HEIGHT, image.getHeight());
        assertOnlyFiles("hist.png");
        List<Rectangle2D> areas = ToyHistograms.render(ends, data, 63).dataAreas();

        Rectangle2D a = areas.get(0);
        Rectangle2D left = new Rectangle2D.Double(a.getMinX(), a.getMinY(), xPixel(a, 0) - a.getMinX(), a.getHeight());
        Rectangle2D right =
                new Rectangle2D.Double(xPixel(a, 0), a.getMinY(), a.getMaxX() - xPixel(a, 0), a.getHeight());
        assertTrue(countAll(image, right, ToyFiguresTest::reddish) > 100, "red bars right of 0");
        assertEquals(0, countAll(image, left, ToyFiguresTest::reddish), "red bars left of 0");
        assertEquals(0, countAll(image, a, ToyFiguresTest::bluish), "blue bars in the +1 panel");
        // The data's outline is drawn at -1 as well, where this method has no states.
        assertTrue(countAll(image, left, ToyFiguresTest::dark) > 20, "data outline at -1");

        Rectangle2D b = areas.get(1);
        Rectangle2D bLeft = new Rectangle2D.Double(b.getMinX(), b.getMinY(), xPixel(b, 0) - b.getMinX(), b.getHeight());
        assertTrue(countAll(image, bLeft, ToyFiguresTest::bluish) > 100, "blue bars left of 0");
        assertEquals(0, countAll(image, b, ToyFiguresTest::reddish), "red bars in the -1 panel");
    }

    @Test
    void barsAreDensitiesOnTheSameScaleAsTheDataOutline() throws IOException {
        // 63 bins: -1 and +1 are bin centres. All states at +1: density 1 / w = 21, twice the data's 10.5.
        Map<String, double[]> ends = Map.of("all at +1", constant(10, 1));
        double[] data = {-1, 1};
        Path png = dir.resolve("density.png");
        ToyFigures.endStateHistograms(png, ends, data, 63);
        BufferedImage image = read(png);
        Rectangle2D area = ToyHistograms.render(ends, data, 63).dataAreas().get(0);

        int barTop = firstFromTop(image, area, xPixel(area, 1), ToyFiguresTest::reddish);
        int dataTop = firstFromTop(image, area, xPixel(area, -1), ToyFiguresTest::dark);
        double bar = area.getMaxY() - barTop;
        double outline = area.getMaxY() - dataTop;
        assertEquals(2 * outline, bar, 5, "bar height " + bar + " vs data outline " + outline);
        assertTrue(bar > 0.8 * area.getHeight(), "the tallest bar nearly fills the plot: " + bar);

        double w = 2 * ToyFigures.X_LIMIT / 63;
        double[] d = ToyHistograms.density(new double[] {1, -1, 0.2, 2.0}, 63);
        assertEquals(3.0 / 4, Arrays.stream(d).sum() * w, 1e-12, "a state outside the axis still counts in n");
        assertEquals(1 / (4 * w), d[52], 1e-9, "+1 is the centre of bin 52");
        assertEquals(1 / (4 * w), d[10], 1e-9, "-1 is the centre of bin 10");
        assertEquals(1.0, ToyHistograms.density(new double[] {1.5}, 63)[62] * w, 1e-12, "the last bin is closed");
    }

    private static int firstFromTop(BufferedImage image, Rectangle2D area, double x, Predicate<int[]> test) {
        int column = (int) Math.round(x);
        for (int y = (int) Math.ceil(area.getMinY()) + 1; y < area.getMaxY() - 1; y++) {
            if (test.test(rgb(image, column, y))) {
                return y;
            }
        }
        throw new AssertionError("nothing found in column " + column);
    }

    @Test
    void histogramsRejectBadInputNamingTheEntryAndIndex() throws IOException {
        Path png = dir.resolve("bad.png");
        double[] data = {-1, 1};
        Map<String, double[]> ok = Map.of("m", new double[] {1});
        assertRejected("endStates is empty", () -> ToyFigures.endStateHistograms(png, Map.of(), data, 30));
        assertRejected(
                "'SMDP-ODE' has no end states",
                () -> ToyFigures.endStateHistograms(png, Map.of("SMDP-ODE", new double[0]), data, 30));
        assertRejected(
                "'SMDP-SDE' end state 2 is not finite: NaN",
                () -> ToyFigures.endStateHistograms(
                        png, Map.of("SMDP-SDE", new double[] {1, -1, Double.NaN}), data, 30));
        assertRejected(
                "data initial state 1 is not finite: -Infinity",
                () -> ToyFigures.endStateHistograms(png, ok, new double[] {1, Double.NEGATIVE_INFINITY}, 30));
        assertRejected("dataInitialStates is empty", () -> ToyFigures.endStateHistograms(png, ok, new double[0], 30));
        assertRejected("bins must be between 1 and 1000, got 0", () -> ToyFigures.endStateHistograms(png, ok, data, 0));
        assertRejected("got 1001", () -> ToyFigures.endStateHistograms(png, ok, data, 1001));
        assertOnlyFiles();
    }

    // ------------------------------------------------------------------ writing

    @Test
    void badInputLeavesAnExistingFigureUntouchedAndGoodInputReplacesIt() throws IOException {
        double[] t = times(11);
        Path png = dir.resolve("fig.png");
        ToyFigures.trajectories(png, t, threeMethods(t), 5);
        byte[] before = Files.readAllBytes(png);
        assertEquals(3 * ToyFigures.TRAJECTORY_PANEL_WIDTH, read(png).getWidth());
        assertThrows(
                IllegalArgumentException.class,
                () -> ToyFigures.trajectories(png, t, Map.of("a", new double[][] {constant(11, Double.NaN)}), 5));
        assertArrayEquals(before, Files.readAllBytes(png));

        ToyFigures.endStateHistograms(png, Map.of("a", new double[] {1, -1}), new double[] {1, -1}, 30);
        assertNotEquals(Arrays.hashCode(before), Arrays.hashCode(Files.readAllBytes(png)));
        assertEquals(ToyFigures.HISTOGRAM_PANEL_WIDTH, read(png).getWidth(), "one histogram panel now");
        assertOnlyFiles("fig.png");
    }

    @Test
    void aFailedRenameLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        // The target is a non-empty directory: the PNG is written to the temporary file, then the
        // rename over the target fails.
        Path target = Files.createDirectory(dir.resolve("fig.png"));
        Files.writeString(target.resolve("keep.txt"), "keep");
        double[] t = times(11);
        UncheckedIOException e = assertThrows(
                UncheckedIOException.class,
                () -> ToyFigures.trajectories(target, t, Map.of("a", new double[][] {line(t, 1, 0)}), 5));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
        assertOnlyFiles("fig.png");
    }

    @Test
    void anUnwritableDirectoryLeavesAnExistingFigureUntouched() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path png = sub.resolve("fig.png");
        Map<String, double[]> ends = Map.of("a", new double[] {1, -1});
        ToyFigures.endStateHistograms(png, ends, new double[] {1, -1}, 30);
        byte[] before = Files.readAllBytes(png);
        assumeTrue(Files.getFileStore(sub).supportsFileAttributeView("posix"));
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // Root ignores directory permissions; then there is nothing to test here.
            boolean enforced;
            try {
                Files.delete(Files.createFile(sub.resolve("probe")));
                enforced = false;
            } catch (IOException expected) {
                enforced = true;
            }
            assumeTrue(enforced, "directory permissions are not enforced for this user");
            assertThrows(
                    UncheckedIOException.class,
                    () -> ToyFigures.endStateHistograms(png, ends, new double[] {1, 1, 1}, 45));
            assertArrayEquals(before, Files.readAllBytes(png));
            try (Stream<Path> files = Files.list(sub)) {
                assertEquals(
                        List.of("fig.png"),
                        files.map(p -> p.getFileName().toString()).toList());
            }
        } finally {
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** More than four panels go into a grid: nine histograms are three rows of three. */
    @Test
    void ninePanelsFormAThreeByThreeGrid() {
        java.util.Map<String, double[]> ends = new java.util.LinkedHashMap<>();
        for (int k = 0; k < 9; k++) {
            ends.put("row " + k, new double[] {-1, -0.99, 1, 0.98, 0.5});
        }
        Charts.Rendered r = ToyHistograms.render(ends, new double[] {-1, 1}, 63);
        assertEquals(3 * ToyFigures.HISTOGRAM_PANEL_WIDTH, r.image().getWidth());
        assertTrue(
                r.image().getHeight() >= 3 * ToyFigures.HISTOGRAM_PANEL_HEIGHT + Charts.LEGEND_HEIGHT,
                "three rows and the legend: " + r.image().getHeight());
        assertEquals(9, r.dataAreas().size());
        assertTrue(
                r.dataAreas().get(4).getMinY() > ToyFigures.HISTOGRAM_PANEL_HEIGHT
                        && r.dataAreas().get(4).getMaxY() < 2 * ToyFigures.HISTOGRAM_PANEL_HEIGHT,
                "panel 4 in the second row");
        assertTrue(
                r.dataAreas().get(4).getMinX() > ToyFigures.HISTOGRAM_PANEL_WIDTH
                        && r.dataAreas().get(4).getMaxX() < 2 * ToyFigures.HISTOGRAM_PANEL_WIDTH,
                "panel 4 in the second column");
        assertEquals(2, Charts.columns(2));
        assertEquals(4, Charts.columns(4));
        assertEquals(3, Charts.columns(5));
    }
}
