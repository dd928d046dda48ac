package dev.smdp4j;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Garbage-collector pressure for tests: a daemon thread that calls {@code System.gc()} and
 * allocates heap arrays and small direct buffers (the kind DJL wraps host data in) in a loop, so
 * that collections fall between any two engine calls of the code under test and freed native
 * memory is handed out again at once. Closing stops the thread.
 */
public final class GcPressure implements AutoCloseable {
    private final Thread thread;
    private final AtomicLong collections = new AtomicLong();
    private volatile boolean running = true;
    /** Sink for the allocations, so that the JIT cannot remove them. */
    private volatile Object sink;

    private GcPressure() {
        thread = new Thread(this::run, "gc-pressure");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the pressure thread. */
    public static GcPressure start() {
        return new GcPressure();
    }

    private void run() {
        long round = 0;
        while (running) {
            System.gc();
            collections.incrementAndGet();
            List<Object> junk = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                ByteBuffer b =
                        ByteBuffer.allocateDirect(4 + (int) ((round * 131 + i * 1031) % (i % 2 == 0 ? 4096 : 65536)));
                while (b.remaining() >= 4) {
                    b.putFloat(Float.NaN); // what a reader of freed memory would see
                }
                junk.add(b);
                junk.add(new float[256 + i]);
            }
            sink = junk;
            round++;
        }
    }

    /** The number of {@code System.gc()} calls made so far. */
    public long collections() {
        return collections.get();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink = null;
    }
}
