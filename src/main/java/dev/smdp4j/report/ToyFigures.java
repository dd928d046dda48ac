package dev.smdp4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.Size2D;
import org.jfree.data.Range;
import org.jfree.data.xy.DefaultIntervalXYDataset;
import org.jfree.data.xy.DefaultXYDataset;

/**
 * Figures of the paper's 1-D toy SDE {@code dx = -7 sign(x) x^2 dt + 0.03 dW} on {@code t in [0, 10]}
 * with initial states {@code x0 = +1} or {@code -1}, drawn with JFreeChart (headless) to PNG.
 *
 * <ul>
 *   <li>{@link #trajectories} mirrors Fig. 1 of Holzschuh, Vegetti and Thuerey, "Solving Inverse
 *       Physics Problems with Score Matching" (NeurIPS 2023): one panel per sampler with its paths
 *       from the end states at {@code t = T} back to {@code t = 0}, coloured by where they end.</li>
 *   <li>{@link #endStateHistograms}: one panel per sampler with the density histogram of its states
 *       at {@code t = 0}, the data's initial states as a black outline histogram on the same bins,
 *       and the fractions within 0.1 of {@code -1} and {@code +1} in the panel's title.</li>
 * </ul>
 *
 * <p>An end state at {@code t = 0} is "near -1" if it lies within 0.5 ({@code NEAR}) of
 * {@code -1}, "near +1" likewise, and "elsewhere" otherwise; the three classes are drawn blue, red
 * and grey in both figures, explained by one legend below the panels. Panels appear side by side
 * in the map's iteration order (use a {@link java.util.LinkedHashMap} to choose it).
 *
 * <p>Both methods validate their inputs ({@link IllegalArgumentException} naming the entry and
 * index), create missing parent directories and write atomically with the same writer as
 * {@link Figures}: a reader never sees a partial PNG, and a failed write leaves an existing file
 * untouched. I/O failures surface as {@link UncheckedIOException} naming the file.
 */
