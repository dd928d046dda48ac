package dev.smdp4j.report;

import dev.smdp4j.io.AtomicFiles;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.Size2D;
import org.jfree.data.Range;

/**
 * What the charts of this package share: JFreeChart styling (fonts, white plots with light grid
 * lines), rendering charts side by side with one legend below, and writing a PNG atomically
 * through {@link AtomicFiles}.
 */
final class Charts {
    static {
        // Rendering never needs a display; setting this before AWT starts avoids touching X11.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Color GRID = new Color(225, 225, 225);

    /**
     * Height of the legend band below side-by-side panels; a figure too narrow for the legend in
     * one row (a single panel) gets a higher band.
     */
    static final int LEGEND_HEIGHT = 40;

    private Charts() {}

    /** A rendered figure and the data area (plot area inside the axes) of each panel, left to right. */
    record Rendered(BufferedImage image, List<Rectangle2D> dataAreas) {}

    /** The axis with the package's fonts and black labels. */
    static <A extends ValueAxis> A styled(A axis, Font tickFont) {
        axis.setLabelFont(LABEL_FONT);
        axis.setTickLabelFont(tickFont);
        axis.setLabelPaint(Color.BLACK);
        axis.setTickLabelPaint(Color.BLACK);
        return axis;
    }

    /** White background, grey frame, light solid grid lines, axes flush with the data area. */
    static void stylePlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    }

    /**
     * A chart without a built-in legend, with a title (none if {@code null}) and subtitle
     * lines, each kept to one line so that all panels of a figure get the same plot height.
     */
    static JFreeChart chart(String title, Font titleFont, XYPlot plot, String... subtitles) {
        JFreeChart chart = new JFreeChart(null, titleFont, plot, false);
        if (title != null) {
            chart.setTitle(new TextTitle(title, titleFont));
            chart.getTitle().setPaint(Color.BLACK);
            chart.getTitle().setMaximumLinesToDisplay(1);
        }
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

    /** A legend entry drawn as a short line in the given stroke and colour. */
    static LegendItem lineItem(String label, Stroke stroke, Color color) {
        Shape line = new Line2D.Double(-12, 0, 12, 0);
        return new LegendItem(label, null, null, null, line, stroke, color);
    }

    /** Panels per row: all of up to four side by side, more in a grid of about square shape (9 -> 3 x 3). */
    static int columns(int panels) {
        return panels <= 4 ? panels : (int) Math.ceil(Math.sqrt(panels));
    }

    /**
     * The charts in rows of {@link #columns} panels, each {@code width x height}, and the legend
     * centred in a band below: {@link #LEGEND_HEIGHT} high, or higher if the legend needs more than
     * one row (a narrow figure).
     */
    static Rendered panels(List<JFreeChart> charts, int width, int height, LegendItemCollection items) {
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
                areas.add(draw(g, charts.get(p), (p % columns) * width, (p / columns) * height, width, height));
            }
            size = legend.arrange(g, fit);
            legend.draw(
                    g,
                    new Rectangle2D.Double(
                            (total - size.width) / 2,
                            rows * height + (band - size.height) / 2,
                            size.width,
                            size.height));
        } finally {
            g.dispose();
        }
        return new Rendered(image, List.copyOf(areas));
    }

    /** One chart filling a {@code width x height} image. */
    static Rendered single(JFreeChart chart, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            Rectangle2D area = draw(g, chart, 0, 0, width, height);
            return new Rendered(image, List.of(area));
        } finally {
            g.dispose();
        }
    }

    /** Draws the chart into the rectangle and returns its data area. */
    private static Rectangle2D draw(Graphics2D g, JFreeChart chart, double x, double y, double width, double height) {
        ChartRenderingInfo info = new ChartRenderingInfo(null); // no per-item entities
        chart.draw(g, new Rectangle2D.Double(x, y, width, height), info);
        return (Rectangle2D) info.getPlotInfo().getDataArea().clone();
    }

    /**
     * Writes the image as PNG through {@link AtomicFiles} (a reader never sees a partial file, a
     * failed write leaves an existing file untouched), creating missing parent directories.
     *
     * @throws UncheckedIOException "cannot write figure PATH: reason" if the file cannot be written
     */
    static void write(Path png, BufferedImage image) {
        try {
            Path dir = png.toAbsolutePath().getParent();
            if (dir == null) {
                throw new IOException("no parent directory");
            }
            Files.createDirectories(dir);
            AtomicFiles.write(png, out -> {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG image writer available");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write figure " + png + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                    e);
        }
    }

    /** Formats a tick or colour-bar value with 3 significant digits: "1.23", "-0.05", "1.5e-5", "2e4". */
    static String formatValue(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e4) {
            return new BigDecimal(v)
                    .round(new MathContext(3))
                    .stripTrailingZeros()
                    .toPlainString();
        }
        String text = String.format(Locale.ROOT, "%.2e", v);
        int e = text.indexOf('e');
        String mantissa = text.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return mantissa + "e" + Integer.parseInt(text.substring(e + 1));
    }
}
