package dev.smdp4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smdp4j.Version;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A data set directory: {@code train.npz} (key {@code x0}), {@code test.npz} (keys {@code x0},
 * {@code y}), optionally {@code trajectories.npz} (key {@code traj}), all float32 in physical units,
 * and {@code dataset.json} with the problem, every parameter, the normalisation and a SHA-256 of
 * each file. A manifest without a problem (earlier versions) is a heat benchmark.
 * {@code dataset.json} is written last, so its presence marks a complete directory.
 */
public final class DatasetStore {
    public static final String MANIFEST = "dataset.json";
    public static final String TRAIN = "train.npz";
    public static final String TEST = "test.npz";
    public static final String TRAJECTORIES = "trajectories.npz";
    static final String FORMAT = "smdp4j-dataset";
    /** Version 2 adds the manifest's own checksum ({@link Json#CHECKSUM_FIELD}); version 1 is still read. */
    static final int FORMAT_VERSION = 2;

    private final Path dir;
    private final DatasetSpec spec;
    private final Normalisation normalisation;
    private final JsonNode manifest;

    private DatasetStore(Path dir, DatasetSpec spec, Normalisation normalisation, JsonNode manifest) {
        this.dir = dir;
        this.spec = spec;
        this.normalisation = normalisation;
        this.manifest = manifest;
    }

    /** Writes {@code data} into {@code dir} (created if needed); every file atomically, the manifest last. */
    public static void write(Path dir, Dataset data) {
        write(dir, data, null);
    }

    /**
     * As {@link #write(Path, Dataset)}; with {@code imported} (a description of the source, e.g.
     * file and SHA-256) the data set's trajectories are the training data: training takes its
     * states from {@code trajectories.npz} instead of simulating from {@code train.npz}.
     */
    public static void write(Path dir, Dataset data, Map<String, Object> imported) {
        if (imported != null && data.trajectories() == null) {
            throw new IllegalArgumentException("an imported data set needs its trajectories");
        }
        AtomicFiles.createDirectories(dir);
        try {
            // An interrupted overwrite must not leave the old manifest certifying a mix of files.
            Files.deleteIfExists(dir.resolve(MANIFEST));
        } catch (IOException e) {
            throw new InvalidInputException("cannot replace " + dir.resolve(MANIFEST) + ": " + e.getMessage(), e);
        }
        Npz.write(dir.resolve(TRAIN), Map.of("x0", data.trainX0()));
        Map<String, HostArray> test = new LinkedHashMap<>();
        test.put("x0", data.testX0());
        test.put("y", data.testY());
        Npz.write(dir.resolve(TEST), test);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put(
                TRAIN, fileEntry(dir.resolve(TRAIN), Map.of("x0", data.trainX0().shape())));
        files.put(
                TEST,
                fileEntry(
                        dir.resolve(TEST),
                        Map.of("x0", data.testX0().shape(), "y", data.testY().shape())));
        if (data.trajectories() != null) {
            Npz.write(dir.resolve(TRAJECTORIES), Map.of("traj", data.trajectories()));
            files.put(
                    TRAJECTORIES,
                    fileEntry(
                            dir.resolve(TRAJECTORIES),
                            Map.of("traj", data.trajectories().shape())));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("library", Version.label());
        m.put("created", Instant.now().toString());
        m.put(
                "units",
                "files hold physical units; normalised = (x - mean) / std; noise levels are in normalised units");
        m.put("parameters", data.spec().toMap());
        m.put(
                "normalisation",
                Map.of(
                        "mean",
                        data.normalisation().mean(),
                        "std",
                        data.normalisation().std()));
        m.put("problem", data.spec().problem().name());
        m.put(
                "state_shape",
                Arrays.stream(data.spec().problem().stateShape()).boxed().toList());
        if (imported != null) {
            m.put("imported", imported);
            m.put("train_on_trajectories", true);
        }
        m.put("files", files);
        Json.writeChecked(dir.resolve(MANIFEST), m);
    }

    private static Map<String, Object> fileEntry(Path file, Map<String, int[]> keys) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("sha256", Hashing.sha256(file));
        Map<String, Object> shapes = new LinkedHashMap<>();
        keys.forEach((k, s) -> shapes.put(k, Arrays.stream(s).boxed().toList()));
        e.put("keys", shapes);
        return e;
    }

