package dev.smdp4j.util;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT/SIGTERM into a request to stop at the next safe point. The JVM runs shutdown hooks
 * on these signals; the hook raises a flag and then waits (up to a bound) until the long-running
 * command calls {@link #close()} after saving its state, so the last checkpoint is complete.
 */
public final class Interruption implements AutoCloseable {
    private static final long GRACE_SECONDS = 120;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;

    public Interruption() {
        hook = new Thread(
                () -> {
                    requested = true;
                    System.err.println(
                            "\ninterrupted: finishing the current step and saving; a second signal does not speed this up");
                    try {
                        finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "smdp-interruption");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * For work that needs no saving on a signal because every output is written atomically
     * ({@code sample}, {@code generate}, the sampling stages of {@code reproduce}): on SIGINT/SIGTERM
     * prints {@code "interrupted: " + message} (what was kept, how to continue) and lets the JVM exit
     * at once. Closing the returned handle removes the notice.
     */
    public static Notice notice(String message) {
        Thread hook = new Thread(
                () -> {
                    System.err.println("\ninterrupted: " + message);
                    System.err.flush();
                },
                "smdp-interruption-notice");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutdown already in progress: the notice is being printed
            }
        };
    }

    /** A registered notice; closing it removes it. */
    public interface Notice extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether a stop was requested. */
    public boolean requested() {
        return requested;
    }

    /** Marks the work as saved; the shutdown (if one is under way) may proceed. */
    @Override
    public void close() {
        finished.countDown();
        if (!requested) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutdown already in progress
            }
        }
    }
}