public final class ToyFigures {
    static {
        // Rendering never needs a display; setting this before AWT starts avoids touching X11.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    // ---- Layout in pixels; package-private so tests can derive sizes. ----
    /** Width of one trajectory panel. */
    static final int TRAJECTORY_PANEL_WIDTH = 440;
    /** Height of one trajectory panel (the legend band comes below). */
    static final int TRAJECTORY_PANEL_HEIGHT = 420;
    /** Width of one histogram panel. */
    static final int HISTOGRAM_PANEL_WIDTH = 440;
    /** Height of one histogram panel (the legend band comes below). */
    static final int HISTOGRAM_PANEL_HEIGHT = 380;
    /**
     * Height of the legend band below the panels, shared by all panels of a figure; a figure too
     * narrow for the legend in one row (a single panel) gets a higher band.
     */
    static final int LEGEND_HEIGHT = 40;

    /** Both figures show x in [-X_LIMIT, X_LIMIT]. */
    static final double X_LIMIT = 1.5;
    /** Distance from -1 or +1 within which an end state counts as "near" it (colour classes). */
    static final double NEAR = 0.5;
    /** Distance from -1 or +1 within which an end state counts for the fractions in the titles. */
    static final double WITHIN = 0.1;
    /**
     * Most time points drawn per path: longer paths are drawn at every k-th point (the first and
     * last always included). Ample for a plot area about 400 pixels wide, and it keeps rendering
     * fast: JFreeChart spends about 2 microseconds per point.
     */
    static final int MAX_POINTS_PER_PATH = 2000;
    /** Largest number of histogram bins accepted. */
    static final int MAX_BINS = 1000;

    /** End states near -1. */
    static final Color NEGATIVE_COLOR = new Color(31, 119, 180);
    /** End states near +1. */
    static final Color POSITIVE_COLOR = new Color(214, 39, 40);
    /** End states elsewhere. */
    static final Color OTHER_COLOR = new Color(127, 127, 127);
    /** The reference lines at -1 and +1 and the data's histogram outline. */
    static final Color REFERENCE_COLOR = new Color(40, 40, 40);

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color GRID = new Color(225, 225, 225);
    private static final Stroke REFERENCE_STROKE = new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    private static final Stroke PATH_STROKE = new BasicStroke(1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final Stroke OUTLINE_STROKE = new BasicStroke(1.5f);

    /** Classes of end states, in legend order. */
    private static final int NEGATIVE = 0;
    private static final int POSITIVE = 1;
    private static final int OTHER = 2;
    private static final Color[] CLASS_COLORS = {NEGATIVE_COLOR, POSITIVE_COLOR, OTHER_COLOR};
    private static final String[] CLASS_LABELS = {
        "x(0) within " + NEAR + " of -1", "x(0) within " + NEAR + " of +1", "x(0) elsewhere",
    };

    private ToyFigures() {
    }

    /** A rendered figure and the data area (plot area inside the axes) of each panel, left to right. */
    record Rendered(BufferedImage image, List<Rectangle2D> dataAreas) {
    }

    // =====================================================================================
    // Trajectories (Fig. 1)
    // =====================================================================================

    /**
     * Draws the sampled paths of each method in its own panel, side by side, to {@code png}.
     *
     * <p>{@code paths.get(name)[i][j]} is the position of path {@code i} at {@code times[j]}; the
     * times increase (from 0 to T), so a reverse sampler's path, computed from T back to 0, is
     * passed in time order and {@code paths.get(name)[i][0]} is its end state at {@code t = 0},
     * which chooses the colour. At most {@code maxPaths} paths per panel are drawn, evenly spaced
     * over the indices ({@code floor(k n / maxPaths)}), as thin semi-transparent lines (the fewer
     * paths, the more opaque), with at most 2000 time points each (every k-th point of longer
     * paths, the first and last always included); the panel's subtitle gives the shares of all
     * paths near -1 and +1 and how many were drawn. Dashed lines mark x = -1 and +1, the data's initial states; the
     * y axis shows [-1.5, 1.5] (paths beyond are clipped), the x axis the time range.
     *
     * @param png      the file to write; parent directories are created
     * @param times    the common time grid, at least two finite, strictly increasing values
     * @param paths    per method (panel title), its paths; at least one method with one path
     * @param maxPaths the most paths drawn per panel, at least 1
     * @throws IllegalArgumentException if an input is empty, lengths do not match, a value is not
     *                                  finite or the times do not increase
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void trajectories(Path png, double[] times, Map<String, double[][]> paths, int maxPaths) {
        Objects.requireNonNull(png, "png");
        Figures.writePng(png, renderTrajectories(times, paths, maxPaths).image());
    }

    /** {@link #trajectories} without writing: the image and each panel's data area. */
    static Rendered renderTrajectories(double[] times, Map<String, double[][]> paths, int maxPaths) {
        validateTrajectories(times, paths, maxPaths);
        List<JFreeChart> charts = new ArrayList<>();
        for (Map.Entry<String, double[][]> entry : paths.entrySet()) {
            charts.add(trajectoryChart(entry.getKey(), times, entry.getValue(), maxPaths));
        }
        LegendItemCollection legend = new LegendItemCollection();
        for (int c = 0; c < CLASS_COLORS.length; c++) {
            legend.add(lineItem(CLASS_LABELS[c], new BasicStroke(2.5f), CLASS_COLORS[c]));
        }
        legend.add(lineItem("x = -1, +1 (data x0)", REFERENCE_STROKE, REFERENCE_COLOR));
        return renderPanels(charts, TRAJECTORY_PANEL_WIDTH, TRAJECTORY_PANEL_HEIGHT, legend);
    }

    private static JFreeChart trajectoryChart(String name, double[] times, double[][] paths, int maxPaths) {
        int n = paths.length;
        int shown = Math.min(n, maxPaths);
        int[] counts = new int[3];
        for (double[] path : paths) {
            counts[endClass(path[0])]++;
        }

        DefaultXYDataset data = new DefaultXYDataset();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        // One path per series, stroked as a whole: with per-segment drawing, translucent
        // segments would overlap at every joint and the line would look beaded.
        renderer.setDrawSeriesLineAsPath(true);
        int alpha = pathAlpha(shown);
        int[] drawn = thinned(times.length);
        double[] t = pick(times, drawn);
        for (int k = 0; k < shown; k++) {
            int i = (int) ((long) k * n / shown);
            data.addSeries("path " + i, new double[][] {t, pick(paths[i], drawn)});
            Color c = CLASS_COLORS[endClass(paths[i][0])];
            renderer.setSeriesPaint(k, new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha));
            renderer.setSeriesStroke(k, PATH_STROKE);
        }

        NumberAxis xAxis = axis("time t");
        xAxis.setRange(times[0], times[times.length - 1]);
        NumberAxis yAxis = axis("x");
        yAxis.setRange(-X_LIMIT, X_LIMIT);
        yAxis.setTickUnit(new NumberTickUnit(0.5));
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        stylePlot(plot);
        for (double level : new double[] {-1, 1}) {
            ValueMarker marker = new ValueMarker(level, REFERENCE_COLOR, REFERENCE_STROKE);
            plot.addRangeMarker(marker);
        }

        return chart(name, plot,
                String.format(Locale.ROOT, "x(0) near -1: %s, near +1: %s", percent(counts[NEGATIVE], n),
                        percent(counts[POSITIVE], n)),
                shown == n ? "all " + n + " paths drawn" : shown + " of " + n + " paths drawn");
    }

    /** The indices of the time points drawn: all, or every k-th and the last, at most {@link #MAX_POINTS_PER_PATH}. */
    static int[] thinned(int length) {
        int stride = (length - 2) / (MAX_POINTS_PER_PATH - 1) + 1;
        int count = (length - 1 + stride - 1) / stride + 1;
        int[] indices = new int[count];
        for (int k = 0; k < count - 1; k++) {
            indices[k] = k * stride;
        }
        indices[count - 1] = length - 1;
        return indices;
    }

    private static double[] pick(double[] values, int[] indices) {
        if (indices.length == values.length) {
            return values;
        }
        double[] out = new double[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = values[indices[k]];
        }
        return out;
    }

    /** Opaque for a handful of paths, fading to 0.15 for hundreds: 3 / sqrt(n) clamped to [0.15, 0.85]. */
    private static int pathAlpha(int shown) {
        double a = Math.max(0.15, Math.min(0.85, 3 / Math.sqrt(shown)));
        return (int) Math.round(255 * a);
    }

    private static void validateTrajectories(double[] times, Map<String, double[][]> paths, int maxPaths) {
        Objects.requireNonNull(times, "times");
        Objects.requireNonNull(paths, "paths");
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("paths is empty: no method to draw");
        }
        if (maxPaths < 1) {
            throw new IllegalArgumentException("maxPaths must be at least 1, got " + maxPaths);
        }
        if (times.length < 2) {
            throw new IllegalArgumentException("times has " + times.length + " value(s); a path needs at least 2");
        }
        for (int j = 0; j < times.length; j++) {
            if (!Double.isFinite(times[j])) {
                throw new IllegalArgumentException("times[" + j + "] is not finite: " + times[j]);
            }
            if (j > 0 && !(times[j] > times[j - 1])) {
                throw new IllegalArgumentException("times must increase strictly, but times[" + j + "] = "
                        + times[j] + " follows times[" + (j - 1) + "] = " + times[j - 1]);
            }
        }
        for (Map.Entry<String, double[][]> entry : paths.entrySet()) {
            String name = checkName(entry.getKey());
            double[][] method = entry.getValue();
            if (method == null || method.length == 0) {
                throw new IllegalArgumentException("'" + name + "' has no paths"
                        + (method == null ? " (null)" : ""));
            }
            for (int i = 0; i < method.length; i++) {
                double[] path = method[i];
                if (path == null || path.length != times.length) {
                    throw new IllegalArgumentException("'" + name + "' path " + i + " has "
                            + (path == null ? "no values (null)" : path.length + " values")
                            + " but there are " + times.length + " times");
                }
                for (int j = 0; j < path.length; j++) {
                    if (!Double.isFinite(path[j])) {
                        throw new IllegalArgumentException("'" + name + "' path " + i + " has the non-finite value "
                                + path[j] + " at time index " + j + " (t = " + times[j] + ")");
                    }
                }
            }
        }
    }

