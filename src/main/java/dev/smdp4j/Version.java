package dev.smdp4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The library's version and the commit its classes were built from, both written into
 * {@code smdp4j-version.properties} by the Maven build (the commit by git-commit-id from the
 * project's own repository, never from the directory a user runs a command in).
 */
public final class Version {
    private static final Properties BUILD = load();

    private Version() {}

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : property("version");
    }

    /**
     * The commit of the build (12 hex digits), with {@code -dirty} when the working tree had
     * uncommitted changes at build time, or {@code unknown} (built outside a git checkout).
     */
    public static String commit() {
        String c = property("commit");
        if (!c.matches("[0-9a-f]{7,40}")) {
            return "unknown";
        }
        return "true".equals(BUILD.getProperty("dirty")) ? c + "-dirty" : c;
    }

    /** The one form of the {@code library} field of every provenance record: {@code smdp4j VERSION}. */
    public static String label() {
        return "smdp4j " + get();
    }

    private static String property(String key) {
        String v = BUILD.getProperty(key, "unknown");
        return v.isBlank() || v.startsWith("${") ? "unknown" : v;
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/smdp4j-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a missing version is not worth failing for: every field reads "unknown"
        }
        return p;
    }
}
