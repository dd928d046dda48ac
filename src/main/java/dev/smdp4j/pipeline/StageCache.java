package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.train.CheckpointMetadata;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.util.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The resumable stages of a reproduction in its output directory, shared by {@code smdp reproduce}
 * for the heat benchmark ({@link Reproduction}) and for the toy SDE: the data set
 * ({@code DIR/data}), the trainings ({@code DIR/runs/LABEL-KEY}, keyed by {@link #runKey}, resumed
 * from their last checkpoint and reused once complete), each stage's wall time
 * ({@code DIR/stages.json}, kept from the run that did the work) and the run log
 * ({@code DIR/log.txt}, each run's lines appended).
 */
public final class StageCache {
    /** Where the data set, the trainings, the stage timings and the log live inside the output directory. */
    public static final String DATA = "data";

    public static final String RUNS = "runs";
    public static final String STAGES = "stages.json";
    public static final String LOG = "log.txt";

    private final Path out;
    private final boolean echo;
    private final Map<String, Object> stages;
    private final List<String> logLines = new ArrayList<>();
    /** Set in a child process that runs one training: the stage table and the log are the parent's. */
    private boolean childOnly;

    /** The stages in {@code out}; {@code echo} also prints each log line to stderr. */
    public StageCache(Path out, boolean echo) {
        this.out = out;
        this.echo = echo;
        Path stagesFile = out.resolve(STAGES);
        Map<String, Object> previous = new LinkedHashMap<>();
        if (Files.isRegularFile(stagesFile)) {
            Json.readChecked(stagesFile, false)
                    .fields()
                    .forEachRemaining(
                            e -> previous.put(e.getKey(), Json.mapper().convertValue(e.getValue(), Object.class)));
        }
        this.stages = previous;
    }

    /** The output directory. */
    public Path out() {
        return out;
    }

    /** Whether log lines (and trainings' progress) are shown. */
    public boolean echo() {
        return echo;
    }

    /** From now on records no stage time and writes no log: this process is a child, its parent keeps both. */
    public synchronized void childOnly() {
        childOnly = true;
    }

    /** The recorded stages (name to seconds and finish time), as in {@code stages.json}. */
    public synchronized Map<String, Object> stages() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(stages));
    }

    /**
     * The 12-hex-digit key of a training: the SHA-256 of the canonical JSON ({@link Json#canonical}) of its
     * options (as stored), its network and its data's SHA-256.
     */
    public static String runKey(Map<String, Object> options, Map<String, Object> network, String dataHash) {
        String canonical = Json.canonical(Map.of("training", options, "network", network, "data", dataHash));
        return Hashing.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    /** Whether the training in {@code runDir} has completed its schedule (its last.ckpt says so). */
    public static boolean isComplete(Path runDir) {
        Path last = runDir.resolve(TrainingRun.LAST);
        return Files.isRegularFile(last)
                && CheckpointMetadata.of(Checkpoint.read(last)).complete();
    }

    /** {@code DIR/runs/LABEL-KEY}: the directory of a training. */
    public Path runDir(String label, String key) {
        return out.resolve(RUNS).resolve(label + "-" + key);
    }

    /**
     * {@code DIR/data}: the data set of {@code spec}, generated unless already there; one with other
     * parameters fails, naming {@code whose} parameters were expected (e.g. {@code profile 'quick'}).
     */
    public Path data(NDManager manager, DatasetSpec spec, String whose) {
        Path dir = out.resolve(DATA);
        if (Files.isRegularFile(dir.resolve(DatasetStore.MANIFEST))) {
            if (!DatasetStore.open(dir).spec().equals(spec)) {
                throw new InvalidInputException(
                        dir + " holds a data set with other parameters than " + whose + "; use another --out");
            }
            log("data: reused " + dir);
            return dir;
        }
        stage(
                "data",
                () -> {
                    DatasetStore.write(dir, DatasetGenerator.generate(manager, spec, false));
                    return null;
                },
                true);
        return dir;
    }

    /**
     * Training {@code label} in {@code dir} on the data in {@code dataDir}, as stage {@code train LABEL}:
     * reused when {@code complete}, else started or resumed from its last checkpoint. A training that
     * stops before the end of its schedule writes the log and throws {@code stopped}'s exception.
     */
    public void train(
            NDManager manager,
            String label,
            Path dir,
            boolean complete,
            Supplier<TrainingOptions> options,
            Path dataDir,
            Function<String, RuntimeException> stopped) {
        String name = "train " + label;
        if (complete) {
            log(name + ": reused " + dir);
            return;
        }
        TrainingOptions o = options.get();
        log(name + ": " + o.toMap() + " network " + o.network().toMap());
        boolean resume = Files.isRegularFile(dir.resolve(TrainingRun.LAST));
        TrainingRun.Result r = stage(
                name,
                () -> new TrainingRun(dataDir, dir, o, resume, 5, 0, echo)
                        .label(label)
                        .resumeHint("run the same 'smdp reproduce' command again to continue")
                        .run(manager),
                true);
        if (!r.complete()) {
            writeLog();
            throw stopped.apply("training of " + label + " stopped at step "
                    + r.position().step() + "; run the same command again to continue");
        }
    }

    /**
     * The arrays cached in {@code file}, or, when there is none yet, those {@code make} returns,
     * written there first (parent directories created): a reproduction's predictions, keyed by
     * what determines them.
     */
    public static Map<String, HostArray> arrays(Path file, Supplier<Map<String, HostArray>> make) {
        if (Files.isRegularFile(file)) {
            return Npz.read(file);
        }
        Map<String, HostArray> arrays = make.get();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Npz.write(file, arrays);
        return arrays;
    }

    /** A stage of work whose wall time is recorded in {@code stages.json} when {@code record}. */
    public <T> T stage(String name, Supplier<T> work, boolean record) {
        long t0 = System.nanoTime();
        T result = work.get();
        if (record) {
            record(name, (System.nanoTime() - t0) / 1e9);
        }
        return result;
    }

    /** Adds {@code seconds} to stage {@code name}'s wall time in {@code stages.json} (not in a child process). */
    public synchronized void record(String name, double seconds) {
        if (childOnly) {
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        Object before = stages.get(name);
        double previous = before instanceof Map<?, ?> m && m.get("seconds") instanceof Number s ? s.doubleValue() : 0;
        entry.put("seconds", previous + seconds);
        entry.put("finished", Instant.now().toString());
        stages.put(name, entry);
        Json.writeChecked(out.resolve(STAGES), stages);
        log(String.format(Locale.ROOT, "%s: %.1f s", name, seconds));
    }

    /** A line of the run log, time-stamped (and shown when echoing). */
    public synchronized void log(String line) {
        logLines.add(Instant.now() + "  " + line);
        if (echo) {
            System.err.println(line);
        }
    }

    /** Appends this run's lines so far to {@code log.txt} (not in a child process). */
    public synchronized void writeLog() {
        if (childOnly) {
            return;
        }
        Path file = out.resolve(LOG);
        StringBuilder all = new StringBuilder();
        try {
            Files.createDirectories(out);
            if (Files.isRegularFile(file)) {
                all.append(Files.readString(file));
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String l : logLines) {
            all.append(l).append('\n');
        }
        logLines.clear();
        try {
            AtomicFiles.writeString(file, all.toString());
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