    // =====================================================================================
    // End-state histograms
    // =====================================================================================

    /**
     * Draws, for each method in its own panel, the density histogram of its end states at
     * {@code t = 0} on [-1.5, 1.5] to {@code png}.
     *
     * <p>The {@code bins} bins are equally wide and half-open, {@code [a, b)}, the last one closed;
     * the heights are {@code count / (n w)} for {@code n} states and bin width {@code w}, so states
     * outside [-1.5, 1.5] are left out of the bars but not of {@code n} (the subtitle counts them).
     * Bars are coloured like the trajectories' end classes by their centres. The data's initial
     * states are drawn on the same bins as a black outline histogram. With {@code bins} of the form
     * {@code 6k + 3} (for instance 63) the values -1 and +1 are bin centres; with a multiple of 6
     * they are bin edges, and a point mass there is drawn as a bar beside it. Each panel's subtitle gives
     * the fractions of all end states within 0.1 ({@code WITHIN}) of -1 and of +1.
     *
     * @param png               the file to write; parent directories are created
     * @param endStates         per method (panel title), its states at {@code t = 0}; at least one
     *                          method with one state
     * @param dataInitialStates the data's initial states (for the toy SDE, values -1 and +1)
     * @param bins              the number of bins on [-1.5, 1.5], 1 to 1000
     * @throws IllegalArgumentException if an input is empty, a value is not finite or {@code bins}
     *                                  is out of range
     * @throws UncheckedIOException     if the file cannot be written
     */
    public static void endStateHistograms(Path png, Map<String, double[]> endStates, double[] dataInitialStates,
                                          int bins) {
        Objects.requireNonNull(png, "png");
        Figures.writePng(png, renderHistograms(endStates, dataInitialStates, bins).image());
    }

