package dev.smdp4j.report;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Font;
import java.awt.font.TextAttribute;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.AttributedCharacterIterator;
import java.text.CharacterIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Figures}: the PNGs exist with the layout's size, colours follow the sign and the per-row
 * scale, the ground truth is red and sits where its values say, bad input is rejected, and no
 * temporary file is left behind.
 */
class FiguresTest {
    private static final int N = 8;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    private static double[][] constant(int n, double value) {
        double[][] field = new double[n][n];
        for (double[] row : field) {
            Arrays.fill(row, value);
        }
        return field;
    }

    private static BufferedImage read(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), "missing " + png);
        assertTrue(Files.size(png) > 0, "empty " + png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image: " + png);
        return image;
    }

    /** The only entries of the directory must be the expected files: no temporary debris. */
    private void assertOnlyFiles(String... names) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> present =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(Arrays.stream(names).sorted().toList(), present);
        }
    }

    private static int cellLeft(int col) {
        return FieldGrid.MARGIN + FieldGrid.ROW_LABEL_WIDTH + col * (FieldGrid.CELL + FieldGrid.CELL_GAP);
    }

    private static int cellTop(int row) {
        return FieldGrid.MARGIN + FieldGrid.TITLE_HEIGHT + row * (FieldGrid.CELL + FieldGrid.CELL_GAP);
    }

    /** {r, g, b} of the pixel at the centre of cell (row, col). */
    private static int[] cellCentre(BufferedImage image, int row, int col) {
        return rgb(image, cellLeft(col) + FieldGrid.CELL / 2, cellTop(row) + FieldGrid.CELL / 2);
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int p = image.getRGB(x, y);
        return new int[] {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
    }

    private static boolean reddish(int[] c) {
        return c[0] > c[1] + 60 && c[0] > c[2] + 60;
    }

    private static boolean bluish(int[] c) {
        return c[2] > c[0] + 60 && c[2] > c[1] + 20;
    }

    private static boolean whitish(int[] c) {
        return c[0] > 240 && c[1] > 240 && c[2] > 240;
    }

    /** A three-column, one-row grid with the given fields and no explicit ranges. */
    private void grid(Path png, double[][]... row) {
        List<String> cols = Arrays.stream(row).map(f -> "col").toList();
        Figures.fieldGrid(png, List.of("obs"), cols, new double[][][][] {row}, null);
    }

    // ------------------------------------------------------------------ field grid (Figure 2)

    @Test
    void fieldGridHasTheLayoutSizeAndLeavesNoTemporaryFile() throws IOException {
        List<String> cols = List.of("true x0", "observation y", "SMDP-ODE", "posterior std");
        List<String> rows = List.of("test 0", "test 1");
        double[][][][] fields = new double[2][4][][];
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 4; c++) {
                fields[r][c] = constant(N + c, 0.1 * (c + 1)); // sizes may differ per field
            }
        }
        Path png = dir.resolve("fig2.png");
        Figures.fieldGrid(png, rows, cols, fields, null);

        BufferedImage image = read(png);
        // Value scale and std scale: two colour-bar slots.
        int width = 2 * FieldGrid.MARGIN
                + FieldGrid.ROW_LABEL_WIDTH
                + 4 * FieldGrid.CELL
                + 3 * FieldGrid.CELL_GAP
                + 2 * FieldGrid.COLOR_BAR_SLOT;
        int height = 2 * FieldGrid.MARGIN + FieldGrid.TITLE_HEIGHT + 2 * FieldGrid.CELL + FieldGrid.CELL_GAP;
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        assertEquals(FieldGrid.size(2, cols).width, width);
        assertOnlyFiles("fig2.png");
    }

    @Test
    void withoutStdColumnsThereIsOneColourBarSlot() throws IOException {
        Path png = dir.resolve("one.png");
        grid(png, constant(N, 1), constant(N, -1));
        BufferedImage image = read(png);
        assertEquals(
                2 * FieldGrid.MARGIN
                        + FieldGrid.ROW_LABEL_WIDTH
                        + 2 * FieldGrid.CELL
                        + FieldGrid.CELL_GAP
                        + FieldGrid.COLOR_BAR_SLOT,
                image.getWidth());
        assertEquals(2 * FieldGrid.MARGIN + FieldGrid.TITLE_HEIGHT + FieldGrid.CELL, image.getHeight());
    }

    @Test
    void positiveIsRedNegativeIsBlueZeroIsWhiteAndNullIsBlank() throws IOException {
        Path png = dir.resolve("signs.png");
        grid(png, constant(N, 2.5), constant(N, -2.5), constant(N, 0), null);
        BufferedImage image = read(png);
        int[] positive = cellCentre(image, 0, 0);
        int[] negative = cellCentre(image, 0, 1);
        assertTrue(reddish(positive), "positive cell " + Arrays.toString(positive));
        assertTrue(bluish(negative), "negative cell " + Arrays.toString(negative));
        assertTrue(whitish(cellCentre(image, 0, 2)), "zero cell " + Arrays.toString(cellCentre(image, 0, 2)));
        assertTrue(whitish(cellCentre(image, 0, 3)), "null cell must stay blank");
        // The extreme of the row's symmetric scale is the saturated end of the map.
        assertEquals(FieldGrid.divergingRgb(1), image.getRGB(cellLeft(0) + 5, cellTop(0) + 5) & 0xffffff);
        assertEquals(FieldGrid.divergingRgb(-1), image.getRGB(cellLeft(1) + 5, cellTop(0) + 5) & 0xffffff);
    }

    @Test
    void eachRowHasItsOwnScaleAndExplicitRangesAreUsed() throws IOException {
        Path png = dir.resolve("scales.png");
        double[][][][] fields = {
            {constant(N, 1), constant(N, -1)},
            {constant(N, 1), constant(N, -1)},
        };
        // Row 0: scale max(|-1|, |4|) = 4, so +1 is a pale red. Row 1: 1 is the extreme.
        double[][] ranges = {{-1, 4}, {-1, 1}};
        Figures.fieldGrid(png, List.of("a", "b"), List.of("x", "y"), fields, ranges);
        BufferedImage image = read(png);
        int[] pale = cellCentre(image, 0, 0);
        int[] full = cellCentre(image, 1, 0);
        assertTrue(reddish(full), Arrays.toString(full));
        assertEquals(FieldGrid.divergingRgb(0.25), image.getRGB(cellLeft(0) + 50, cellTop(0) + 50) & 0xffffff);
        assertTrue(
                pale[1] > full[1] + 60,
                "a quarter of the scale must be much lighter: " + Arrays.toString(pale) + " vs "
                        + Arrays.toString(full));
        assertTrue(bluish(cellCentre(image, 1, 1)), Arrays.toString(cellCentre(image, 1, 1)));
        int[] paleBlue = cellCentre(image, 0, 1);
        assertEquals(FieldGrid.divergingRgb(-0.25), image.getRGB(cellLeft(1) + 50, cellTop(0) + 50) & 0xffffff);
        assertTrue(paleBlue[2] > paleBlue[0] + 20 && !whitish(paleBlue), Arrays.toString(paleBlue));
    }

    @Test
    void stdColumnsUseTheirOwnSequentialScaleAndDoNotWidenTheValueScale() throws IOException {
        Path png = dir.resolve("std.png");
        double[][] halfStd = constant(N, 5);
        halfStd[0][0] = 10; // std scale 0..10, so 5 is the middle of the sequential map
        Figures.fieldGrid(
                png,
                List.of("obs"),
                List.of("mean", "posterior std"),
                new double[][][][] {{constant(N, 1), halfStd}},
                null);
        BufferedImage image = read(png);
        // The std values (up to 10) must not enter the value scale: 1 is still the saturated red.
        assertEquals(FieldGrid.divergingRgb(1), image.getRGB(cellLeft(0) + 60, cellTop(0) + 60) & 0xffffff);
        assertEquals(FieldGrid.sequentialRgb(0.5), image.getRGB(cellLeft(1) + 60, cellTop(0) + 60) & 0xffffff);
        int[] std = cellCentre(image, 0, 1);
        assertTrue(!whitish(std) && !reddish(std), "std cell " + Arrays.toString(std));
    }

    @Test
    void arrayRowsAreDrawnTopToBottomAndColumnsLeftToRight() throws IOException {
        double[][] field = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                field[i][j] = i < N / 2 ? (j < N / 2 ? 1 : 0) : -1;
            }
        }
        Path png = dir.resolve("orientation.png");
        grid(png, field);
        BufferedImage image = read(png);
        int quarter = FieldGrid.CELL / 4;
        assertTrue(reddish(rgb(image, cellLeft(0) + quarter, cellTop(0) + quarter)), "top left");
        assertTrue(whitish(rgb(image, cellLeft(0) + 3 * quarter, cellTop(0) + quarter)), "top right");
        assertTrue(bluish(rgb(image, cellLeft(0) + quarter, cellTop(0) + 3 * quarter)), "bottom left");
    }

    @Test
    void overwritesAnExistingFileAndCreatesParentDirectories() throws IOException {
        Path png = dir.resolve("a/b/fig.png");
        grid(png, constant(N, 1));
        assertEquals(FieldGrid.size(1, List.of("col")).width, read(png).getWidth());
        grid(png, constant(N, 1), constant(N, -1), constant(N, 0));
        // The second figure, two columns wider, replaced the first.
        assertEquals(
                FieldGrid.size(1, List.of("col")).width + 2 * (FieldGrid.CELL + FieldGrid.CELL_GAP),
                read(png).getWidth());
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(
                    List.of("fig.png"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theFigureGetsTheUsualPermissionsOfANewFileNotOwnerOnly() throws IOException {
        Path reference = Files.writeString(dir.resolve("reference.txt"), "x");
        assumeTrue(Files.getFileStore(reference).supportsFileAttributeView("posix"));
        Path png = dir.resolve("fig.png");
        grid(png, constant(N, 1));
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(png));
    }

    @Test
    void fieldGridRejectsInconsistentInput() throws IOException {
        Path png = dir.resolve("bad.png");
        List<String> one = List.of("r0");
        List<String> two = List.of("c0", "c1");
        double[][] ok = constant(N, 0);

        assertRejected(
                "2 row labels",
                () -> Figures.fieldGrid(png, List.of("r0", "r1"), two, new double[][][][] {{ok, ok}}, null));
        assertRejected("3 fields", () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, ok, ok}}, null));
        assertRejected(
                "row 0 ('r0'), column 1 ('c1') is not square",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, new double[N][N - 1]}}, null));
        assertRejected(
                "at least 2 x 2",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, new double[1][1]}}, null));
        double[][] nan = constant(N, 0);
        nan[3][5] = Double.NaN;
        assertRejected(
                "column 1 ('c1') has the non-finite value NaN at [3][5]",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, nan}}, null));
        double[][] inf = constant(N, 0);
        inf[0][0] = Double.NEGATIVE_INFINITY;
        assertRejected(
                "column 0 ('c0') has the non-finite value -Infinity",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{inf, ok}}, null));
        assertRejected(
                "rowRanges has 2 entries",
                () -> Figures.fieldGrid(
                        png, one, two, new double[][][][] {{ok, ok}}, new double[][] {{-1, 1}, {-1, 1}}));
        assertRejected(
                "lo <= hi",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, ok}}, new double[][] {{1, -1}}));
        assertRejected(
                "{lo, hi}",
                () -> Figures.fieldGrid(png, one, two, new double[][][][] {{ok, ok}}, new double[][] {{1}}));
        assertRejected("at least one row", () -> Figures.fieldGrid(png, List.of(), two, new double[0][][][], null));
        assertOnlyFiles();
    }

    private static void assertRejected(String expectedInMessage, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should contain '" + expectedInMessage + "'");
    }

    // ------------------------------------------------------------------ radial spectra (Figure 3)

    private static double[] radii(int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = i; // ring 0 included, as the metric computes it: it cannot be shown on a log axis
        }
        return r;
    }

    private static boolean isGroundTruthRed(int[] c) {
        return c[0] > 180 && c[1] < 70 && c[2] < 70;
    }

    private static boolean isFirstPaletteBlue(int[] c) {
        return c[2] > 150 && c[0] < 80 && c[1] > 90 && c[1] < 150;
    }

    @Test
    void groundTruthIsRedAndBelowAHigherCurve() throws IOException {
        int n = 17;
        double[] truth = new double[n];
        double[] method = new double[n];
        Arrays.fill(truth, 3); // axis 10^0..10^3: drawn at 16% of the height
        Arrays.fill(method, 300); // drawn at 83% of the height, i.e. higher up
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("SMDP-ODE", method);
        curves.put("ground truth", truth);
        Path png = dir.resolve("fig3.png");
        Figures.radialSpectra(png, radii(n), curves, "ground truth", "Radial spectra");

        BufferedImage image = read(png);
        assertEquals(Figures.SPECTRA_WIDTH, image.getWidth());
        assertEquals(Figures.SPECTRA_HEIGHT, image.getHeight());
        Charts.Rendered rendered = Figures.renderSpectra(radii(n), curves, "ground truth", "Radial spectra");
        assertEquals(List.of(), pixelDifferences(rendered.image(), image), "the file holds the rendered image");
        Rectangle2D area = rendered.dataAreas().get(0);
        long redCount = 0;
        long redY = 0;
        long blueCount = 0;
        long blueY = 0;
        for (int y = (int) area.getMinY() + 2; y < (int) area.getMaxY() - 1; y++) {
            for (int x = (int) area.getMinX() + 2; x < (int) area.getMaxX() - 1; x++) {
                int[] c = rgb(image, x, y);
                if (isGroundTruthRed(c)) {
                    redCount++;
                    redY += y;
                } else if (isFirstPaletteBlue(c)) {
                    blueCount++;
                    blueY += y;
                }
            }
        }
        int plotWidth = (int) area.getWidth();
        assertTrue(redCount > plotWidth / 4, "too few red ground-truth pixels: " + redCount);
        assertTrue(blueCount > plotWidth / 4, "too few pixels of the method's colour: " + blueCount);
        assertTrue(
                redY / redCount > blueY / blueCount + 50,
                "the smaller ground truth must be drawn lower: " + redY / redCount + " vs " + blueY / blueCount);
        // Both axes span their values' decades widened by 4% each side: 3..300 is 2 decades, so 3
        // sits 0.08 / 2.16 of the height above the bottom and 300 as far below the top.
        double offset = 0.08 / 2.16 * area.getHeight();
        assertEquals(area.getMaxY() - offset, (double) redY / redCount, 3, "ground truth at 3");
        assertEquals(area.getMinY() + offset, (double) blueY / blueCount, 3, "method at 300");
        assertOnlyFiles("fig3.png");
    }

    private static List<String> pixelDifferences(BufferedImage a, BufferedImage b) {
        List<String> differences = new ArrayList<>();
        for (int y = 0; y < a.getHeight() && differences.size() < 5; y++) {
            for (int x = 0; x < a.getWidth() && differences.size() < 5; x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    differences.add(x + "," + y);
                }
            }
        }
        return differences;
    }

    /** The tick labels of an axis over [min, max], in order, with "10^e" for a power of ten; blanks left out. */
    private static List<String> tickLabels(double min, double max) {
        DecadeAxis axis = new DecadeAxis("x", min, max, new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        List<String> labels = new ArrayList<>();
        for (Object tick :
                axis.refreshTicks(null, null, new Rectangle2D.Double(0, 0, 600, 400), RectangleEdge.BOTTOM)) {
            AttributedCharacterIterator it =
                    ((LogTick) tick).getAttributedLabel().getIterator();
            StringBuilder text = new StringBuilder();
            for (char c = it.first(); c != CharacterIterator.DONE; c = it.next()) {
                boolean superscript = it.getAttribute(TextAttribute.SUPERSCRIPT) != null;
                text.append(superscript && text.indexOf("^") < 0 ? "^" : "").append(c);
            }
            if (!text.toString().isBlank()) {
                labels.add(text.toString());
            }
        }
        return labels;
    }

    @Test
    void logAxesLabelPowersOfTenAndANarrowAxisAlsoItsMinorTicks() {
        // 1 .. 1e-3: four decades, labelled as powers of ten only.
        assertEquals(List.of("10^-3", "10^-2", "10^-1", "10^0"), tickLabels(1e-3, 1));
        // Wavenumbers 1 .. 22: under two decades, so 2 and 5 times a power of ten are labelled too.
        assertEquals(List.of("10^0", "2", "5", "10^1", "20"), tickLabels(1, 22));
        // Under 0.7 decades every minor tick is labelled.
        assertEquals(List.of("2", "3", "4", "5"), tickLabels(2, 5));
        // Thirty decades, 33 with the padding: every fourth power of ten is labelled.
        assertEquals(
                List.of("10^-16", "10^-12", "10^-8", "10^-4", "10^0", "10^4", "10^8", "10^12", "10^16"),
                tickLabels(1e-15, 1e15));
        // No power of ten and no multiple of one inside: the ends are labelled.
        assertEquals(List.of("3.14", "3.36"), tickLabels(3.15, 3.35));
    }

    @Test
    void nonPositiveValuesAreSkippedNotFatal() throws IOException {
        int n = 9;
        double[] truth = {5, 4, 3, 0, 2, 1, 0.5, -1, 0.1};
        double[] allZero = new double[n];
        double[] lonely = {0, 0, 0, 0, 1e-3, 0, 0, 0, 0};
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("truth", truth);
        curves.put("collapsed", allZero);
        curves.put("single point", lonely);
        Path png = dir.resolve("skips.png");
        assertDoesNotThrow(() -> Figures.radialSpectra(png, radii(n), curves, "truth"));
        BufferedImage image = read(png);
        assertEquals(Figures.SPECTRA_WIDTH, image.getWidth());

        // Nothing positive at all: still a figure (empty axes), not a crash.
        LinkedHashMap<String, double[]> nothing = new LinkedHashMap<>();
        nothing.put("truth", new double[n]);
        Path empty = dir.resolve("empty.png");
        assertDoesNotThrow(() -> Figures.radialSpectra(empty, radii(n), nothing, "truth"));
        assertEquals(Figures.SPECTRA_HEIGHT, read(empty).getHeight());
        assertOnlyFiles("empty.png", "skips.png");
    }

    @Test
    void manyCurvesGetDashedStylesWithoutFailing() throws IOException {
        int n = 12;
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        for (int k = 0; k < 25; k++) {
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = Math.pow(10, -k * 0.3) / (1 + i * i);
            }
            curves.put(k == 0 ? "truth" : "method " + k, values);
        }
        Path png = dir.resolve("many.png");
        Figures.radialSpectra(png, radii(n), curves, "truth");
        assertEquals(Figures.SPECTRA_WIDTH, read(png).getWidth());
    }

    @Test
    void radialSpectraRejectsInconsistentInput() throws IOException {
        Path png = dir.resolve("bad.png");
        double[] r = radii(4);
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("truth", new double[] {1, 2, 3, 4});
        curves.put("short", new double[] {1, 2, 3});
        assertRejected(
                "curve 'short' has 3 values but there are 4 radii",
                () -> Figures.radialSpectra(png, r, curves, "truth"));

        curves.remove("short");
        assertRejected("ground truth curve 'missing'", () -> Figures.radialSpectra(png, r, curves, "missing"));

        curves.put("nan", new double[] {1, Double.NaN, 3, 4});
        assertRejected(
                "curve 'nan' has the non-finite value NaN at radius index 1",
                () -> Figures.radialSpectra(png, r, curves, "truth"));
        assertOnlyFiles();
    }

    // ------------------------------------------------------------------ shared

    @Test
    void anUnwritableTargetIsAnUncheckedIoExceptionNamingTheFile() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path png = notADirectory.resolve("fig.png");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> grid(png, constant(N, 1)));
        assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
        assertOnlyFiles("plain-file");
    }

    @Test
    void aFailedFigureLeavesAnExistingFileUntouchedAndNoTemporaryFile() throws IOException {
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("truth", new double[] {1, 2, 3, 4});
        Path png = dir.resolve("fig3.png");
        Figures.radialSpectra(png, radii(4), curves, "truth");
        byte[] before = Files.readAllBytes(png);
        curves.put("nan", new double[] {1, Double.NaN, 3, 4});
        assertThrows(IllegalArgumentException.class, () -> Figures.radialSpectra(png, radii(4), curves, "truth"));
        assertTrue(Arrays.equals(before, Files.readAllBytes(png)), "bad input must not touch the figure");

        // The target is a non-empty directory: the PNG is written to a temporary file, then the
        // rename over the target fails and the temporary file is removed.
        Path target = Files.createDirectory(dir.resolve("fig2.png"));
        Files.writeString(target.resolve("keep.txt"), "keep");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> grid(target, constant(N, 1)));
        assertTrue(e.getMessage().startsWith("cannot write figure " + target), e.getMessage());
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
        assertOnlyFiles("fig2.png", "fig3.png");
    }

    @Test
    void colourBarValuesHaveThreeSignificantDigits() {
        assertEquals("0", Charts.formatValue(0));
        assertEquals("1.23", Charts.formatValue(1.23456));
        assertEquals("-2", Charts.formatValue(-2));
        assertEquals("0.05", Charts.formatValue(0.05));
        assertEquals("1000", Charts.formatValue(999.7));
        assertEquals("1.23e-5", Charts.formatValue(1.2345e-5));
        assertEquals("-4e6", Charts.formatValue(-4e6));
    }
}
