package dev.smdp4j.report;

import static dev.smdp4j.report.ToyFigures.CLASS_COLORS;
import static dev.smdp4j.report.ToyFigures.CLASS_LABELS;
import static dev.smdp4j.report.ToyFigures.HISTOGRAM_PANEL_HEIGHT;
import static dev.smdp4j.report.ToyFigures.HISTOGRAM_PANEL_WIDTH;
import static dev.smdp4j.report.ToyFigures.MAX_BINS;
import static dev.smdp4j.report.ToyFigures.OUTLINE_STROKE;
import static dev.smdp4j.report.ToyFigures.REFERENCE_COLOR;
import static dev.smdp4j.report.ToyFigures.WITHIN;
import static dev.smdp4j.report.ToyFigures.X_LIMIT;
import static dev.smdp4j.report.ToyFigures.axis;
import static dev.smdp4j.report.ToyFigures.checkName;
import static dev.smdp4j.report.ToyFigures.endClass;
import static dev.smdp4j.report.ToyFigures.percent;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultIntervalXYDataset;
import org.jfree.data.xy.DefaultXYDataset;

/**
 * The charts of {@link ToyFigures#endStateHistograms}: per sampler the density histogram of its
 * end states, bars coloured by the end-state class of their centres, over the data's initial states
 * drawn as an outline on the same bins.
 */
final class ToyHistograms {
    private ToyHistograms() {}

    /** {@link ToyFigures#endStateHistograms} without writing: the image and each panel's data area. */
    static Charts.Rendered render(Map<String, double[]> endStates, double[] dataInitialStates, int bins) {
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
        legend.add(Charts.lineItem("data x0", OUTLINE_STROKE, REFERENCE_COLOR));
        return Charts.panels(charts, HISTOGRAM_PANEL_WIDTH, HISTOGRAM_PANEL_HEIGHT, legend);
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
        Charts.stylePlot(plot);

        int n = states.length;
        int nearNegative = 0;
        int nearPositive = 0;
        int outside = 0;
        for (double x : states) {
            nearNegative += Math.abs(x + 1) <= WITHIN ? 1 : 0;
            nearPositive += Math.abs(x - 1) <= WITHIN ? 1 : 0;
            outside += Math.abs(x) > X_LIMIT ? 1 : 0;
        }
        String modes = String.format(
                Locale.ROOT,
                "within %s of -1: %s, of +1: %s",
                WITHIN,
                percent(nearNegative, n),
                percent(nearPositive, n));
        String count =
                "n = " + n + (outside == 0 ? "" : ", " + outside + " outside [-" + X_LIMIT + ", " + X_LIMIT + "]");
        return Charts.chart(name, Charts.TITLE_FONT, plot, modes, count);
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
                throw new IllegalArgumentException(
                        "data initial state " + i + " is not finite: " + dataInitialStates[i]);
            }
        }
        for (Map.Entry<String, double[]> entry : endStates.entrySet()) {
            String name = checkName(entry.getKey());
            double[] states = entry.getValue();
            if (states == null || states.length == 0) {
                throw new IllegalArgumentException(
                        "'" + name + "' has no end states" + (states == null ? " (null)" : ""));
            }
            for (int i = 0; i < states.length; i++) {
                if (!Double.isFinite(states[i])) {
                    throw new IllegalArgumentException(
                            "'" + name + "' end state " + i + " is not finite: " + states[i]);
                }
            }
        }
    }
}
