package dev.smdp4j.pipeline;

import dev.smdp4j.io.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The SMDP model shipped with the library (trained on the paper's protocol, provenance in its
 * metadata under {@code shipped}): what {@code smdp demo} and {@code smdp sample} without
 * {@code --model} use.
 */
public final class Pretrained {
    /** Classpath location of the shipped checkpoint (weights only, no optimizer state). */
    public static final String RESOURCE = "/models/smdp-heat-paper.ckpt";

    private static Path cached;

    private Pretrained() {
    }

    /** The shipped checkpoint as a file (copied once per process to a temporary file deleted on exit). */
    public static synchronized Path checkpoint() {
        if (cached != null && Files.isRegularFile(cached)) {
            return cached;
        }
        try (InputStream in = Pretrained.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new InvalidInputException("the shipped model " + RESOURCE + " is missing from the classpath; "
                        + "give --model CKPT");
            }
            Path file = Files.createTempFile("smdp-pretrained-", ".ckpt");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            cached = file;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the shipped model: " + e.getMessage(), e);
        }
    }
}
