package dev.smdp4j.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr: done/total, rate, ETA and a caller-supplied status (loss, window
 * size...). On a terminal it redraws one line; otherwise (logs, CI) it prints a line at most every
 * {@code 10} seconds. Silent when disabled. The system property {@value #LINES_PROPERTY} forces
 * lines on a terminal too: {@code smdp reproduce} sets it for the trainings it runs side by side in
 * child processes, whose redrawn lines would overwrite each other.
 */
public final class Progress {
    /** Set to {@code true} to print lines instead of redrawing one, even on a terminal. */
    public static final String LINES_PROPERTY = "smdp.progress.lines";

    private final String label;
    private final long total;
    private final String unit;
    private final PrintStream out;
    private final boolean enabled;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastPrint;
    private long done;
    private long initial;

    public Progress(String label, long total, String unit, boolean enabled) {
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.out = System.err;
        this.enabled = enabled;
        this.terminal = System.console() != null && !Boolean.getBoolean(LINES_PROPERTY);
    }

    /** Starts from {@code count} units already done (a resumed run): they count as done, not into the rate. */
    public void resumeAt(long count) {
        done = count;
        initial = count;
    }

    /** Records {@code count} more units done and redraws if due. */
    public void advance(long count, String status) {
        done += count;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        long interval = terminal ? 200_000_000L : 10_000_000_000L;
        if (now - lastPrint >= interval || done >= total) {
            lastPrint = now;
            out.print((terminal ? "\r" : "") + line(now, status) + (terminal ? "" : "\n"));
            out.flush();
        }
    }

    /** Ends the bar with a final line. */
    public void finish(String status) {
        if (enabled) {
            out.print((terminal ? "\r" : "") + line(System.nanoTime(), status) + "\n");
            out.flush();
        }
    }

    private String line(long now, String status) {
        double seconds = (now - start) / 1e9;
        double rate = (done - initial) / Math.max(seconds, 1e-9);
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        int width = 24;
        int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
        return String.format(
                Locale.ROOT,
                "%s [%s%s] %d/%d %s, %.1f %s/s, %s elapsed, ETA %s %s",
                label,
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                unit,
                rate,
                unit,
                clock(seconds),
                clock(eta),
                status == null ? "" : status);
    }

    /** {@code h:mm:ss}. */
    public static String clock(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
