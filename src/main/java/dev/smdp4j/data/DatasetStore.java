package dev.smdp4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smdp4j.Version;
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
 * and {@code dataset.json} with every parameter, the normalisation and a SHA-256 of each file.
 * {@code dataset.json} is written last, so its presence marks a complete directory.
 */
public final class DatasetStore {
    public static final String MANIFEST = "dataset.json";
    public static final String TRAIN = "train.npz";
    public static final String TEST = "test.npz";
    public static final String TRAJECTORIES = "trajectories.npz";
    static final String FORMAT = "smdp4j-dataset";
    static final int FORMAT_VERSION = 1;

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
    public static void write(Path dir, HeatDataset data) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
        int n = data.spec().gridSize();
        Npz.write(dir.resolve(TRAIN), Map.of("x0", data.trainX0()));
        Map<String, HostArray> test = new LinkedHashMap<>();
        test.put("x0", data.testX0());
        test.put("y", data.testY());
        Npz.write(dir.resolve(TEST), test);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put(TRAIN, fileEntry(dir.resolve(TRAIN), Map.of("x0", data.trainX0().shape())));
        files.put(TEST, fileEntry(dir.resolve(TEST), Map.of("x0", data.testX0().shape(), "y", data.testY().shape())));
        if (data.trajectories() != null) {
            Npz.write(dir.resolve(TRAJECTORIES), Map.of("traj", data.trajectories()));
            files.put(TRAJECTORIES, fileEntry(dir.resolve(TRAJECTORIES), Map.of("traj", data.trajectories().shape())));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("library", "smdp4j " + Version.get());
        m.put("created", Instant.now().toString());
        m.put("units", "files hold physical units; normalised = (x - mean) / std; noise levels are in normalised units");
        m.put("parameters", data.spec().toMap());
        m.put("normalisation", Map.of("mean", data.normalisation().mean(), "std", data.normalisation().std()));
        m.put("grid", Map.of("N", n, "domain", "[0, 2 pi)^2 periodic"));
        m.put("files", files);
        Json.write(dir.resolve(MANIFEST), m);
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
        JsonNode m = Json.read(manifestPath);
        if (!FORMAT.equals(m.path("format").asText())) {
            throw new InvalidInputException(manifestPath + ": not an smdp4j data set manifest");
        }
        if (m.path("format_version").asInt(-1) != FORMAT_VERSION) {
            throw new InvalidInputException(manifestPath + ": unsupported format_version "
                    + m.path("format_version") + " (this build reads " + FORMAT_VERSION + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> params = new ObjectMapper().convertValue(m.path("parameters"), Map.class);
        DatasetSpec spec = DatasetSpec.fromMap(params, manifestPath.toString());
        JsonNode norm = m.path("normalisation");
        if (!norm.path("mean").isNumber() || !norm.path("std").isNumber()) {
            throw new InvalidInputException(manifestPath + ": normalisation mean/std missing");
        }
        return new DatasetStore(dir, spec, new Normalisation(norm.get("mean").asDouble(), norm.get("std").asDouble()), m);
    }

    /** The manifest beside a data file such as {@code DIR/test.npz}. */
    public static DatasetStore besideFile(Path dataFile) {
        Path parent = dataFile.toAbsolutePath().getParent();
        if (parent == null || !Files.isRegularFile(parent.resolve(MANIFEST))) {
            throw new InvalidInputException("no " + MANIFEST + " beside " + dataFile
                    + ": the normalisation and physics parameters are unknown (use a directory written by 'smdp generate')");
        }
        return open(parent);
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

    /** Training initial states {@code [n_train, N, N]}, physical units, validated. */
    public HostArray trainX0() {
        return load(TRAIN, "x0", spec.trainSize());
    }

    /** Test initial states {@code [n_test, N, N]}, physical units, validated. */
    public HostArray testX0() {
        return load(TEST, "x0", spec.testSize());
    }

    /** Test observations {@code [n_test, N, N]}, physical units, validated. */
    public HostArray testY() {
        return load(TEST, "y", spec.testSize());
    }

    private HostArray load(String file, String key, int count) {
        Path path = dir.resolve(file);
        String expected = manifest.path("files").path(file).path("sha256").asText("");
        if (!expected.isEmpty() && Files.isRegularFile(path) && !expected.equals(Hashing.sha256(path))) {
            throw new InvalidInputException(path + ": content does not match the SHA-256 recorded in "
                    + MANIFEST + " (file modified or corrupt; regenerate with 'smdp generate --force')");
        }
        HostArray a = Npz.read(path, key);
        FieldChecks.requireFields(a, path + " key '" + key + "'", count, spec.gridSize());
        return a;
    }
}
