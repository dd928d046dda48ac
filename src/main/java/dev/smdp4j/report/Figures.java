package dev.smdp4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.VerticalAlignment;
import org.jfree.data.xy.DefaultXYDataset;

/**
 * The two result figures of the heat-diffusion benchmark, rendered headless to PNG.
 *
 * <ul>
 *   <li>{@link #fieldGrid} corresponds to the paper's Figure 2: a grid of fields with one row per
 *       test observation and one column per quantity (for instance "true x0", "observation y",
 *       "SMDP-ODE", "SDE sample 1..3", "posterior mean", "posterior std"). Every row has its own
 *       symmetric blue-white-red colour scale, shown by a colour bar at the right; columns whose
 *       label contains {@code "std"} use a sequential white-to-dark scale starting at 0, with a
 *       second colour bar. Painted by {@link FieldGrid} in plain Java2D.</li>
 *   <li>{@link #radialSpectra} corresponds to the paper's Figure 3: the radial spectrum (mean
 *       {@code |Re FFT|} per ring, computed elsewhere, see {@code dev.smdp4j.eval.RadialSpectrum})
 *       of the ground truth and of each method, on log-log axes, the ground truth thick and red.
 *       Drawn with JFreeChart.</li>
 * </ul>
 *
 * <p>Both methods validate their inputs ({@link IllegalArgumentException} with a message naming the
 * offending row, column or curve), create missing parent directories, and write atomically through
 * {@link dev.smdp4j.io.AtomicFiles}, so a reader never sees a partial PNG and a failed write leaves
 * an existing file untouched. I/O failures surface as {@link UncheckedIOException} naming the file.
 */