    /** {@link #endStateHistograms} without writing: the image and each panel's data area. */
    static Rendered renderHistograms(Map<String, double[]> endStates, double[] dataInitialStates, int bins) {
        validateHistograms(endStates, dataInitialStates, bins);
        double[] dataDensity = density(dataInitialStates, bins);
        List<JFreeChart> charts = new ArrayList<>();
        for (Map.Entry<String, double[]> entry : endStates.entrySet()) {
            charts.add(histogramChart(entry.getKey(), entry.getValue(), dataDensity, bins));
        }
        LegendItemCollection legend = new LegendItemCollection();
        for (int c = 0; c < CLASS_COLORS.length; c++) {
            LegendItem box = new LegendItem(CLASS_LABELS[c], CLASS_COLORS[c]);
            box.setShape(new Rectangle2D.Double(-6, -6, 12, 12));
            legend.add(box);
        }
        legend.add(lineItem("data x0", OUTLINE_STROKE, REFERENCE_COLOR));
        return renderPanels(charts, HISTOGRAM_PANEL_WIDTH, HISTOGRAM_PANEL_HEIGHT, legend);
    }

    private static JFreeChart histogramChart(String name, double[] states, double[] dataDensity, int bins) {
        double[] density = density(states, bins);
        double width = 2 * X_LIMIT / bins;

        // One series per class, so each keeps its colour; a bar belongs to the class of its centre.
        DefaultIntervalXYDataset bars = new DefaultIntervalXYDataset();
        XYBarRenderer barRenderer = new XYBarRenderer(0.0);
        barRenderer.setBarPainter(new StandardXYBarPainter());
        barRenderer.setShadowVisible(false);
        barRenderer.setDrawBarOutline(false);
        for (int c = 0; c < CLASS_COLORS.length; c++) {
            List<Integer> members = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                if (density[b] > 0 && endClass(edge(b, bins) + width / 2) == c) {
                    members.add(b);
                }
            }
            double[][] series = new double[6][members.size()];
            for (int k = 0; k < members.size(); k++) {
                int b = members.get(k);
                series[0][k] = edge(b, bins) + width / 2;
                series[1][k] = edge(b, bins);
                series[2][k] = edge(b + 1, bins);
                series[3][k] = density[b];
                series[4][k] = 0;
                series[5][k] = density[b];
            }
            bars.addSeries(CLASS_LABELS[c], series);
            barRenderer.setSeriesPaint(c, CLASS_COLORS[c]);
        }

        XYLineAndShapeRenderer outlineRenderer = new XYLineAndShapeRenderer(true, false);
        outlineRenderer.setDrawSeriesLineAsPath(true);
        outlineRenderer.setSeriesPaint(0, REFERENCE_COLOR);
        outlineRenderer.setSeriesStroke(0, OUTLINE_STROKE);
        DefaultXYDataset outline = new DefaultXYDataset();
        outline.addSeries("data x0", outline(dataDensity, bins));

