package dev.smdp4j.util;

import ai.djl.ndarray.NDManager;

/**
 * Starts the DJL engine in offline mode. Our machines reach only the package registries; without
 * these settings DJL tries telemetry and native downloads at start (see STACK.md).
 */
public final class Engines {
    private Engines() {}

    /** Sets offline mode and opts out of tracking; idempotent, call before the first engine use. */
    public static void configureOffline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /**
     * A new root manager with {@code threads} engine (intra-op) threads unless the user set
     * {@code ai.djl.pytorch.num_threads}; 0 keeps the engine's default. Takes effect only if the
     * engine has not started yet in this JVM. For tiny operations (a small MLP on a batch of
     * scalars), waking the second thread costs more than the operation: measured on this machine,
     * a forward pass of the toy SDE's network on 256 states took 42 ms with two threads and
     * 0.66 ms with one (docs/BENCHMARKS.md).
     */
    public static NDManager newManager(int threads) {
        if (threads > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        return newManager();
    }

    /**
     * Turns PyTorch's gradient recording off for the calling thread. The engine does so for the
     * thread that starts it, and the setting is per thread: code that runs the engine from other
     * threads (Spark's task threads) must call this first, or loading weights in place fails with
     * "a leaf Variable that requires grad is being used in an in-place operation". Starts the engine.
     */
    public static void noGradOnThisThread() {
        configureOffline();
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    /** A new root manager on the default (CPU) device, with offline mode set. */
    public static NDManager newManager() {
        configureOffline();
        return NDManager.newBaseManager();
    }
}