    /** Opens the data set in {@code dir}; a missing or malformed manifest is an {@link InvalidInputException}. */
    public static DatasetStore open(Path dir) {
        Path manifestPath = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestPath)) {
            throw new InvalidInputException("no data set in " + dir + ": " + MANIFEST
                    + " is missing (create one with 'smdp generate --out " + dir + "')");
        }
        JsonNode m = Json.readChecked(manifestPath, false);
        if (!FORMAT.equals(m.path("format").asText())) {
            throw new InvalidInputException(manifestPath + ": not an smdp4j data set manifest");
        }
        int version =
                m.path("format_version").isInt() ? m.path("format_version").intValue() : -1;
        if (version != 1 && version != FORMAT_VERSION) {
            throw new InvalidInputException(manifestPath + ": unsupported format_version " + m.path("format_version")
                    + " (this build reads 1 and " + FORMAT_VERSION + ")");
        }
        if (version >= 2) {
            Json.readChecked(manifestPath, true); // from version 2 on, the checksum is required
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> params = new ObjectMapper().convertValue(m.path("parameters"), Map.class);
        DatasetSpec spec = DatasetSpec.fromMap(params, manifestPath.toString());
        try {
            spec.validateForData();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(manifestPath + ": impossible data set parameter: " + e.getMessage(), e);
        }
        JsonNode norm = m.path("normalisation");
        if (!norm.path("mean").isNumber() || !norm.path("std").isNumber()) {
            throw new InvalidInputException(manifestPath + ": normalisation mean/std missing");
        }
        return new DatasetStore(
                dir,
                spec,
                new Normalisation(norm.get("mean").asDouble(), norm.get("std").asDouble()),
                m);
    }

    /** The manifest beside a data file such as {@code DIR/test.npz}. */
    public static DatasetStore besideFile(Path dataFile) {
        Path parent = dataFile.toAbsolutePath().getParent();
        if (parent == null || !Files.isRegularFile(parent.resolve(MANIFEST))) {
            throw new InvalidInputException(
                    "no " + MANIFEST + " beside " + dataFile
                            + ": the normalisation and physics parameters are unknown (use a directory written by 'smdp generate')");
        }
        return open(parent);
    }

    /**
     * True when {@code dir} holds what an interrupted {@link #write} leaves: no manifest, and only
     * data set files and hidden temporary files. Such a directory may be regenerated without
     * {@code --force}, since the manifest (written last) never certified its content.
     */
    public static boolean isIncomplete(Path dir) {
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(MANIFEST))) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .allMatch(name -> name.equals(TRAIN)
                            || name.equals(TEST)
                            || name.equals(TRAJECTORIES)
                            || name.startsWith("." + MANIFEST + ".tmp-")
                            || name.startsWith("." + TRAIN + ".tmp-")
                            || name.startsWith("." + TEST + ".tmp-")
                            || name.startsWith("." + TRAJECTORIES + ".tmp-"));
        } catch (IOException e) {
            throw new InvalidInputException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** True when {@code dir} does not exist or is an empty directory. */
    public static boolean isEmptyOrAbsent(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public DatasetSpec spec() {
        return spec;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    public boolean hasTrajectories() {
        return manifest.path("files").has(TRAJECTORIES);
    }

    /** Whether training takes its states from the stored trajectories (an imported data set), not from simulations. */
    public boolean trainsOnTrajectories() {
        return manifest.path("train_on_trajectories").asBoolean(false);
    }

    /** The training trajectories {@code [n_train, M + 1, ...state]}, physical units, validated. */
    public HostArray trajectories() {
        if (!hasTrajectories()) {
            throw new InvalidInputException(dir + " holds no " + TRAJECTORIES);
        }
        return load(
                TRAJECTORIES,
                "traj",
                spec.trainSize(),
                dev.smdp4j.util.Shapes.prepend(spec.steps() + 1, spec.problem().stateShape()));
    }

    /** Training initial states {@code [n_train, ...state]}, physical units, validated. */
    public HostArray trainX0() {
        return load(TRAIN, "x0", spec.trainSize());
    }

    /** Test initial states {@code [n_test, ...state]}, physical units, validated. */
    public HostArray testX0() {
        return load(TEST, "x0", spec.testSize());
    }

    /** Test observations {@code [n_test, ...state]}, physical units, validated. */
    public HostArray testY() {
        return load(TEST, "y", spec.testSize());
    }

    private HostArray load(String file, String key, int count) {
        return load(file, key, count, spec.problem().stateShape());
    }

    /** {@code key} of {@code file}, checked against the manifest's SHA-256, {@code [count, ...state]}. */
    private HostArray load(String file, String key, int count, int[] state) {
        Path path = dir.resolve(file);
        String expected = manifest.path("files").path(file).path("sha256").asText("");
        if (!expected.isEmpty() && Files.isRegularFile(path) && !expected.equals(Hashing.sha256(path))) {
            throw new InvalidInputException(path + ": content does not match the SHA-256 recorded in " + MANIFEST
                    + " (file modified or corrupt; regenerate with 'smdp generate --force')");
        }
        return FieldChecks.requireStates(Npz.read(path, key), path + " key '" + key + "'", count, state);
    }
}
