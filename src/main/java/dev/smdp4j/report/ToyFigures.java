package dev.smdp4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
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
 * index), create missing parent directories and write atomically through
 * {@link dev.smdp4j.io.AtomicFiles}: a reader never sees a partial PNG, and a failed write leaves an
 * existing file untouched. I/O failures surface as {@link UncheckedIOException} naming the file.
 */
public final class ToyFigures {
    // ---- Layout in pixels; package-private so tests can derive sizes. ----
    /** Width of one trajectory panel. */
    static final int TRAJECTORY_PANEL_WIDTH = 440;
    /** Height of one trajectory panel (the legend band comes below). */
    static final int TRAJECTORY_PANEL_HEIGHT = 420;
    /** Width of one histogram panel. */
    static final int HISTOGRAM_PANEL_WIDTH = 440;
    /** Height of one histogram panel (the legend band comes below). */
    static final int HISTOGRAM_PANEL_HEIGHT = 380;

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

    private static final Stroke REFERENCE_STROKE =
            new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    private static final Stroke PATH_STROKE = new BasicStroke(1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final Stroke OUTLINE_STROKE = new BasicStroke(1.5f);

    /** Classes of end states, in legend order. */
    private static final int NEGATIVE = 0;

    private static final int POSITIVE = 1;
    private static final int OTHER = 2;
    static final Color[] CLASS_COLORS = {NEGATIVE_COLOR, POSITIVE_COLOR, OTHER_COLOR};
    static final String[] CLASS_LABELS = {
        "x(0) within " + NEAR + " of -1", "x(0) within " + NEAR + " of +1", "x(0) elsewhere",
    };

    private ToyFigures() {}

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
        Charts.write(png, renderTrajectories(times, paths, maxPaths).image());
    }

    /** {@link #trajectories} without writing: the image and each panel's data area. */
    static Charts.Rendered renderTrajectories(double[] times, Map<String, double[][]> paths, int maxPaths) {
        validateTrajectories(times, paths, maxPaths);
        List<JFreeChart> charts = new ArrayList<>();
        for (Map.Entry<String, double[][]> entry : paths.entrySet()) {
            charts.add(trajectoryChart(entry.getKey(), times, entry.getValue(), maxPaths));
        }
        LegendItemCollection legend = new LegendItemCollection();
        for (int c = 0; c < CLASS_COLORS.length; c++) {
            legend.add(Charts.lineItem(CLASS_LABELS[c], new BasicStroke(2.5f), CLASS_COLORS[c]));
        }
        legend.add(Charts.lineItem("x = -1, +1 (data x0)", REFERENCE_STROKE, REFERENCE_COLOR));
        return Charts.panels(charts, TRAJECTORY_PANEL_WIDTH, TRAJECTORY_PANEL_HEIGHT, legend);
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
        Charts.stylePlot(plot);
        for (double level : new double[] {-1, 1}) {
            ValueMarker marker = new ValueMarker(level, REFERENCE_COLOR, REFERENCE_STROKE);
            plot.addRangeMarker(marker);
        }

        String modes = String.format(
                Locale.ROOT,
                "x(0) near -1: %s, near +1: %s",
                percent(counts[NEGATIVE], n),
                percent(counts[POSITIVE], n));
        String drawnPaths = shown == n ? "all " + n + " paths drawn" : shown + " of " + n + " paths drawn";
        return Charts.chart(name, Charts.TITLE_FONT, plot, modes, drawnPaths);
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
                throw new IllegalArgumentException("times must increase strictly, but times[" + j + "] = " + times[j]
                        + " follows times[" + (j - 1) + "] = " + times[j - 1]);
            }
        }
        for (Map.Entry<String, double[][]> entry : paths.entrySet()) {
            String name = checkName(entry.getKey());
            double[][] method = entry.getValue();
            if (method == null || method.length == 0) {
                throw new IllegalArgumentException("'" + name + "' has no paths" + (method == null ? " (null)" : ""));
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
    public static void endStateHistograms(
            Path png, Map<String, double[]> endStates, double[] dataInitialStates, int bins) {
        Objects.requireNonNull(png, "png");
        Charts.write(
                png, ToyHistograms.render(endStates, dataInitialStates, bins).image());
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

    static String checkName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a method has a null name");
        }
        return name;
    }

    static String percent(int count, int n) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * count / n);
    }

    /** A linear axis with the package's fonts. */
    static NumberAxis axis(String label) {
        return Charts.styled(new NumberAxis(label), Charts.TICK_FONT);
    }
}
