package dev.smdp4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files of {@code NAME.npy} entries, as
 * {@code np.savez} (stored) and {@code np.savez_compressed} (deflated) produce them.
 *
 * <p>Reading verifies each entry's CRC-32 (the JDK's {@link ZipFile} does not) and parses it with
 * {@link Npy}, so a corrupt, truncated or foreign file fails with an {@link InvalidInputException}
 * that names the file, never with a raw zip or I/O exception. Paths must be on the default file
 * system.
 *
 * <p>Writing uses stored (uncompressed) entries with a fixed timestamp, so equal arrays give
 * byte-identical files, and replaces the target atomically.
 */
public final class Npz {
    private static final String SUFFIX = ".npy";
    /** The earliest zip (DOS) timestamp; fixed so that output does not depend on the clock. */
    private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {}

    /**
     * Reads every array, keyed by entry name without {@code .npy}, in archive order.
     *
     * @throws InvalidInputException if the file is missing, unreadable, not a valid archive, or
     *     holds an entry that is not a valid float {@code .npy}
     */
    public static Map<String, HostArray> read(Path file) {
        return withZip(file, zip -> {
            Map<String, HostArray> arrays = new LinkedHashMap<>();
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String key = keyOf(entry, file);
                if (arrays.containsKey(key)) {
                    throw new InvalidInputException(file + ": the archive holds '" + key + "' twice");
                }
                arrays.put(key, readEntry(zip, entry, file));
            }
            return arrays;
        });
    }

    /**
     * Reads the single array stored under {@code key} (without {@code .npy}).
     *
     * @throws InvalidInputException as {@link #read(Path)}, or if there is no such key; the
     *     message then lists the keys present
     */
    public static HostArray read(Path file, String key) {
        return withZip(file, zip -> {
            ZipEntry entry = zip.getEntry(key + SUFFIX);
            if (entry == null) {
                throw new InvalidInputException(
                        file + ": no array named '" + key + "'; the file holds " + keys(zip, file));
            }
            return readEntry(zip, entry, file);
        });
    }

    /**
     * The shape of the array stored under {@code key}, from its header alone (the data are not
     * read, so this is cheap for large files; {@link #read(Path, String)} still checks the data).
     *
     * @throws InvalidInputException as {@link #read(Path, String)}
     */
    public static int[] shape(Path file, String key) {
        return withZip(file, zip -> {
            ZipEntry entry = zip.getEntry(key + SUFFIX);
            if (entry == null) {
                throw new InvalidInputException(
                        file + ": no array named '" + key + "'; the file holds " + keys(zip, file));
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Npy.readShape(in, file + " (entry '" + entry.getName() + "')");
            }
        });
    }

    /**
     * Writes {@code arrays} as an uncompressed {@code .npz}, replacing {@code file} atomically.
     *
     * @throws IllegalArgumentException if a key is empty or contains a NUL character
     * @throws InvalidInputException if the file cannot be written
     */
    public static void write(Path file, Map<String, HostArray> arrays) {
        arrays.keySet().forEach(Npz::checkKey);
        try {
            AtomicFiles.write(file, out -> writeZip(out, arrays));
        } catch (IOException e) {
            throw AtomicFiles.writeFailure(file, e);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads something from an open archive. */
    interface ZipReader<T> {
        T read(ZipFile zip) throws IOException;
    }

    /** Parses one archive entry from its (CRC-checked) stream. */
    interface EntryParser<T> {
        T parse(InputStream in) throws IOException;
    }

    private static <T> T withZip(Path file, ZipReader<T> reader) {
        return withZip(file, ".npz file", reader);
    }

    /**
     * Opens the archive and maps every failure to an {@link InvalidInputException} naming the file;
     * a broken archive is "not a valid {@code kind}". Shared with {@link Checkpoint}.
     */
    static <T> T withZip(Path file, String kind, ZipReader<T> reader) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return reader.read(zip);
        } catch (ZipException | EOFException e) {
            throw corrupt(file, kind, e);
        } catch (IOException e) {
            throw AtomicFiles.readFailure(file, e);
        } catch (IllegalArgumentException e) {
            // The JDK reports some malformed central directories (e.g. undecodable names) this way.
            throw corrupt(file, kind, e);
        }
    }

    private static InvalidInputException corrupt(Path file, String kind, Exception e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new InvalidInputException(
                file + ": not a valid " + kind + " (corrupt or truncated zip archive: "
                        + reason.replaceAll("\\s+", " ").trim() + ")",
                e);
    }

    private static String keyOf(ZipEntry entry, Path file) {
        String name = entry.getName();
        if (!name.endsWith(SUFFIX) || name.length() == SUFFIX.length()) {
            throw new InvalidInputException(file + ": entry '" + name + "' is not a .npy array");
        }
        return name.substring(0, name.length() - SUFFIX.length());
    }

    private static List<String> keys(ZipFile zip, Path file) {
        List<String> keys = new ArrayList<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            keys.add(keyOf(entry, file));
        }
        return keys;
    }

    private static HostArray readEntry(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        String where = file + " (entry '" + entry.getName() + "')";
        return readChecked(zip, entry, where, in -> Npy.read(in, where));
    }

    /**
     * Parses one entry and checks its CRC-32 (the JDK's {@link ZipFile} does not). When parsing
     * fails, the CRC is still checked so that a corrupt archive is reported as such rather than as
     * a puzzling parse error; a truncated or undecodable entry is "corrupt or truncated data".
     * Shared with {@link Checkpoint}.
     *
     * @param where the file and entry, as messages name them
     */
    static <T> T readChecked(ZipFile zip, ZipEntry entry, String where, EntryParser<T> parser) throws IOException {
        try (InputStream raw = zip.getInputStream(entry);
                CheckedInputStream in = new CheckedInputStream(raw, new CRC32())) {
            T value;
            try {
                value = parser.parse(in);
            } catch (InvalidInputException parseFailure) {
                in.transferTo(OutputStream.nullOutputStream());
                requireCrc(in, entry, where);
                throw parseFailure;
            }
            requireCrc(in, entry, where);
            return value;
        } catch (ZipException | EOFException e) {
            throw new InvalidInputException(where + ": corrupt or truncated data (" + AtomicFiles.reason(e) + ")", e);
        }
    }

    private static void requireCrc(CheckedInputStream in, ZipEntry entry, String where) {
        if (in.getChecksum().getValue() != entry.getCrc()) {
            throw new InvalidInputException(where + ": corrupt data (CRC-32 mismatch)");
        }
    }

    // ---------------------------------------------------------------- writing

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid .npz key: " + (key == null ? "null" : "'" + key + "'"));
        }
    }

    private static void writeZip(OutputStream out, Map<String, HostArray> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
            HostArray array = e.getValue();
            zip.putNextEntry(storedEntry(e.getKey() + SUFFIX, array));
            Npy.write(zip, array);
            zip.closeEntry();
        }
        // finish, not close: the caller owns the stream
        zip.finish();
    }

    /**
     * A stored entry must declare its size and CRC before its data. Encoding twice (once into the
     * checksum, once into the archive) costs little and avoids holding a second copy of the array.
     */
    private static ZipEntry storedEntry(String name, HostArray array) throws IOException {
        CheckedOutputStream checksum = new CheckedOutputStream(OutputStream.nullOutputStream(), new CRC32());
        Npy.write(checksum, array);
        long size = Npy.encodedLength(array);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(size);
        entry.setCompressedSize(size);
        entry.setCrc(checksum.getChecksum().getValue());
        entry.setTimeLocal(ZIP_EPOCH);
        return entry;
    }
}
