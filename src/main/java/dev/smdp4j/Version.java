package dev.smdp4j;

/** The library version, from the jar manifest or the build's properties file. */
public final class Version {
    private Version() {
    }

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (var in = Version.class.getResourceAsStream("/smdp4j-version.properties")) {
            if (in != null) {
                var p = new java.util.Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (java.io.IOException e) {
            // fall through: a missing version is not worth failing for
        }
        return "unknown";
    }
}
