package dev.smdp4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;

/**
 * The two result figures of the heat-diffusion benchmark, rendered to PNG with {@code java.awt}
 * and {@code javax.imageio} only (headless; no plotting library).
 *
 * <ul>
 *   <li>{@link #fieldGrid} corresponds to the paper's Figure 2: a grid of fields with one row per
 *       test observation and one column per quantity (for instance "true x0", "observation y",
 *       "SMDP-ODE", "SDE sample 1..3", "posterior mean", "posterior std"). Every row has its own
 *       symmetric blue-white-red colour scale, shown by a colour bar at the right; columns whose
 *       label contains {@code "std"} use a sequential white-to-dark scale starting at 0, with a
 *       second colour bar.</li>
 *   <li>{@link #radialSpectra} corresponds to the paper's Figure 3: the radial spectrum (mean
 *       {@code |Re FFT|} per ring, computed elsewhere, see {@code dev.smdp4j.eval.RadialSpectrum})
 *       of the ground truth and of each method, on log-log axes, the ground truth thick and red.</li>
 * </ul>
 *
 * <p>Both methods validate their inputs ({@link IllegalArgumentException} with a message naming the
 * offending row, column or curve), create missing parent directories, and write atomically: the
 * image goes to a temporary file in the target's directory which is then renamed over the target,
 * so a reader never sees a partial PNG. I/O failures surface as {@link UncheckedIOException}
 * naming the file.
 */
