package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.report.Table1;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SurrogatePhysics;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.util.Hashing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainings of a heat reproduction ({@link Reproduction}) on its data: which ones a profile
 * runs and in what order, their options, their run directories (keyed by options, network and
 * data) and running them, in this JVM or side by side in child JVMs ({@link SideBySideTraining}).
 */
final class ReproductionTrainings implements SideBySideTraining.Trainings {
    private final ReproductionProfile profile;
    private final StageCache cache;
    private final Path dataDir;
    private final String dataHash;

    /** The trainings of {@code profile} on the data set in {@code dataDir}, in {@code cache}'s output directory. */
    ReproductionTrainings(ReproductionProfile profile, StageCache cache, Path dataDir) {
        this.profile = profile;
        this.cache = cache;
        this.dataDir = dataDir;
        this.dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
    }

    /**
     * The trainings in the order they start, as chains that run one after another (the surrogate
     * before SMDP with it). Longest first, so that trainings run side by side end close together.
     */
    static List<List<String>> chains(ReproductionProfile profile) {
        List<List<String>> chains = new ArrayList<>();
        chains.add(List.of(Method.SMDP.id()));
        if (profile.learnedPhysics()) {
            chains.add(List.of(Method.SURROGATE.id(), Table1.LEARNED));
        }
        for (Method m : List.of(
                Method.HEATGEN,
                Method.FNO_S,
                Method.FNO_P,
                Method.BNN_P,
                Method.BNN_S,
                Method.RESNET_S,
                Method.RESNET_P)) {
            chains.add(List.of(m.id()));
        }
        return chains;
    }

    /** Trains (or resumes, or reuses) every training in this JVM, in order; returns each label's checkpoints. */
    Map<String, TrainedCheckpoints> trainAll(NDManager manager) {
        Map<String, TrainedCheckpoints> trained = new LinkedHashMap<>();
        for (List<String> chain : chains(profile)) {
            for (String label : chain) {
                trained.put(label, train(manager, label));
            }
        }
        return trained;
    }

    /** Trains (or resumes, or reuses) training {@code label} in this JVM; returns its checkpoints. */
    TrainedCheckpoints train(NDManager manager, String label) {
        Path dir = runDir(label);
        cache.train(manager, label, dir, complete(label), () -> options(label), dataDir, Reproduction.Interrupted::new);
        return new TrainedCheckpoints(dir);
    }

    /**
     * The trainings side by side, {@code jobs} at a time, each child running {@code childMain} with
     * {@code reproduce --train-only LABEL} and this run's settings.
     */
    SideBySideTraining sideBySide(int jobs, String childMain) {
        if (childMain == null) {
            throw new IllegalStateException("trainings side by side need the main class of their child JVMs");
        }
        return new SideBySideTraining(cache, jobs, childMain, this);
    }

    /** The options of training {@code label}; SMDP with learned physics needs the surrogate's training done. */
    private TrainingOptions options(String label) {
        if (!label.equals(Table1.LEARNED)) {
            return profile.options(Method.parse(label));
        }
        Path surrogate = new TrainedCheckpoints(runDir(Method.SURROGATE.id())).best();
        return profile.learnedPhysicsOptions(SurrogatePhysics.PREFIX + surrogate.toAbsolutePath());
    }

    /** The directory of training {@code label}: keyed by its options, network and data (and the surrogate's content). */
    private Path runDir(String label) {
        TrainingOptions options = options(label);
        Map<String, Object> config = new LinkedHashMap<>(options.toMap());
        Path surrogate = SurrogatePhysics.file(options.physics());
        if (surrogate != null) { // keyed by the surrogate's content, not its path
            config.put("physics", Hashing.sha256(surrogate));
        }
        return cache.runDir(label, StageCache.runKey(config, options.network().toMap(), dataHash));
    }

    /** Whether training {@code label} has completed (for SMDP with learned physics: and its surrogate's). */
    @Override
    public boolean complete(String label) {
        if (label.equals(Table1.LEARNED) && !complete(Method.SURROGATE.id())) {
            return false;
        }
        return StageCache.isComplete(runDir(label));
    }

    /** The line that announces training {@code label}. */
    @Override
    public String describe(String label) {
        TrainingOptions options = options(label);
        return "train " + label + ": " + options.toMap() + " network "
                + options.network().toMap();
    }

    /** {@code reproduce --train-only LABEL} with this run's profile, output directory, seed and progress. */
    @Override
    public List<String> childArguments(String label) {
        List<String> args = new ArrayList<>(List.of(
                "reproduce",
                "--profile",
                profile.name(),
                "--out",
                cache.out().toAbsolutePath().toString(),
                "--train-only",
                label,
                profile.learnedPhysics() ? "--learned-physics" : "--no-learned-physics",
                "--seed",
                Long.toString(profile.seed())));
        if (!cache.echo()) {
            args.add("--quiet");
        }
        return args;
    }
}
