package dev.smdp4j.util;

import ai.djl.ndarray.NDManager;

/**
 * Starts the DJL engine in offline mode. Our machines reach only the package registries; without
 * these settings DJL tries telemetry and native downloads at start (see STACK.md).
 */
public final class Engines {
    private Engines() {
    }

    /** Sets offline mode and opts out of tracking; idempotent, call before the first engine use. */
    public static void configureOffline() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** A new root manager on the default (CPU) device, with offline mode set. */
    public static NDManager newManager() {
        configureOffline();
        return NDManager.newBaseManager();
    }
}