        NumberAxis xAxis = axis("x(0)");
        xAxis.setRange(-X_LIMIT, X_LIMIT);
        xAxis.setTickUnit(new NumberTickUnit(0.5));
        NumberAxis yAxis = axis("density");
        yAxis.setAutoRangeIncludesZero(true);
        yAxis.setUpperMargin(0.08);
        XYPlot plot = new XYPlot(bars, xAxis, yAxis, barRenderer);
        plot.setDataset(1, outline);
        plot.setRenderer(1, outlineRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        stylePlot(plot);

        int n = states.length;
        int nearNegative = 0;
        int nearPositive = 0;
        int outside = 0;
        for (double x : states) {
            nearNegative += Math.abs(x + 1) <= WITHIN ? 1 : 0;
            nearPositive += Math.abs(x - 1) <= WITHIN ? 1 : 0;
            outside += Math.abs(x) > X_LIMIT ? 1 : 0;
        }
        return chart(name, plot,
                String.format(Locale.ROOT, "within %s of -1: %s, of +1: %s", WITHIN, percent(nearNegative, n),
                        percent(nearPositive, n)),
                "n = " + n + (outside == 0 ? "" : ", " + outside + " outside [-" + X_LIMIT + ", " + X_LIMIT + "]"));
    }

    /** The left edge of bin {@code b} (the right edge of the last bin for {@code b = bins}). */
    private static double edge(int b, int bins) {
        return b == bins ? X_LIMIT : -X_LIMIT + 2 * X_LIMIT * b / bins;
    }

    /** Density on the bins: count / (n w), with n counting values outside the range too. */
    static double[] density(double[] values, int bins) {
        double width = 2 * X_LIMIT / bins;
        double[] density = new double[bins];
        for (double x : values) {
            if (x < -X_LIMIT || x > X_LIMIT) {
                continue;
            }
            // Multiplying before dividing keeps -1 and +1 exactly on an edge when one falls there.
            int b = Math.min(bins - 1, (int) Math.floor((x + X_LIMIT) * bins / (2 * X_LIMIT)));
            density[b] += 1;
        }
        for (int b = 0; b < bins; b++) {
            density[b] /= values.length * width;
        }
        return density;
    }

    /**
     * The outline of a histogram as one series: a closed step line around each run of non-empty
     * bins, runs separated by a NaN (which breaks the line), so empty stretches draw nothing.
     */
    private static double[][] outline(double[] density, int bins) {
        List<double[]> points = new ArrayList<>();
        int b = 0;
        while (b < bins) {
            if (density[b] == 0) {
                b++;
                continue;
            }
            if (!points.isEmpty()) {
                points.add(new double[] {edge(b, bins), Double.NaN});
            }
            points.add(new double[] {edge(b, bins), 0});
            while (b < bins && density[b] > 0) {
                points.add(new double[] {edge(b, bins), density[b]});
                points.add(new double[] {edge(b + 1, bins), density[b]});
                b++;
            }
            points.add(new double[] {edge(b, bins), 0});
        }
        double[][] series = new double[2][points.size()];
        for (int k = 0; k < points.size(); k++) {
            series[0][k] = points.get(k)[0];
            series[1][k] = points.get(k)[1];
        }
        return series;
    }

    private static void validateHistograms(Map<String, double[]> endStates, double[] dataInitialStates, int bins) {
        Objects.requireNonNull(endStates, "endStates");
        Objects.requireNonNull(dataInitialStates, "dataInitialStates");
        if (endStates.isEmpty()) {
            throw new IllegalArgumentException("endStates is empty: no method to draw");
        }
        if (bins < 1 || bins > MAX_BINS) {
            throw new IllegalArgumentException("bins must be between 1 and " + MAX_BINS + ", got " + bins);
        }
        if (dataInitialStates.length == 0) {
            throw new IllegalArgumentException("dataInitialStates is empty: nothing to compare with");
        }
        for (int i = 0; i < dataInitialStates.length; i++) {
            if (!Double.isFinite(dataInitialStates[i])) {
                throw new IllegalArgumentException("data initial state " + i + " is not finite: "
                        + dataInitialStates[i]);
            }
        }
        for (Map.Entry<String, double[]> entry : endStates.entrySet()) {
            String name = checkName(entry.getKey());
            double[] states = entry.getValue();
            if (states == null || states.length == 0) {
                throw new IllegalArgumentException("'" + name + "' has no end states"
                        + (states == null ? " (null)" : ""));
            }
            for (int i = 0; i < states.length; i++) {
                if (!Double.isFinite(states[i])) {
                    throw new IllegalArgumentException("'" + name + "' end state " + i + " is not finite: "
                            + states[i]);
                }
            }
        }
    }