public final class Figures {
    // ---- Figure 3 (radial spectra) layout, in pixels. ----
    /** Width of the spectra figure. */
    static final int SPECTRA_WIDTH = 1000;
    /** Height of the spectra figure. */
    static final int SPECTRA_HEIGHT = 600;
    /** Legend labels longer than this many characters are shortened with an ellipsis. */
    static final int MAX_LEGEND_LABEL = 36;

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
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);

    private Figures() {}

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
    public static void fieldGrid(
            Path png, List<String> rowLabels, List<String> columnLabels, double[][][][] fields, double[][] rowRanges) {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(rowLabels, "rowLabels");
        Objects.requireNonNull(columnLabels, "columnLabels");
        Objects.requireNonNull(fields, "fields");
        validateGrid(rowLabels, columnLabels, fields, rowRanges);
        Charts.write(png, FieldGrid.paint(rowLabels, columnLabels, fields, rowRanges));
    }

    private static void validateGrid(
            List<String> rowLabels, List<String> columnLabels, double[][][][] fields, double[][] rowRanges) {
        int rows = rowLabels.size();
        int cols = columnLabels.size();
        if (rows == 0 || cols == 0) {
            throw new IllegalArgumentException("a field grid needs at least one row and one column, got " + rows
                    + " row labels and " + cols + " column labels");
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
            throw new IllegalArgumentException(
                    "fields has " + fields.length + " rows but there are " + rows + " row labels");
        }
        if (rowRanges != null && rowRanges.length != rows) {
            throw new IllegalArgumentException(
                    "rowRanges has " + rowRanges.length + " entries but there are " + rows + " rows");
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
                    throw new IllegalArgumentException("rowRanges for " + row + " must be finite with lo <= hi, got {"
                            + range[0] + ", " + range[1] + "}");
                }
            }
        }
    }

    private static void validateField(double[][] field, String where) {
        int n = field.length;
        if (n < 2) {
            throw new IllegalArgumentException("field at " + where + " must be at least 2 x 2, got " + n + " rows");
        }
        for (int i = 0; i < n; i++) {
            if (field[i] == null || field[i].length != n) {
                throw new IllegalArgumentException("field at " + where + " is not square: " + n
                        + " rows but row " + i + " has "
                        + (field[i] == null ? "no values (null)" : field[i].length + " values"));
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(field[i][j])) {
                    throw new IllegalArgumentException("field at " + where + " has the non-finite value " + field[i][j]
                            + " at [" + i + "][" + j + "]");
                }
            }
        }
    }

    // =====================================================================================
    // Figure 3: radial spectra
    // =====================================================================================

    /**
     * Renders radial spectra on log-log axes (the paper's Figure 3) without a title.
     *
     * @see #radialSpectra(Path, double[], LinkedHashMap, String, String)
     */
    public static void radialSpectra(
            Path png, double[] radii, LinkedHashMap<String, double[]> curves, String groundTruthName) {
        radialSpectra(png, radii, curves, groundTruthName, null);
    }

    /**
     * Renders radial spectra on log-log axes (the paper's Figure 3), 1000 x 600 pixels.
     *
     * <p>Every curve gives one value per radius. The ground truth is drawn thick and red, underneath
     * the methods, which get the colours of a fixed ten-colour palette in map order (then the same
     * colours dashed, dotted and dash-dotted). The legend at the right lists the ground truth first
     * (names longer than 36 characters shortened with an ellipsis). Both axes span the shown points
     * with a little padding, with a tick labelled {@code 10^e} per power of ten (every k-th one
     * when there are more than ten) and minor ticks at 2..9 times them when the axis spans at most
     * six decades; an axis spanning less than two decades also labels its minor ticks at 2 and 5
     * times a power of ten (all of them below 0.7 decades), and one without any label gets its end
     * values.
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
     * @param title           drawn above the plot, or {@code null} (or blank) for none
     * @throws IllegalArgumentException if the ground truth is missing, a curve's length differs
     *                                  from {@code radii.length}, or a radius or value is NaN or
     *                                  infinite
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void radialSpectra(
            Path png, double[] radii, LinkedHashMap<String, double[]> curves, String groundTruthName, String title) {
        Objects.requireNonNull(png, "png");
        Charts.write(png, renderSpectra(radii, curves, groundTruthName, title).image());
    }

    /** {@link #radialSpectra} without writing: the image and the plot's data area. */
    static Charts.Rendered renderSpectra(
            double[] radii, Map<String, double[]> curves, String groundTruthName, String title) {
        Objects.requireNonNull(radii, "radii");
        Objects.requireNonNull(curves, "curves");
        Objects.requireNonNull(groundTruthName, "groundTruthName");
        validateSpectra(radii, curves, groundTruthName);

        List<String> names = new ArrayList<>();
        names.add(groundTruthName);
        curves.keySet().stream().filter(name -> !name.equals(groundTruthName)).forEach(names::add);
        // Points a log axis cannot show become NaN, which interrupts the line.
        DefaultXYDataset data = new DefaultXYDataset();
        double[] x = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] y = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (String name : names) {
            double[] values = curves.get(name);
            double[][] series = new double[2][radii.length];
            for (int i = 0; i < radii.length; i++) {
                boolean shown = radii[i] > 0 && values[i] > 0;
                series[0][i] = shown ? radii[i] : Double.NaN;
                series[1][i] = shown ? values[i] : Double.NaN;
                if (shown) {
                    x[0] = Math.min(x[0], radii[i]);
                    x[1] = Math.max(x[1], radii[i]);
                    y[0] = Math.min(y[0], values[i]);
                    y[1] = Math.max(y[1], values[i]);
                }
            }
            data.addSeries(name, series);
        }

        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false) {
            @Override
            public boolean getItemShapeVisible(int series, int item) {
                // Only a point without a shown neighbour gets a dot: it has no line to be part of.
                return !Double.isNaN(data.getYValue(series, item))
                        && (item == 0 || Double.isNaN(data.getYValue(series, item - 1)))
                        && (item == radii.length - 1 || Double.isNaN(data.getYValue(series, item + 1)));
            }
        };
        // One path per run of points: dashes run on across the points instead of restarting at each.
        renderer.setDrawSeriesLineAsPath(true);
        for (int k = 0; k < names.size(); k++) {
            float width = k == 0 ? GROUND_TRUTH_STROKE : CURVE_STROKE;
            renderer.setSeriesPaint(k, k == 0 ? GROUND_TRUTH_COLOR : PALETTE[(k - 1) % PALETTE.length]);
            renderer.setSeriesStroke(
                    k,
                    k == 0
                            ? curveStroke(width, null)
                            : curveStroke(width, DASHES[((k - 1) / PALETTE.length) % DASHES.length]));
            double d = width + 2;
            renderer.setSeriesShape(k, new Ellipse2D.Double(-d / 2, -d / 2, d, d));
        }
        renderer.setLegendItemLabelGenerator((dataset, series) -> shorten(names.get(series)));

        XYPlot plot = new XYPlot(
                data,
                new DecadeAxis("wavenumber |k|", x[0], x[1], FONT),
                new DecadeAxis("radial spectrum", y[0], y[1], FONT),
                renderer);
        Charts.stylePlot(plot);
        plot.setOutlinePaint(DecadeAxis.FRAME);
        // Series 0, the ground truth, first: underneath the methods.
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        JFreeChart chart = Charts.chart(title == null || title.isBlank() ? null : title, TITLE_FONT, plot);
        chart.setPadding(new RectangleInsets(10, 10, 10, 16));
        LegendTitle legend = new LegendTitle(plot);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setVerticalAlignment(VerticalAlignment.TOP);
        legend.setItemFont(FONT);
        legend.setFrame(BlockBorder.NONE);
        legend.setBackgroundPaint(Color.WHITE);
        legend.setItemLabelPadding(new RectangleInsets(3, 6, 3, 4));
        chart.addSubtitle(legend);
        return Charts.single(chart, SPECTRA_WIDTH, SPECTRA_HEIGHT);
    }

    private static void validateSpectra(double[] radii, Map<String, double[]> curves, String groundTruthName) {
        if (!curves.containsKey(groundTruthName)) {
            throw new IllegalArgumentException(
                    "ground truth curve '" + groundTruthName + "' is not among the curves " + curves.keySet());
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
                    throw new IllegalArgumentException(
                            "curve '" + name + "' has the non-finite value " + values[i] + " at radius index " + i);
                }
            }
        }
    }
    /** Solid, or dashed with the given pattern. */
    private static Stroke curveStroke(float width, float[] dash) {
        if (dash == null) {
            return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    private static String shorten(String name) {
        return name.length() <= MAX_LEGEND_LABEL ? name : name.substring(0, MAX_LEGEND_LABEL - 1) + "\u2026";
    }
}
