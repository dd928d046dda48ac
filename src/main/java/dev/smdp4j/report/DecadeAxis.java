package dev.smdp4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.AttributedString;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A JFreeChart base-10 logarithmic axis that spans the shown values with a little padding and
 * chooses its own ticks, since {@link LogAxis} puts none below its first power of ten (a narrow
 * axis can end up without any) and draws no tick mark for a tick without a label.
 *
 * <p>Range: the values' span in decades widened by 4% on each side, half a decade each side for a
 * single value, 10^0..10^1 with nothing to show. Ticks: a major tick per power of ten, labelled
 * {@code 10^e} (with more than ten of them, only every k-th is labelled) and drawn with a grid
 * line; minor ticks at 2..9 times a power of ten when the axis spans at most six decades. An axis
 * spanning less than two decades also labels its minor ticks at 2 and 5 times a power of ten (all
 * of them below 0.7 decades) as plain numbers; one without any label gets its end values.
 */
final class DecadeAxis extends LogAxis {
    /** Padding on each side, as a fraction of the data's span in decades. */
    private static final double PAD = 0.04;
    /** Most labelled powers of ten. */
    private static final int MAX_LABELS = 10;
    /** Tick marks and axis line: dark grey, like the plot's frame. */
    static final Color FRAME = new Color(60, 60, 60);

    /** A labelled axis covering [min, max] (both positive, min <= max) or, if there is no such range, 1..10. */
    DecadeAxis(String label, double min, double max, Font tickFont) {
        super(label);
        double lo = 0;
        double hi = 1;
        if (min > 0 && max >= min && Double.isFinite(max)) {
            lo = Math.log10(min);
            hi = Math.log10(max);
            if (hi - lo < 1e-9) {
                lo -= 0.5;
                hi += 0.5;
            }
            double pad = PAD * (hi - lo);
            lo -= pad;
            hi += pad;
        }
        setRange(Math.pow(10, lo), Math.pow(10, hi));
        // The exponent format of the 10^e labels; refreshTicks below chooses the ticks themselves.
        setTickUnit(new NumberTickUnit(1, new DecimalFormat("0"), 9));
        setMinorTickMarksVisible(true);
        setMinorTickMarkOutsideLength(3);
        setTickMarkOutsideLength(6);
        setTickMarkPaint(FRAME);
        setTickMarkStroke(new BasicStroke(1f));
        setAxisLinePaint(FRAME);
        setAxisLineStroke(new BasicStroke(1f));
        Charts.styled(this, tickFont);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        TextAnchor anchor = edge == RectangleEdge.LEFT
                ? TextAnchor.CENTER_RIGHT
                : edge == RectangleEdge.RIGHT
                        ? TextAnchor.CENTER_LEFT
                        : edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
        double lo = Math.log10(getLowerBound());
        double hi = Math.log10(getUpperBound());
        int first = (int) Math.ceil(lo);
        int every = Math.max(1, (int) Math.ceil(((int) Math.floor(hi) - first + 1) / (double) MAX_LABELS));
        boolean minor = hi - lo <= 6;
        boolean labelMinor = hi - lo < 2;
        boolean labelAllMinor = hi - lo < 0.7;
        List<LogTick> ticks = new ArrayList<>();
        boolean labelled = false;
        for (int e = (int) Math.floor(lo); e <= (int) Math.floor(hi); e++) {
            for (int m = 1; m <= 9; m++) {
                double v = m * Math.pow(10, e);
                if (!getRange().contains(v) || (m > 1 && !minor)) {
                    continue;
                }
                boolean label = m == 1 ? (e - first) % every == 0 : labelMinor && (labelAllMinor || m == 2 || m == 5);
                labelled |= label;
                AttributedString text = !label ? text(" ") : m == 1 ? createTickLabel(v) : text(Charts.formatValue(v));
                ticks.add(new LogTick(m == 1 ? TickType.MAJOR : TickType.MINOR, v, text, anchor));
            }
        }
        if (!labelled) {
            for (double end : new double[] {getLowerBound(), getUpperBound()}) {
                ticks.add(new LogTick(TickType.MINOR, end, text(Charts.formatValue(end)), anchor));
            }
        }
        return ticks;
    }

    /** A plain tick label; a blank one still makes JFreeChart draw the tick mark. */
    private AttributedString text(String s) {
        AttributedString text = new AttributedString(s);
        text.addAttributes(getTickLabelFont().getAttributes(), 0, s.length());
        return text;
    }
}
