package dev.smdp4j.nn;

import java.util.Map;

/** Reading architecture descriptions back from checkpoint JSON. */
final class ConfigMaps {
    private ConfigMaps() {
    }

    /** The whole number under {@code key} (JSON may give it as any number type). */
    static int integer(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number number)) {
            throw new IllegalArgumentException("'" + key + "' must be a number, got " + v);
        }
        double d = number.doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        }
        return (int) d;
    }
}