    // =====================================================================================
    // Shared
    // =====================================================================================

    /** The class of an end state at t = 0: near -1, near +1 (within {@code NEAR}) or elsewhere. */
    static int endClass(double x) {
        if (Math.abs(x + 1) < NEAR) {
            return NEGATIVE;
        }
        if (Math.abs(x - 1) < NEAR) {
            return POSITIVE;
        }
        return OTHER;
    }

    private static String checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a method has a null name");
        }
        return name;
    }

    private static String percent(int count, int n) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * count / n);
    }

    private static NumberAxis axis(String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setLabelFont(LABEL_FONT);
        axis.setTickLabelFont(TICK_FONT);
        axis.setLabelPaint(Color.BLACK);
        axis.setTickLabelPaint(Color.BLACK);
        return axis;
    }

    private static void stylePlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    }

    /** A chart with a title and subtitle lines, each one line (so all panels get the same plot height). */
    private static JFreeChart chart(String title, XYPlot plot, String... subtitles) {
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, false);
        chart.getTitle().setPaint(Color.BLACK);
        chart.getTitle().setMaximumLinesToDisplay(1);
        for (int k = 0; k < subtitles.length; k++) {
            TextTitle sub = new TextTitle(subtitles[k], SUBTITLE_FONT);
            sub.setPaint(Color.BLACK);
            sub.setMaximumLinesToDisplay(1);
            sub.setPadding(new RectangleInsets(k == 0 ? 2 : 0, 0, k == subtitles.length - 1 ? 4 : 0, 0));
            chart.addSubtitle(sub);
        }
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(6, 6, 4, 14));
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }

    private static LegendItem lineItem(String label, Stroke stroke, Color color) {
        Shape line = new Line2D.Double(-12, 0, 12, 0);
        return new LegendItem(label, null, null, null, line, stroke, color);
    }

    /**
     * The charts side by side, each {@code width x height}, and the legend centred in a band below:
     * {@link #LEGEND_HEIGHT} high, or higher if the legend needs more than one row (a narrow figure).
     */
    /** Panels per row: all of up to four side by side, more in a grid of about square shape (9 -> 3 x 3). */
    static int columns(int panels) {
        return panels <= 4 ? panels : (int) Math.ceil(Math.sqrt(panels));
    }

    private static Rendered renderPanels(List<JFreeChart> charts, int width, int height, LegendItemCollection items) {
        int columns = columns(charts.size());
        int rows = (charts.size() + columns - 1) / columns;
        int total = columns * width;
        LegendTitle legend = new LegendTitle(() -> items);
        legend.setItemFont(LEGEND_FONT);
        legend.setItemPaint(Color.BLACK);
        legend.setBackgroundPaint(Color.WHITE);
        legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
        RectangleConstraint fit = new RectangleConstraint(new Range(0, total - 20), new Range(0, 10 * LEGEND_HEIGHT));
        Size2D size;
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            size = legend.arrange(scratch, fit);
        } finally {
            scratch.dispose();
        }
        int band = Math.max(LEGEND_HEIGHT, (int) Math.ceil(size.height) + 16);

        BufferedImage image = new BufferedImage(total, rows * height + band, BufferedImage.TYPE_INT_RGB);
        List<Rectangle2D> areas = new ArrayList<>();
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (int p = 0; p < charts.size(); p++) {
                ChartRenderingInfo info = new ChartRenderingInfo(null); // no per-item entities
                charts.get(p).draw(g, new Rectangle2D.Double((p % columns) * width, (p / columns) * height, width, height),
                        info);
                areas.add((Rectangle2D) info.getPlotInfo().getDataArea().clone());
            }
            size = legend.arrange(g, fit);
            legend.draw(g, new Rectangle2D.Double((total - size.width) / 2, rows * height + (band - size.height) / 2,
                    size.width, size.height));
        } finally {
            g.dispose();
        }
        return new Rendered(image, List.copyOf(areas));
    }
}
