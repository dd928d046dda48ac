package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Npz;
import dev.smdp4j.sample.Seeding;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Posterior sampling of a directory of {@code .npz} shards, cut into units that any number of
 * workers can run in any order with the same result: what {@code smdp sample-batch} distributes
 * (with Spark, package {@code dev.smdp4j.spark}), kept free of Spark so that it is tested alone.
 *
 * <p>Observation {@code i} of the shard at relative path {@code P} has the key {@code P#i}, and its
 * noise derives from the user's seed and that key ({@link Seeding}). Each shard is cut into fixed
 * chunks of {@link #chunkObservations(int)} consecutive observations, and each chunk is sampled in
 * engine batches of {@code --batch} items: the batches are those {@code smdp sample} forms for the
 * same file, whatever the grouping of chunks into tasks, so every sample is bit-identical to
 * {@code smdp sample --input P}'s (same seed, same thread count).
 */
public final class ShardSampling {
    /** The status of a finite sample. */
    public static final String OK = "ok";
    /** The status of a sample that became NaN or infinite (its {@code x0} is null). */
    public static final String NON_FINITE = "non-finite";
    /** The sidecar's name inside the output directory (a leading underscore: Parquet readers skip it). */
    public static final String SIDECAR = "_smdp.json";

    private ShardSampling() {}

    /** One input file: its path relative to the input directory ({@code /}-separated) and its observation count. */
    public record Shard(String relative, String file, int observations) implements Serializable {}

    /** Observations {@code [first, first + count)} of one shard: the unit of work (whole chunks, except a shard's last). */
    public record Task(String relative, String file, int first, int count) implements Serializable {}

    /** One output row: sample {@code sample} of observation {@code key}, physical units, row-major; null {@code x0} unless ok. */
    public record Row(String key, int sample, long seed, String status, float[] x0) {}

    /**
     * Everything a worker needs, serialisable: the model, the request (its seed is the user's), the
     * observations' key in each file and their state shape.
     */
    public record Job(ModelSource source, Reconstruction.Request request, String key, int[] state, int chunk)
            implements Serializable {}

    /** The smallest chunk: 32 fields per engine call keep sampling near single-JVM speed even for K = 1. */
    public static final int MIN_CHUNK = 32;

    /**
     * Observations per chunk: {@code lcm(batch, 32)}, a multiple of the engine batch, so that a chunk's
     * engine batches are those of {@code smdp sample} on the whole file.
     */
    public static int chunkObservations(int batch) {
        int a = batch;
        int b = MIN_CHUNK;
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return Math.multiplyExact(batch / a, MIN_CHUNK);
    }

    /**
     * The {@code .npz} files under {@code dir} (recursively, sorted by relative path), each checked
     * from its header: {@code key} present, shape {@code [n, ...state]}. The data (and their
     * finiteness) are checked when a task reads them.
     *
     * @throws InvalidInputException if {@code dir} is no directory, holds no {@code .npz}, or a file is invalid
     */
    public static List<Shard> list(Path dir, String key, int[] state) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(
                    "--input " + dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory")
                            + " (sample-batch reads a directory of .npz files; for one file use 'smdp sample')");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".npz") && Files.isRegularFile(p))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new InvalidInputException("--input " + dir + ": no .npz files in the directory or below it");
        }
        List<Shard> shards = new ArrayList<>();
        for (Path f : files) {
            String relative = relative(dir, f);
            int[] shape = Npz.shape(f, key);
            shards.add(new Shard(
                    relative, f.toAbsolutePath().toString(), observations(shape, state, f + " key '" + key + "'")));
        }
        shards.sort((x, y) -> x.relative().compareTo(y.relative()));
        return shards;
    }

    /** {@code file}'s path relative to {@code dir} with {@code /} separators: the key's file part. */
    public static String relative(Path dir, Path file) {
        Path r = dir.toAbsolutePath()
                .normalize()
                .relativize(file.toAbsolutePath().normalize());
        List<String> parts = new ArrayList<>();
        r.forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    private static int observations(int[] shape, int[] state, String what) {
        boolean scalarStates = state.length == 1 && state[0] == 1 && shape.length == 1;
        boolean ok = scalarStates
                || (shape.length == state.length + 1
                        && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), state));
        if (!ok) {
            StringBuilder expected = new StringBuilder("[n");
            for (int d : state) {
                expected.append(", ").append(d);
            }
            throw new InvalidInputException(what + ": expected shape " + expected + "], got " + Arrays.toString(shape));
        }
        return shape[0];
    }

    /**
     * The tasks: each shard's chunks of {@code chunk} observations, grouped {@code chunksPerTask}
     * at a time (a task never spans two shards, so it reads one file).
     */
    public static List<Task> tasks(List<Shard> shards, int chunk, int chunksPerTask) {
        if (chunksPerTask < 1) {
            throw new InvalidInputException("chunks per task must be >= 1, got " + chunksPerTask);
        }
        long span = (long) chunk * chunksPerTask;
        List<Task> tasks = new ArrayList<>();
        for (Shard s : shards) {
            for (long first = 0; first < s.observations(); first += span) {
                tasks.add(
                        new Task(s.relative(), s.file(), (int) first, (int) Math.min(span, s.observations() - first)));
            }
        }
        return tasks;
    }

    /** Chunks per task giving about {@code perWorker} tasks for each of {@code workers} parallel workers. */
    public static int chunksPerTask(List<Shard> shards, int chunk, int workers, int perWorker) {
        long chunks = 0;
        for (Shard s : shards) {
            chunks += (s.observations() + chunk - 1) / chunk;
        }
        return (int) Math.max(1, chunks / Math.max(1, (long) workers * perWorker));
    }

    /**
     * Samples one task with a loaded model: reads its file (checking the key, the shape and that
     * every value is finite), then each chunk in turn; rows come chunk by chunk as they are asked for.
     */
    public static Iterator<Row> run(NDManager manager, ModelSource.Loaded model, Job job, Task task) {
        HostArray all = Npz.read(Path.of(task.file()), job.key());
        HostArray y = model.requireObservations(all, task.file() + " key '" + job.key() + "'");
        if (task.first() + task.count() > y.dim(0)) {
            throw new InvalidInputException(task.file() + " key '" + job.key() + "' holds " + y.dim(0)
                    + " observations, fewer than when the job was planned (" + (task.first() + task.count()) + ")");
        }
        int samples = job.request().samples();
        return new Iterator<>() {
            private int next = task.first();
            private final List<Row> pending = new ArrayList<>();
            private int at;

            @Override
            public boolean hasNext() {
                while (at == pending.size() && next < task.first() + task.count()) {
                    pending.clear();
                    at = 0;
                    int count = Math.min(job.chunk(), task.first() + task.count() - next);
                    pending.addAll(
                            chunk(manager, model, job, task.relative(), y.rows(next, next + count), next, samples));
                    next += count;
                }
                return at < pending.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(at++);
            }
        };
    }

    private static List<Row> chunk(
            NDManager manager,
            ModelSource.Loaded model,
            Job job,
            String relative,
            HostArray y,
            int first,
            int samples) {
        int n = y.dim(0);
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Seeding.key(relative, first + i);
        }
        long[] seeds = Seeding.observationSeeds(job.request().seed(), keys);
        HostArray x0;
        try (NDManager scope = manager.newSubManager()) {
            x0 = model.reconstruct(scope, y, job.request(), Seeding.keyed(seeds), false, null)
                    .x0();
        }
        int k = x0.dim(1);
        int field = x0.size() / Math.max(1, n * k);
        List<Row> rows = new ArrayList<>(n * k);
        float[] data = x0.data();
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < k; s++) {
                float[] one = Arrays.copyOfRange(data, (i * k + s) * field, (i * k + s + 1) * field);
                boolean finite = new HostArray(one, one.length).firstNonFinite() < 0;
                rows.add(new Row(keys[i], s, seeds[i], finite ? OK : NON_FINITE, finite ? one : null));
            }
        }
        return rows;
    }

    /** The sidecar's content: what was sampled, how, from which model and which files. */
    public static Map<String, Object> sidecar(
            Job job,
            DatasetSpec spec,
            List<Shard> shards,
            String input,
            Map<String, Long> statusCounts,
            double seconds,
            String master,
            int tasks,
            double taskSeconds) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("library", Version.label());
        p.put("version", Version.get());
        p.put("commit", Version.commit());
        p.put("created", Instant.now().toString());
        p.put("command", "sample-batch");
        ModelSource source = job.source();
        p.put("model", source.closedForm() != null ? source.closedForm() : source.model());
        if (source.sha256() != null) {
            p.put("model_sha256", source.sha256());
        }
        if (source.physics() != null) {
            p.put("physics", source.physics());
        }
        Reconstruction.Request r = job.request();
        p.put("sampler", r.sampler() != null ? r.sampler() : "default");
        p.put("steps", r.steps());
        p.put("samples", r.samples());
        p.put("seed", r.seed());
        p.put(
                "seeding",
                "observation i of the file at relative path P has the key P#i; its seed (column seed) "
                        + "derives from (seed, key), and sample k's noise from (that seed, k)");
        p.put("batch", r.batch());
        p.put("chunk_observations", job.chunk());
        p.put("shape", Arrays.stream(job.state()).boxed().toList());
        p.put("units", "physical");
        p.put("columns", List.of("obs_key string", "sample int", "seed long", "status string", "x0 array<float>"));
        p.put("input", input);
        p.put("key", job.key());
        long n = 0;
        List<Map<String, Object>> files = new ArrayList<>();
        for (Shard s : shards) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("path", s.relative());
            f.put("observations", s.observations());
            files.add(f);
            n += s.observations();
        }
        p.put("observations", n);
        p.put("rows", n * r.samples());
        p.put("status", statusCounts);
        p.put("dataset_parameters", spec.toMap());
        p.put("master", master);
        p.put("tasks", tasks);
        p.put("seconds", seconds);
        p.put("task_seconds", taskSeconds);
        p.put("files", files);
        return p;
    }

    /**
     * Collects rows into {@code x0 [n, K, ...state]} in observation order (files in the sidecar's
     * order, then index in file); samples that are missing or not ok stay NaN.
     */
    public static final class Assembly {
        private final Map<String, Long> offsets = new LinkedHashMap<>();
        private final int samples;
        private final int field;
        private final int[] shape;
        private final float[] data;
        private long filled;
        private long notOk;

        /** For the output described by {@code sidecar} (as {@link #sidecar} writes it). */
        public Assembly(com.fasterxml.jackson.databind.JsonNode sidecar, Path where) {
            if (!sidecar.path("files").isArray()
                    || !sidecar.path("samples").isInt()
                    || !sidecar.path("shape").isArray()) {
                throw new InvalidInputException(where + ": not a sample-batch sidecar (files, samples, shape missing)");
            }
            samples = sidecar.get("samples").intValue();
            List<Integer> state = new ArrayList<>();
            sidecar.get("shape").forEach(d -> state.add(d.intValue()));
            int f = 1;
            for (int d : state) {
                f = Math.multiplyExact(f, d);
            }
            field = f;
            long n = 0;
            for (com.fasterxml.jackson.databind.JsonNode file : sidecar.get("files")) {
                offsets.put(file.path("path").asText(), n);
                n += file.path("observations").asLong();
            }
            long size = n * samples * field;
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(where + ": " + n + " observations x " + samples + " samples do not fit "
                        + "one array (2^31 floats); export a part of the output instead");
            }
            shape = new int[state.size() + 2];
            shape[0] = (int) n;
            shape[1] = samples;
            for (int i = 0; i < state.size(); i++) {
                shape[i + 2] = state.get(i);
            }
            data = new float[(int) size];
            Arrays.fill(data, Float.NaN);
        }

        /** Places one row. */
        public void put(String key, int sample, String status, float[] x0) {
            int hash = key.lastIndexOf('#');
            Long base = hash < 0 ? null : offsets.get(key.substring(0, hash));
            if (base == null || sample < 0 || sample >= samples) {
                throw new InvalidInputException("row " + key + " sample " + sample + " is not in the sidecar's files");
            }
            long obs = base + Long.parseLong(key.substring(hash + 1));
            if (!OK.equals(status) || x0 == null) {
                notOk++;
                return;
            }
            if (x0.length != field) {
                throw new InvalidInputException("row " + key + " sample " + sample + " holds " + x0.length
                        + " values, the sidecar's shape " + field);
            }
            System.arraycopy(x0, 0, data, (int) ((obs * samples + sample) * field), field);
            filled++;
        }

        /** The assembled array. */
        public HostArray x0() {
            return new HostArray(data, shape);
        }

        /** Rows placed with status ok. */
        public long filled() {
            return filled;
        }

        /** Rows whose status was not ok (left NaN). */
        public long notOk() {
            return notOk;
        }

        /** Rows expected: observations x samples. */
        public long expected() {
            return (long) shape[0] * samples;
        }
    }
}
