package dev.smdp4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.io.Provenance;
import dev.smdp4j.nn.NetworkConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoints of one training run: writing them with the run's metadata ({@link RunState} and
 * the rest), resuming from {@code last.ckpt} after checking it matches, starting from another
 * run's weights, and {@code history.json}.
 */
final class RunCheckpoints {
    private final Path dataDir;
    private final Path out;
    private final TrainingOptions options;
    private final TrainableModel model;
    private final Adam adam;
    private final WeightAverage average;
    private final DatasetSpec spec;
    private final Normalisation norm;
    private final String dataHash;

    RunCheckpoints(
            Path dataDir,
            Path out,
            TrainingOptions options,
            TrainableModel model,
            Adam adam,
            WeightAverage average,
            DatasetSpec spec,
            Normalisation norm,
            String dataHash) {
        this.dataDir = dataDir;
        this.out = out;
        this.options = options;
        this.model = model;
        this.adam = adam;
        this.average = average;
        this.spec = spec;
        this.norm = norm;
        this.dataHash = dataHash;
    }

    /** Runs {@code action} with the averaged weights in the block, if there is an average. */
    static void withAverage(WeightAverage average, Runnable action) {
        if (average == null) {
            action.run();
            return;
        }
        average.swap();
        try {
            action.run();
        } finally {
            average.swap();
        }
    }

    /** Loads the network weights of {@code file} (same method and architecture); the optimizer starts fresh. */
    static void warmStart(TrainingOptions options, TrainableModel model, Path file) {
        Checkpoint ckpt = Checkpoint.read(file);
        CheckpointMetadata meta = CheckpointMetadata.of(ckpt);
        JsonNode net = meta.network();
        String method = meta.method();
        if (!options.method().id().equals(method)) {
            throw new InvalidInputException("--init " + file + ": a " + method + " checkpoint, not "
                    + options.method().id());
        }
        if (!sameNetwork(net, options.network())) {
            throw new InvalidInputException("--init " + file + ": its network " + net + " differs from the requested "
                    + options.network().toMap());
        }
        try {
            ParameterIO.load(model.block(), ckpt.tensors());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("--init " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameNetwork(JsonNode stored, NetworkConfig network) {
        try {
            return NetworkConfig.read(stored).equals(network);
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** Restores parameters, optimizer state and progress from last.ckpt, after checking it matches. */
    RunProgress restore() {
        Path last = out.resolve(TrainingRun.LAST);
        Checkpoint ckpt = Checkpoint.read(last);
        CheckpointMetadata meta = CheckpointMetadata.of(ckpt);
        List<String> differences = new ArrayList<>();
        JsonNode now = Json.mapper().valueToTree(options);
        JsonNode saved;
        try {
            // read back typed, so that an option the checkpoint predates counts as its default
            saved = Json.mapper()
                    .valueToTree(TrainingOptions.read(meta.training(), options.network(), options.graphEvaluations()));
        } catch (InvalidInputException e) {
            saved = meta.training() == null ? Json.mapper().createObjectNode() : meta.training();
        }
        for (var it = now.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().equals(saved.path(e.getKey()))) {
                differences.add(e.getKey() + " (checkpoint " + saved.path(e.getKey()) + ", now " + e.getValue() + ")");
            }
        }
        if (!sameNetwork(meta.network(), options.network())) {
            differences.add("network (checkpoint " + meta.network() + ")");
        }
        if (!dataHash.equals(meta.trainSha256())) {
            differences.add("training data (train.npz content differs)");
        }
        if (!differences.isEmpty()) {
            throw new InvalidInputException(
                    "--resume: " + last + " was written with other settings: " + String.join("; ", differences));
        }
        RunState state = RunState.of(ckpt);
        if (state.complete()) {
            throw new InvalidInputException("--resume: the run in " + out + " is already complete");
        }
        ParameterIO.load(model.block(), ckpt.tensors());
        adam.importState(ckpt.tensors());
        if (average != null) {
            // The checkpoint's parameters are the average and its average state the raw weights: swap back.
            average.importState(ckpt.tensors());
            average.swap();
        }
        return RunProgress.resumed(state);
    }

    /** Writes {@code last.ckpt}. */
    void saveLast(Position position, boolean complete, RunProgress progress, TrainingLoop.Tally tally) {
        save(out.resolve(TrainingRun.LAST), position, complete, progress, tally);
    }

    /**
     * Writes a checkpoint at {@code position}; {@code tally} holds the epoch's loss sums so far (mid-epoch),
     * so that a resumed run's history equals an uninterrupted one.
     */
    void save(Path file, Position position, boolean complete, RunProgress progress, TrainingLoop.Tally tally) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("method", model.method().id());
        meta.put("network", model.architecture());
        meta.putAll(model.metadata());
        meta.put(
                "parameters",
                model.block().getParameters().stream()
                        .mapToLong(p -> p.getValue().getArray().size())
                        .sum());
        meta.put(
                "dataset",
                new CheckpointMetadata.Dataset(dataDir.toAbsolutePath().toString(), spec.toMap(), norm, dataHash));
        meta.put("training", options);
        meta.putAll(RunState.of(
                        position,
                        position.iteration() == 0 ? TrainingLoop.Tally.EMPTY : tally,
                        complete,
                        adam.steps(),
                        model.selectionMetric(),
                        progress.best,
                        model.posteriorSelectionMetric(),
                        progress.bestPosterior,
                        progress.elapsedSeconds(),
                        Instant.now().toString(),
                        progress.history)
                .toMap());
        // With an average, the parameters saved are the averaged ones (what validation measured and
        // what sampling should use); the raw training weights go with the training state.
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        withAverage(average, () -> {
            tensors.putAll(ParameterIO.export(model.block()));
            if (average != null) {
                tensors.putAll(average.exportState());
            }
        });
        tensors.putAll(adam.exportState());
        Checkpoint.write(file, meta, tensors);
    }

    /** Writes {@code history.json}: provenance, the options, the network and every finished epoch. */
    void writeHistory(RunProgress progress) {
        Provenance provenance = Provenance.now();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("library", provenance.library());
        doc.put("commit", provenance.commit());
        doc.put("training", options);
        doc.put("network", options.network());
        doc.put("epochs", progress.history);
        Json.write(out.resolve(TrainingRun.HISTORY), doc);
    }
}
