package dev.smdp4j.io;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files atomically: readers see either the old complete file or the new complete file,
 * never a partial one, even if the process dies midway.
 *
 * <p>The content goes to a hidden temporary file in the target's directory (so the final rename
 * stays on one file system), is forced to disk, and is then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. On any failure the temporary file is deleted and an
 * existing target is left untouched.
 *
 * <p>This class also holds the package's shared wording for file errors, so that every reader and
 * writer in {@code dev.smdp4j.io} reports a missing or unreadable file the same way.
 */
public final class AtomicFiles {
    private static final int BUFFER_BYTES = 1 << 16;
    /** Keeps the temporary name within the usual 255-byte file-name limit. */
    private static final int MAX_NAME_PREFIX = 200;

    private AtomicFiles() {}

    /** A consumer that may throw {@link IOException}, for writing to a stream. */
    @FunctionalInterface
    public interface IoConsumer<T> {
        /** Consumes {@code t}, typically by writing to it. */
        void accept(T t) throws IOException;
    }

    /**
     * Creates {@code dir} and its parents unless they exist; failure is an {@link InvalidInputException}
     * naming the directory ("cannot create output directory DIR: reason").
     */
    public static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes.
     *
     * <p>The writer may close the stream it is given; the stream is buffered and is flushed and
     * synced here. If the writer throws (checked or unchecked), the exception propagates and the
     * target is unchanged.
     *
     * @throws IOException if the temporary file cannot be created, written, synced or renamed
     */
    public static void write(Path target, IoConsumer<OutputStream> writer) throws IOException {
        Path dir = directoryOf(target);
        Path temp = dir.resolve(tempName(target));
        // CREATE_NEW: we only ever delete a file that this call created.
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            try (channel) {
                writeAndForce(channel, writer);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            deleteAfterFailure(temp, failure);
            throw failure;
        }
        syncDirectory(dir);
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot write to a file-system root: " + target);
        }
        return parent;
    }

    private static String tempName(Path target) {
        String name = target.getFileName().toString();
        if (name.length() > MAX_NAME_PREFIX) {
            name = name.substring(0, MAX_NAME_PREFIX);
        }
        long random = ThreadLocalRandom.current().nextLong();
        return "." + name + ".tmp-" + Long.toUnsignedString(random, 36);
    }

    private static void writeAndForce(FileChannel channel, IoConsumer<OutputStream> writer) throws IOException {
        BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
        writer.accept(new NonClosingOutputStream(buffered));
        buffered.flush();
        // The data must be durable before the rename makes it visible under the target name.
        channel.force(true);
    }

    private static void deleteAfterFailure(Path temp, Throwable failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Makes the rename itself durable. Not every platform can open a directory, so best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // The file is complete and in place; only its durability across a power cut is weaker.
        }
    }

    /** "file not found: PATH" for a missing file, otherwise "cannot read PATH: reason". */
    static InvalidInputException readFailure(Path file, IOException e) {
        boolean missing =
                e instanceof NoSuchFileException || (e instanceof FileNotFoundException && Files.notExists(file));
        if (missing) {
            return new InvalidInputException("file not found: " + file, e);
        }
        return new InvalidInputException("cannot read " + file + ": " + reason(e), e);
    }

    /** "cannot write PATH: reason", naming a missing directory plainly. */
    static InvalidInputException writeFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InvalidInputException(
                    "cannot write " + file + ": directory "
                            + file.toAbsolutePath().getParent() + " does not exist",
                    e);
        }
        return new InvalidInputException("cannot write " + file + ": " + reason(e), e);
    }

    /** A one-line reason: file-system exceptions carry the path in the message, so prefer getReason. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String text =
                e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (text == null || text.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return text.replaceAll("\\s+", " ").trim();
    }

    /** Lets writers close their stream (as Jackson and ZipOutputStream do) without closing ours. */
    private static final class NonClosingOutputStream extends FilterOutputStream {
        NonClosingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
