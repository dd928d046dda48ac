package dev.smdp4j.io;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.Version;
import java.time.Instant;

/**
 * Which build wrote a file, and when: the fields every {@link Checkpoint} carries (bound by Jackson).
 *
 * @param library {@code smdp4j VERSION} ({@link Version#label()}, the one form of this field)
 * @param commit the build's commit ({@link Version#commit()}), {@code unknown} in files written before it was recorded
 * @param created when the file was written (ISO-8601)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Provenance(String library, String commit, String created) {

    public Provenance {
        commit = commit == null ? "unknown" : commit;
    }

    /** This build, now. */
    public static Provenance now() {
        return new Provenance(Version.label(), Version.commit(), Instant.now().toString());
    }

    /** The provenance fields of a document (absent ones null, an absent commit {@code unknown}). */
    public static Provenance of(JsonNode document) {
        return new Provenance(
                document.path("library").textValue(),
                document.path("commit").textValue(),
                document.path("created").textValue());
    }
}