public final class Figures {
    static {
        // Rendering never needs a display; setting this before AWT starts avoids touching X11.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    // ---- Figure 2 (field grid) layout, in pixels; package-private so tests can derive sizes. ----
    /** Outer white margin on every side. */
    static final int MARGIN = 12;
    /** Width and height of one field cell. */
    static final int CELL = 112;
    /** Space between neighbouring cells, horizontally and vertically. */
    static final int CELL_GAP = 8;
    /** Width of the row-label column on the left. */
    static final int ROW_LABEL_WIDTH = 140;
    /** Height of the column-title band on top. */
    static final int TITLE_HEIGHT = 30;
    /** Width of one colour-bar slot at the right: gap, bar, ticks and labels. */
    static final int COLOR_BAR_SLOT = 84;
    /** Gap between the last cell (or previous bar) and a colour bar. */
    static final int COLOR_BAR_GAP = 12;
    /** Width of the colour bar itself. */
    static final int COLOR_BAR_WIDTH = 14;

    // ---- Figure 3 (radial spectra) layout, in pixels. ----
    /** Width of the spectra figure. */
    static final int SPECTRA_WIDTH = 1000;
    /** Height of the spectra figure. */
    static final int SPECTRA_HEIGHT = 600;
    /** Left edge of the plot area. */
    static final int PLOT_LEFT = 90;
    /** Right edge of the plot area; the legend lives to its right. */
    static final int PLOT_RIGHT = 690;
    /** Top edge of the plot area. */
    static final int PLOT_TOP = 50;
    /** Bottom edge of the plot area. */
    static final int PLOT_BOTTOM = 520;

    /** Colour of the ground-truth curve. */
    static final Color GROUND_TRUTH_COLOR = new Color(220, 20, 20);
    /** Ten distinguishable non-red colours (Tableau 10 with red replaced by black), in legend order. */
    static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207),
        new Color(0, 0, 0),
    };
    /** Dash patterns used once the palette is exhausted: solid, dashed, dotted, dash-dot. */
    private static final float[][] DASHES = {null, {9f, 5f}, {2f, 4f}, {9f, 4f, 2f, 4f}};
    private static final float GROUND_TRUTH_STROKE = 3.5f;
    private static final float CURVE_STROKE = 2f;

    /** Blue-white-red stops at t = -1, -0.5, 0, 0.5, 1 (ColorBrewer RdBu ends, pure white centre). */
    private static final int[][] DIVERGING = {
        {33, 102, 172}, {146, 197, 222}, {255, 255, 255}, {244, 165, 130}, {178, 24, 43},
    };
    /** White-to-dark-purple stops at t = 0, 0.5, 1 (ColorBrewer Purples). */
    private static final int[][] SEQUENTIAL = {{255, 255, 255}, {158, 154, 200}, {63, 0, 125}};

    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font EXPONENT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 9);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Color FRAME = new Color(60, 60, 60);
    private static final Color CELL_BORDER = new Color(190, 190, 190);
    private static final Color GRID = new Color(228, 228, 228);

    private Figures() {
    }

    // =====================================================================================
    // Figure 2: grid of fields
    // =====================================================================================

    /**
     * Renders a grid of square fields (the paper's Figure 2) to {@code png}.
     *
     * <p>Row {@code r}, column {@code c} shows {@code fields[r][c]}, an {@code N x N} array
     * ({@code N >= 2}; fields may differ in size) drawn nearest-neighbour into a 112-pixel square,
     * array row {@code i} as the {@code i}-th pixel row from the top and array column {@code j}
     * from the left (like {@code imshow}). A {@code null} field leaves its cell blank. Column
     * titles are drawn on top, row labels on the left (both shortened with an ellipsis if too
     * long), and each row's colour bars at the right, labelled with the scale's ends (3
     * significant digits).
     *
     * <p>Colours: a value {@code v} in row {@code r} maps to blue-white-red by
     * {@code v / s_r} with {@code s_r = max(|lo|, |hi|)}, white at 0, so all columns of a row share
     * one scale. {@code {lo, hi} = rowRanges[r]}, or, if {@code rowRanges} is {@code null}, the
     * minimum and maximum of the row's fields outside the "std" columns. Columns whose label
     * contains {@code "std"} (ignoring case) use a sequential white-to-dark map from 0 to the
     * largest value of the row's std fields, always computed from the data; negative values there
     * are drawn as 0. A row whose scale is 0 is drawn white. Values beyond the scale saturate.
     *
     * @param png          the file to write; parent directories are created
     * @param rowLabels    one label per row, drawn on the left
     * @param columnLabels one title per column, drawn on top
     * @param fields       {@code fields[row][column]}: an {@code N x N} field or {@code null}
     * @param rowRanges    {@code rowRanges[row] = {lo, hi}} with {@code lo <= hi}, or {@code null}
     *                     to compute each row's range from its data
     * @throws IllegalArgumentException if the sizes do not match, a field is not square or smaller
     *                                  than 2 x 2, a value is NaN or infinite, or a range is invalid
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void fieldGrid(Path png, List<String> rowLabels, List<String> columnLabels,
                                 double[][][][] fields, double[][] rowRanges) {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(rowLabels, "rowLabels");
        Objects.requireNonNull(columnLabels, "columnLabels");
        Objects.requireNonNull(fields, "fields");
        validateGrid(rowLabels, columnLabels, fields, rowRanges);

        int rows = rowLabels.size();
        int cols = columnLabels.size();
        boolean[] std = new boolean[cols];
        for (int c = 0; c < cols; c++) {
            std[c] = isStdColumn(columnLabels.get(c));
        }
        boolean hasValueColumns = contains(std, false);
        boolean hasStdColumns = contains(std, true);

        Dimension size = fieldGridSize(rows, columnLabels);
        BufferedImage image = new BufferedImage(size.width, size.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size.width, size.height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(FONT);
            FontMetrics fm = g.getFontMetrics();
            int gridLeft = MARGIN + ROW_LABEL_WIDTH;
            int gridTop = MARGIN + TITLE_HEIGHT;
            int barsLeft = gridLeft + cols * CELL + (cols - 1) * CELL_GAP;

            g.setColor(Color.BLACK);
            int titleBaseline = MARGIN + TITLE_HEIGHT - fm.getDescent() - 6;
            for (int c = 0; c < cols; c++) {
                int centre = gridLeft + c * (CELL + CELL_GAP) + CELL / 2;
                drawCentred(g, fit(columnLabels.get(c), fm, CELL + CELL_GAP - 2), centre, titleBaseline);
            }
            if (hasValueColumns && hasStdColumns) {
                g.setFont(SMALL_FONT);
                drawCentred(g, "value", barsLeft + COLOR_BAR_GAP + COLOR_BAR_WIDTH / 2, titleBaseline);
                drawCentred(g, "std", barsLeft + COLOR_BAR_SLOT + COLOR_BAR_GAP + COLOR_BAR_WIDTH / 2,
                        titleBaseline);
                g.setFont(FONT);
            }

            for (int r = 0; r < rows; r++) {
                int top = gridTop + r * (CELL + CELL_GAP);
                double scale = rowRanges != null
                        ? Math.max(Math.abs(rowRanges[r][0]), Math.abs(rowRanges[r][1]))
                        : maxAbs(fields[r], std, false);
                double stdMax = maxValue(fields[r], std);

                g.setColor(Color.BLACK);
                int labelBaseline = top + CELL / 2 + (fm.getAscent() - fm.getDescent()) / 2;
                g.drawString(fit(rowLabels.get(r), fm, ROW_LABEL_WIDTH - 10), MARGIN, labelBaseline);

                for (int c = 0; c < cols; c++) {
                    double[][] field = fields[r][c];
                    if (field == null) {
                        continue;
                    }
                    int left = gridLeft + c * (CELL + CELL_GAP);
                    paintField(image, field, left, top, std[c], std[c] ? stdMax : scale);
                    g.setColor(CELL_BORDER);
                    g.drawRect(left - 1, top - 1, CELL + 1, CELL + 1);
                }

                int barLeft = barsLeft + COLOR_BAR_GAP;
                if (hasValueColumns) {
                    drawColorBar(g, image, barLeft, top, false, scale);
                    barLeft += COLOR_BAR_SLOT;
                }
                if (hasStdColumns) {
                    drawColorBar(g, image, barLeft, top, true, stdMax);
                }
            }
        } finally {
            g.dispose();
        }
        writePng(png, image);
    }

    /**
     * The pixel size of a {@link #fieldGrid} figure with {@code rows} rows and these columns: one
     * colour-bar slot for the value scale if some column is not a "std" column, one for the std
     * scale if some column is.
     */
    static Dimension fieldGridSize(int rows, List<String> columnLabels) {
        int cols = columnLabels.size();
        boolean anyStd = columnLabels.stream().anyMatch(Figures::isStdColumn);
        boolean anyValue = columnLabels.stream().anyMatch(label -> !isStdColumn(label));
        int bars = (anyStd ? 1 : 0) + (anyValue ? 1 : 0);
        int width = 2 * MARGIN + ROW_LABEL_WIDTH + cols * CELL + (cols - 1) * CELL_GAP + bars * COLOR_BAR_SLOT;
        int height = 2 * MARGIN + TITLE_HEIGHT + rows * CELL + (rows - 1) * CELL_GAP;
        return new Dimension(width, height);
    }

    /** Whether a column shows a standard deviation: its label contains "std", ignoring case. */
    static boolean isStdColumn(String label) {
        return label.toLowerCase(Locale.ROOT).contains("std");
    }

    private static void validateGrid(List<String> rowLabels, List<String> columnLabels,
                                     double[][][][] fields, double[][] rowRanges) {
        int rows = rowLabels.size();
        int cols = columnLabels.size();
        if (rows == 0 || cols == 0) {
            throw new IllegalArgumentException("a field grid needs at least one row and one column, got "
                    + rows + " row labels and " + cols + " column labels");
        }
        for (int r = 0; r < rows; r++) {
            if (rowLabels.get(r) == null) {
                throw new IllegalArgumentException("row label " + r + " is null");
            }
        }
        for (int c = 0; c < cols; c++) {
            if (columnLabels.get(c) == null) {
                throw new IllegalArgumentException("column label " + c + " is null");
            }
        }
        if (fields.length != rows) {
            throw new IllegalArgumentException("fields has " + fields.length + " rows but there are "
                    + rows + " row labels");
        }
        if (rowRanges != null && rowRanges.length != rows) {
            throw new IllegalArgumentException("rowRanges has " + rowRanges.length
                    + " entries but there are " + rows + " rows");
        }
        for (int r = 0; r < rows; r++) {
            String row = "row " + r + " ('" + rowLabels.get(r) + "')";
            if (fields[r] == null || fields[r].length != cols) {
                throw new IllegalArgumentException(row + " has "
                        + (fields[r] == null ? "no fields (null)" : fields[r].length + " fields")
                        + " but there are " + cols + " column labels");
            }
            for (int c = 0; c < cols; c++) {
                if (fields[r][c] != null) {
                    validateField(fields[r][c], row + ", column " + c + " ('" + columnLabels.get(c) + "')");
                }
            }
            if (rowRanges != null) {
                double[] range = rowRanges[r];
                if (range == null || range.length != 2) {
                    throw new IllegalArgumentException("rowRanges for " + row + " must be {lo, hi}, got "
                            + (range == null ? "null" : range.length + " values"));
                }
                if (!Double.isFinite(range[0]) || !Double.isFinite(range[1]) || range[0] > range[1]) {
                    throw new IllegalArgumentException("rowRanges for " + row
                            + " must be finite with lo <= hi, got {" + range[0] + ", " + range[1] + "}");
                }
            }
        }
    }

    private static void validateField(double[][] field, String where) {
        int n = field.length;
        if (n < 2) {
            throw new IllegalArgumentException("field at " + where + " must be at least 2 x 2, got "
                    + n + " rows");
        }
        for (int i = 0; i < n; i++) {
            if (field[i] == null || field[i].length != n) {
                throw new IllegalArgumentException("field at " + where + " is not square: " + n
                        + " rows but row " + i + " has " + (field[i] == null ? "no values (null)"
                        : field[i].length + " values"));
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(field[i][j])) {
                    throw new IllegalArgumentException("field at " + where + " has the non-finite value "
                            + field[i][j] + " at [" + i + "][" + j + "]");
                }
            }
        }
    }

    /** Largest |v| over the row's non-null fields in columns with {@code std[c] == wantStd}. */
    private static double maxAbs(double[][][] rowFields, boolean[] std, boolean wantStd) {
        double max = 0;
        for (int c = 0; c < rowFields.length; c++) {
            if (rowFields[c] != null && std[c] == wantStd) {
                for (double[] line : rowFields[c]) {
                    for (double v : line) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
            }
        }
        return max;
    }

    /** Largest value (at least 0) over the row's non-null std fields. */
    private static double maxValue(double[][][] rowFields, boolean[] std) {
        double max = 0;
        for (int c = 0; c < rowFields.length; c++) {
            if (rowFields[c] != null && std[c]) {
                for (double[] line : rowFields[c]) {
                    for (double v : line) {
                        max = Math.max(max, v);
                    }
                }
            }
        }
        return max;
    }

    private static boolean contains(boolean[] values, boolean wanted) {
        for (boolean v : values) {
            if (v == wanted) {
                return true;
            }
        }
        return false;
    }

    /** Nearest-neighbour upscaling of one field into the CELL x CELL square at (left, top). */
    private static void paintField(BufferedImage image, double[][] field, int left, int top,
                                   boolean sequential, double scale) {
        int n = field.length;
        double divisor = scale > 0 ? scale : 1;
        for (int py = 0; py < CELL; py++) {
            double[] line = field[py * n / CELL];
            for (int px = 0; px < CELL; px++) {
                double t = line[px * n / CELL] / divisor;
                image.setRGB(left + px, top + py, sequential ? sequentialRgb(t) : divergingRgb(t));
            }
        }
    }

    /** A vertical colour bar CELL pixels high: top = +scale (or scale), bottom = -scale (or 0). */
    private static void drawColorBar(Graphics2D g, BufferedImage image, int left, int top,
                                     boolean sequential, double scale) {
        for (int py = 0; py < CELL; py++) {
            // 1 at the top row, 0 (sequential) or -1 (diverging) at the bottom row.
            double u = 1 - (double) py / (CELL - 1);
            int rgb = sequential ? sequentialRgb(u) : divergingRgb(2 * u - 1);
            for (int px = 0; px < COLOR_BAR_WIDTH; px++) {
                image.setRGB(left + px, top + py, rgb);
            }
        }
        g.setColor(FRAME);
        g.drawRect(left - 1, top - 1, COLOR_BAR_WIDTH + 1, CELL + 1);
        g.setFont(SMALL_FONT);
        FontMetrics fm = g.getFontMetrics();
        int tickRight = left + COLOR_BAR_WIDTH + 4;
        int textLeft = tickRight + 3;
        int bottom = top + CELL - 1;
        int middle = top + (CELL - 1) / 2;
        int lift = (fm.getAscent() - fm.getDescent()) / 2;
        int[] ys = sequential ? new int[] {top, bottom} : new int[] {top, middle, bottom};
        String[] labels = sequential
                ? new String[] {formatValue(scale), "0"}
                : new String[] {formatValue(scale), "0", formatValue(-scale)};
        for (int k = 0; k < ys.length; k++) {
            g.drawLine(left + COLOR_BAR_WIDTH, ys[k], tickRight, ys[k]);
            g.drawString(fit(labels[k], fm, COLOR_BAR_SLOT - COLOR_BAR_GAP - COLOR_BAR_WIDTH - 8),
                    textLeft, ys[k] + lift);
        }
        g.setFont(FONT);
    }

    /** Blue (t = -1) through white (t = 0) to red (t = 1); t is clamped to [-1, 1]. */
    static int divergingRgb(double t) {
        return interpolate(DIVERGING, (clamp(t, -1, 1) + 1) / 2);
    }

    /** White (t = 0) to dark purple (t = 1); t is clamped to [0, 1]. */
    static int sequentialRgb(double t) {
        return interpolate(SEQUENTIAL, clamp(t, 0, 1));
    }

    /** Piecewise-linear interpolation between equally spaced RGB stops, u in [0, 1]. */
    private static int interpolate(int[][] stops, double u) {
        double position = u * (stops.length - 1);
        int k = Math.min((int) position, stops.length - 2);
        double w = position - k;
        int rgb = 0;
        for (int channel = 0; channel < 3; channel++) {
            double value = stops[k][channel] * (1 - w) + stops[k + 1][channel] * w;
            rgb = (rgb << 8) | (int) Math.round(value);
        }
        return rgb;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    // =====================================================================================
    // Figure 3: radial spectra
    // =====================================================================================

    /**
     * Renders radial spectra on log-log axes (the paper's Figure 3) without a title.
     *
     * @see #radialSpectra(Path, double[], LinkedHashMap, String, String)
     */
    public static void radialSpectra(Path png, double[] radii, LinkedHashMap<String, double[]> curves,
                                     String groundTruthName) {
        radialSpectra(png, radii, curves, groundTruthName, null);
    }

    /**
     * Renders radial spectra on log-log axes (the paper's Figure 3), 900 x 600 pixels.
     *
     * <p>Every curve gives one value per radius. The ground truth is drawn thick and red, underneath
     * the methods, which get the colours of a fixed ten-colour palette in map order (then the same
     * colours dashed, dotted and dash-dotted). The legend at the right lists the ground truth first.
     * Both axes span the shown points with a little padding, with a labelled tick per power of
     * ten (thinned beyond ten) and minor ticks in between; an axis narrower than two decades also
     * labels some minor ticks.
     *
     * <p>A logarithmic axis cannot show zero or negative numbers, so points whose radius or value
     * is {@code <= 0} are skipped (ring 0, the mean, is always skipped for that reason): the curve
     * is interrupted there and resumes at the next positive point; a lone point is drawn as a dot.
     * A curve without any positive point appears only in the legend.
     *
     * @param png             the file to write; parent directories are created
     * @param radii           the ring radii (wavenumbers |k|), in drawing order
     * @param curves          curve name to values, one per radius, in legend order
     * @param groundTruthName the key of the ground-truth curve in {@code curves}
     * @param title           drawn above the plot, or {@code null} for none
     * @throws IllegalArgumentException if the ground truth is missing, a curve's length differs
     *                                  from {@code radii.length}, or a radius or value is NaN or
     *                                  infinite
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void radialSpectra(Path png, double[] radii, LinkedHashMap<String, double[]> curves,
                                     String groundTruthName, String title) {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(radii, "radii");
        Objects.requireNonNull(curves, "curves");
        Objects.requireNonNull(groundTruthName, "groundTruthName");
        validateSpectra(radii, curves, groundTruthName);

        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[] values : curves.values()) {
            for (int i = 0; i < radii.length; i++) {
                if (radii[i] > 0 && values[i] > 0) {
                    minX = Math.min(minX, radii[i]);
                    maxX = Math.max(maxX, radii[i]);
                    minY = Math.min(minY, values[i]);
                    maxY = Math.max(maxY, values[i]);
                }
            }
        }
        LogAxis xAxis = LogAxis.covering(minX, maxX);
        LogAxis yAxis = LogAxis.covering(minY, maxY);

        BufferedImage image = new BufferedImage(SPECTRA_WIDTH, SPECTRA_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, SPECTRA_WIDTH, SPECTRA_HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);

            drawAxes(g, xAxis, yAxis);
            if (title != null && !title.isBlank()) {
                g.setFont(TITLE_FONT);
                g.setColor(Color.BLACK);
                drawCentred(g, title, (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_TOP - 18);
            }

            List<String> names = new ArrayList<>();
            List<Stroke> strokes = new ArrayList<>();
            List<Color> colors = new ArrayList<>();
            names.add(groundTruthName);
            strokes.add(new BasicStroke(GROUND_TRUTH_STROKE, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            colors.add(GROUND_TRUTH_COLOR);
            int index = 0;
            for (String name : curves.keySet()) {
                if (!name.equals(groundTruthName)) {
                    names.add(name);
                    strokes.add(curveStroke(index));
                    colors.add(PALETTE[index % PALETTE.length]);
                    index++;
                }
            }

            g.setClip(PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT + 1, PLOT_BOTTOM - PLOT_TOP + 1);
            for (int k = 0; k < names.size(); k++) {
                drawCurve(g, radii, curves.get(names.get(k)), xAxis, yAxis, strokes.get(k), colors.get(k));
            }
            g.setClip(null);
            drawLegend(g, names, strokes, colors);
        } finally {
            g.dispose();
        }
        writePng(png, image);
    }

    private static void validateSpectra(double[] radii, Map<String, double[]> curves, String groundTruthName) {
        if (!curves.containsKey(groundTruthName)) {
            throw new IllegalArgumentException("ground truth curve '" + groundTruthName
                    + "' is not among the curves " + curves.keySet());
        }
        for (int i = 0; i < radii.length; i++) {
            if (!Double.isFinite(radii[i])) {
                throw new IllegalArgumentException("radius " + i + " is not finite: " + radii[i]);
            }
        }
        for (Map.Entry<String, double[]> curve : curves.entrySet()) {
            String name = curve.getKey();
            double[] values = curve.getValue();
            if (name == null) {
                throw new IllegalArgumentException("a curve has a null name");
            }
            if (values == null || values.length != radii.length) {
                throw new IllegalArgumentException("curve '" + name + "' has "
                        + (values == null ? "no values (null)" : values.length + " values")
                        + " but there are " + radii.length + " radii");
            }
            for (int i = 0; i < values.length; i++) {
                if (!Double.isFinite(values[i])) {
                    throw new IllegalArgumentException("curve '" + name + "' has the non-finite value "
                            + values[i] + " at radius index " + i);
                }
            }
        }
    }

    /** Solid palette colours first, then dashed, dotted and dash-dotted ones. */
    private static Stroke curveStroke(int index) {
        float[] dash = DASHES[(index / PALETTE.length) % DASHES.length];
        if (dash == null) {
            return new BasicStroke(CURVE_STROKE, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }
        return new BasicStroke(CURVE_STROKE, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    private static void drawAxes(Graphics2D g, LogAxis xAxis, LogAxis yAxis) {
        g.setStroke(new BasicStroke(1f));
        g.setColor(GRID);
        for (int e : xAxis.decadesInside()) {
            int x = xPixel(xAxis, Math.pow(10, e));
            g.drawLine(x, PLOT_TOP, x, PLOT_BOTTOM);
        }
        for (int e : yAxis.decadesInside()) {
            int y = yPixel(yAxis, Math.pow(10, e));
            g.drawLine(PLOT_LEFT, y, PLOT_RIGHT, y);
        }
        g.setColor(FRAME);
        g.drawRect(PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP);
        drawTicks(g, xAxis, true);
        drawTicks(g, yAxis, false);

        g.setFont(FONT);
        g.setColor(Color.BLACK);
        drawCentred(g, "wavenumber |k|", (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 50);
        AffineTransform saved = g.getTransform();
        g.translate(PLOT_LEFT - 62, (PLOT_TOP + PLOT_BOTTOM) / 2);
        g.rotate(-Math.PI / 2);
        drawCentred(g, "radial spectrum", 0, 0);
        g.setTransform(saved);
    }

    /**
     * Ticks and labels of one axis: a labelled major tick per decade (every k-th label when there
     * are more than ten), short minor ticks at 2..9 times a decade when the axis spans at most six
     * decades. An axis showing fewer than two decades also labels its minor ticks (2 and 5, or all
     * of them below 0.7 decades) as plain numbers; one without any tick label gets its end values.
     */
    private static void drawTicks(Graphics2D g, LogAxis axis, boolean horizontal) {
        g.setColor(FRAME);
        List<Integer> decades = axis.decadesInside();
        int every = Math.max(1, (int) Math.ceil(decades.size() / 10.0));
        int labels = 0;
        for (int k = 0; k < decades.size(); k++) {
            int pixel = tickMark(g, axis, Math.pow(10, decades.get(k)), horizontal, 6);
            if (k % every == 0) {
                drawTickLabel(g, Integer.toString(decades.get(k)), true, pixel, horizontal);
                labels++;
            }
        }
        if (axis.span() > 6) {
            return;
        }
        boolean labelMinor = decades.size() < 2;
        boolean labelAllMinor = axis.span() < 0.7;
        for (int e = (int) Math.floor(axis.lo); e <= (int) Math.floor(axis.hi); e++) {
            for (int m = 2; m <= 9; m++) {
                double v = m * Math.pow(10, e);
                if (!axis.contains(v)) {
                    continue;
                }
                int pixel = tickMark(g, axis, v, horizontal, 3);
                if (labelMinor && (labelAllMinor || m == 2 || m == 5)) {
                    drawTickLabel(g, formatValue(v), false, pixel, horizontal);
                    labels++;
                }
            }
        }
        if (labels == 0) {
            double[] ends = {Math.pow(10, axis.lo), Math.pow(10, axis.hi)};
            for (double v : ends) {
                drawTickLabel(g, formatValue(v), false, (int) Math.round(position(axis, v, horizontal)), horizontal);
            }
        }
    }

    /** Draws an outward tick of the given length at value v and returns its pixel coordinate. */
    private static int tickMark(Graphics2D g, LogAxis axis, double v, boolean horizontal, int length) {
        g.setColor(FRAME);
        int pixel = (int) Math.round(position(axis, v, horizontal));
        if (horizontal) {
            g.drawLine(pixel, PLOT_BOTTOM, pixel, PLOT_BOTTOM + length);
        } else {
            g.drawLine(PLOT_LEFT - length, pixel, PLOT_LEFT, pixel);
        }
        return pixel;
    }

    /**
     * A tick label centred below an x tick or right-aligned left of a y tick: either "10" with the
     * raised exponent {@code text} ({@code powerOfTen}) or the plain text.
     */
    private static void drawTickLabel(Graphics2D g, String text, boolean powerOfTen, int pixel, boolean horizontal) {
        g.setColor(Color.BLACK);
        g.setFont(FONT);
        FontMetrics base = g.getFontMetrics();
        String main = powerOfTen ? "10" : text;
        int mainWidth = base.stringWidth(main);
        int exponentWidth = powerOfTen ? 1 + g.getFontMetrics(EXPONENT_FONT).stringWidth(text) : 0;
        int width = mainWidth + exponentWidth;
        int left = horizontal ? pixel - width / 2 : PLOT_LEFT - 9 - width;
        int baseline = horizontal
                ? PLOT_BOTTOM + 8 + base.getAscent()
                : pixel + (base.getAscent() - base.getDescent()) / 2;
        g.drawString(main, left, baseline);
        if (powerOfTen) {
            g.setFont(EXPONENT_FONT);
            g.drawString(text, left + mainWidth + 1, baseline - base.getAscent() / 2);
            g.setFont(FONT);
        }
    }

    /** One curve, interrupted at points a log axis cannot show; isolated points become dots. */
    private static void drawCurve(Graphics2D g, double[] radii, double[] values, LogAxis xAxis, LogAxis yAxis,
                                  Stroke stroke, Color color) {
        g.setColor(color);
        g.setStroke(stroke);
        float width = ((BasicStroke) stroke).getLineWidth();
        int i = 0;
        while (i < radii.length) {
            if (!(radii[i] > 0 && values[i] > 0)) {
                i++;
                continue;
            }
            Path2D.Double run = new Path2D.Double();
            run.moveTo(xPosition(xAxis, radii[i]), yPosition(yAxis, values[i]));
            int points = 1;
            int j = i + 1;
            while (j < radii.length && radii[j] > 0 && values[j] > 0) {
                run.lineTo(xPosition(xAxis, radii[j]), yPosition(yAxis, values[j]));
                points++;
                j++;
            }
            if (points == 1) {
                double x = xPosition(xAxis, radii[i]);
                double y = yPosition(yAxis, values[i]);
                double d = width + 2;
                g.fill(new Ellipse2D.Double(x - d / 2, y - d / 2, d, d));
            } else {
                g.draw(run);
            }
            i = j;
        }
    }

    private static void drawLegend(Graphics2D g, List<String> names, List<Stroke> strokes, List<Color> colors) {
        g.setFont(FONT);
        FontMetrics fm = g.getFontMetrics();
        int left = PLOT_RIGHT + 20;
        int sample = 30;
        int rowHeight = fm.getHeight() + 4;
        int y = PLOT_TOP + rowHeight / 2;
        int textWidth = SPECTRA_WIDTH - MARGIN - (left + sample + 8);
        for (int k = 0; k < names.size(); k++) {
            g.setColor(colors.get(k));
            g.setStroke(strokes.get(k));
            g.draw(new Line2D.Double(left, y, left + sample, y));
            g.setColor(Color.BLACK);
            g.drawString(fit(names.get(k), fm, textWidth), left + sample + 8,
                    y + (fm.getAscent() - fm.getDescent()) / 2);
            y += rowHeight;
        }
    }

    private static double xPosition(LogAxis axis, double v) {
        return PLOT_LEFT + axis.fraction(v) * (PLOT_RIGHT - PLOT_LEFT);
    }

    private static double yPosition(LogAxis axis, double v) {
        return PLOT_BOTTOM - axis.fraction(v) * (PLOT_BOTTOM - PLOT_TOP);
    }

    private static double position(LogAxis axis, double v, boolean horizontal) {
        return horizontal ? xPosition(axis, v) : yPosition(axis, v);
    }

    private static int xPixel(LogAxis axis, double v) {
        return (int) Math.round(xPosition(axis, v));
    }

    private static int yPixel(LogAxis axis, double v) {
        return (int) Math.round(yPosition(axis, v));
    }

    /** A base-10 logarithmic axis from 10^lo to 10^hi (lo < hi, in decades). */
    private record LogAxis(double lo, double hi) {
        /** Padding on each side, as a fraction of the data's span in decades. */
        private static final double PAD = 0.04;

        /**
         * The range [min, max] widened by {@link #PAD} on each side (half a decade each side if
         * min == max); 10^0..10^1 if there is no point to show.
         */
        static LogAxis covering(double min, double max) {
            if (!(min > 0 && max >= min && Double.isFinite(max))) {
                return new LogAxis(0, 1);
            }
            double lo = Math.log10(min);
            double hi = Math.log10(max);
            if (hi - lo < 1e-9) {
                lo -= 0.5;
                hi += 0.5;
            }
            double pad = PAD * (hi - lo);
            return new LogAxis(lo - pad, hi + pad);
        }

        double span() {
            return hi - lo;
        }

        boolean contains(double v) {
            double e = Math.log10(v);
            return e >= lo && e <= hi;
        }

        /** The exponents of the powers of ten inside the axis, ascending. */
        List<Integer> decadesInside() {
            List<Integer> decades = new ArrayList<>();
            for (int e = (int) Math.ceil(lo); e <= (int) Math.floor(hi); e++) {
                decades.add(e);
            }
            return decades;
        }

        double fraction(double v) {
            return (Math.log10(v) - lo) / (hi - lo);
        }
    }

    // =====================================================================================
    // Shared helpers
    // =====================================================================================

    /** Formats a colour-bar value with 3 significant digits: "1.23", "-0.05", "1.5e-5", "2e4". */
    static String formatValue(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e4) {
            return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        }
        String text = String.format(Locale.ROOT, "%.2e", v);
        int e = text.indexOf('e');
        String mantissa = text.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return mantissa + "e" + Integer.parseInt(text.substring(e + 1));
    }

    /** The text itself if it fits in {@code maxWidth} pixels, otherwise a prefix with an ellipsis. */
    private static String fit(String text, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(text) <= maxWidth) {
            return text;
        }
        String ellipsis = "\u2026";
        int end = text.length();
        while (end > 0 && fm.stringWidth(text.substring(0, end) + ellipsis) > maxWidth) {
            end--;
        }
        return text.substring(0, end) + ellipsis;
    }

    private static void drawCentred(Graphics2D g, String text, int centreX, int baseline) {
        g.drawString(text, centreX - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    /**
     * Writes the image as PNG to a temporary file next to {@code png} and renames it over
     * {@code png}, atomically where the file system supports it. Package-private: {@link ToyFigures}
     * writes its charts the same way.
     */
    static void writePng(Path png, BufferedImage image) {
        Path target = png.toAbsolutePath();
        Path temp = null;
        try {
            Path dir = target.getParent();
            if (dir == null) {
                throw new IOException("no parent directory");
            }
            Files.createDirectories(dir);
            // Not Files.createTempFile: its owner-only permissions would survive the rename.
            // CREATE_NEW, and temp set only afterwards: a failure deletes only a file made here.
            Path candidate = dir.resolve(tempName(target));
            OutputStream stream = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            temp = candidate;
            try (OutputStream out = new BufferedOutputStream(stream)) {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG image writer available");
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot write figure " + png + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            deleteQuietly(temp, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
    }

    /** A hidden name next to the target, short enough for the usual 255-byte name limit. */
    private static String tempName(Path target) {
        String name = target.getFileName().toString();
        if (name.length() > 200) {
            name = name.substring(0, 200);
        }
        return "." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp";
    }

    private static void deleteQuietly(Path temp, Throwable failure) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
