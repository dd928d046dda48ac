package dev.smdp4j.report;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The painter of {@link Figures#fieldGrid} (the paper's Figure 2), in plain Java2D. Neither
 * JFreeChart nor XChart lays out a grid of images with one colour scale and colour bar per row
 * (JFreeChart would need an {@code XYPlot} with an {@code XYBlockRenderer} per cell, placed by hand,
 * and a {@code PaintScaleLegend} per row; XChart's heat map is one chart with one legend), so this
 * class places the cells itself and paints each field pixel by pixel.
 */
final class FieldGrid {
    // ---- Layout, in pixels; package-private so tests can derive sizes. ----
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

    /** Blue-white-red stops at t = -1, -0.5, 0, 0.5, 1 (ColorBrewer RdBu ends, pure white centre). */
    private static final int[][] DIVERGING = {
        {33, 102, 172}, {146, 197, 222}, {255, 255, 255}, {244, 165, 130}, {178, 24, 43},
    };
    /** White-to-dark-purple stops at t = 0, 0.5, 1 (ColorBrewer Purples). */
    private static final int[][] SEQUENTIAL = {{255, 255, 255}, {158, 154, 200}, {63, 0, 125}};

    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font SMALL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color FRAME = new Color(60, 60, 60);
    private static final Color CELL_BORDER = new Color(190, 190, 190);

    private FieldGrid() {}

    /** The figure described at {@link Figures#fieldGrid}; the inputs are already validated. */
    static BufferedImage paint(
            List<String> rowLabels, List<String> columnLabels, double[][][][] fields, double[][] rowRanges) {
        int rows = rowLabels.size();
        int cols = columnLabels.size();
        boolean[] std = new boolean[cols];
        boolean hasValueColumns = false;
        boolean hasStdColumns = false;
        for (int c = 0; c < cols; c++) {
            std[c] = isStdColumn(columnLabels.get(c));
            hasStdColumns |= std[c];
            hasValueColumns |= !std[c];
        }

        Dimension size = size(rows, columnLabels);
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
                drawCentred(g, "std", barsLeft + COLOR_BAR_SLOT + COLOR_BAR_GAP + COLOR_BAR_WIDTH / 2, titleBaseline);
                g.setFont(FONT);
            }

            for (int r = 0; r < rows; r++) {
                int top = gridTop + r * (CELL + CELL_GAP);
                double scale = rowRanges != null
                        ? Math.max(Math.abs(rowRanges[r][0]), Math.abs(rowRanges[r][1]))
                        : rowMax(fields[r], std, false);
                double stdMax = rowMax(fields[r], std, true);

                g.setColor(Color.BLACK);
                int labelBaseline = top + CELL / 2 + (fm.getAscent() - fm.getDescent()) / 2;
                g.drawString(fit(rowLabels.get(r), fm, ROW_LABEL_WIDTH - 10), MARGIN, labelBaseline);

                for (int c = 0; c < cols; c++) {
                    if (fields[r][c] != null) {
                        int left = gridLeft + c * (CELL + CELL_GAP);
                        paintField(image, fields[r][c], left, top, std[c], std[c] ? stdMax : scale);
                        g.setColor(CELL_BORDER);
                        g.drawRect(left - 1, top - 1, CELL + 1, CELL + 1);
                    }
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
        return image;
    }

    /**
     * The pixel size of a field grid with {@code rows} rows and these columns: one colour-bar slot
     * for the value scale if some column is not a "std" column, one for the std scale if some is.
     */
    static Dimension size(int rows, List<String> columnLabels) {
        int cols = columnLabels.size();
        boolean anyStd = columnLabels.stream().anyMatch(FieldGrid::isStdColumn);
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

    /**
     * Over the row's non-null fields in the std columns ({@code wantStd}) or the others: the
     * largest value, at least 0, for the std columns; the largest |value| for the others.
     */
    private static double rowMax(double[][][] rowFields, boolean[] std, boolean wantStd) {
        double max = 0;
        for (int c = 0; c < rowFields.length; c++) {
            if (rowFields[c] != null && std[c] == wantStd) {
                for (double[] line : rowFields[c]) {
                    for (double v : line) {
                        max = Math.max(max, wantStd ? v : Math.abs(v));
                    }
                }
            }
        }
        return max;
    }

    /** Nearest-neighbour upscaling of one field into the CELL x CELL square at (left, top). */
    private static void paintField(
            BufferedImage image, double[][] field, int left, int top, boolean sequential, double scale) {
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
    private static void drawColorBar(
            Graphics2D g, BufferedImage image, int left, int top, boolean sequential, double scale) {
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
        int bottom = top + CELL - 1;
        int lift = (fm.getAscent() - fm.getDescent()) / 2;
        int[] ys = sequential ? new int[] {top, bottom} : new int[] {top, top + (CELL - 1) / 2, bottom};
        String[] labels = sequential
                ? new String[] {Charts.formatValue(scale), "0"}
                : new String[] {Charts.formatValue(scale), "0", Charts.formatValue(-scale)};
        for (int k = 0; k < ys.length; k++) {
            g.drawLine(left + COLOR_BAR_WIDTH, ys[k], tickRight, ys[k]);
            g.drawString(
                    fit(labels[k], fm, COLOR_BAR_SLOT - COLOR_BAR_GAP - COLOR_BAR_WIDTH - 8),
                    tickRight + 3,
                    ys[k] + lift);
        }
        g.setFont(FONT);
    }

    /** Blue (t = -1) through white (t = 0) to red (t = 1); t is clamped to [-1, 1]. */
    static int divergingRgb(double t) {
        return interpolate(DIVERGING, (Math.max(-1, Math.min(1, t)) + 1) / 2);
    }

    /** White (t = 0) to dark purple (t = 1); t is clamped to [0, 1]. */
    static int sequentialRgb(double t) {
        return interpolate(SEQUENTIAL, Math.max(0, Math.min(1, t)));
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
}
