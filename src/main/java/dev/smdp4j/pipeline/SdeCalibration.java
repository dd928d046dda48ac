package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses the score scale of the {@code sde} sampler on held-out data: every candidate checkpoint
 * with every candidate factor ({@code score = factor x network}) samples the validation observations,
 * and the pair with the lowest posterior metric ({@link dev.smdp4j.problem.Problem#posteriorMetric})
 * whose samples all stay finite and within ten times the data's rms ({@link #blowsUp}) wins; the result is that checkpoint with the factor recorded as its
 * own ({@code training.score_factor}), so that every sampler and export picks it up.
 *
 * <p>Why: SMDP's loss trains the noise-free rollout. The Tweedie factor 1/2 is right for the one-step
 * regression, but with coarse steps the learned score can be too weak to pull freshly injected noise
 * back, so the SDE's samples keep a floor of noise at the scales the physics erased (measured on
 * 2-D Navier-Stokes, docs/RESULTS.md). A larger factor contracts harder. The choice uses only the
 * training's validation fields, never the test set.
 */
public final class SdeCalibration {
    /** The metadata key of the record this class writes into the calibrated checkpoint. */
    public static final String KEY = "sde_calibration";

    private SdeCalibration() {}

    /**
     * What to try.
     *
     * @param factors the candidate score factors
     * @param observations validation observations sampled per candidate (the first ones)
     * @param samples SDE samples per observation
     * @param seed seed of the sampling noise
     */
    public record Settings(List<Double> factors, int observations, int samples, long seed) {
        public Settings {
            factors = List.copyOf(factors);
            if (factors.isEmpty() || factors.stream().anyMatch(f -> !(f > 0) || f.isInfinite())) {
                throw new InvalidInputException("score factors must be finite and > 0, got " + factors);
            }
            if (observations < 1 || samples < 1) {
                throw new InvalidInputException(
                        "need at least 1 observation and 1 sample, got " + observations + " and " + samples);
            }
        }
    }

    /**
     * {@code target}: the best of {@code candidates} x {@code settings.factors()} on the validation
     * pairs (normalised units), reused when {@code target} was calibrated from
     * checkpoints with the same content and the same settings. Fails when every pair diverged.
     *
     * @return the target
     */
    public static Path calibrate(
            NDManager manager,
            StageCache cache,
            List<Path> candidates,
            TrainingRun.Validation validation,
            Settings settings,
            Path target) {
        String key = key(candidates, settings);
        if (Files.isRegularFile(target)
                && key.equals(
                        Checkpoint.read(target).metadata().path(KEY).path("key").textValue())) {
            cache.log("sde calibration: reused " + target);
            return target;
        }
        return cache.stage(
                "sde calibration",
                () -> {
                    Map<String, Object> record = choose(manager, cache, candidates, validation, settings);
                    record.put("key", key);
                    Path source = Path.of((String) record.get("source"));
                    double factor = (Double) record.get("score_factor");
                    write(source, target, factor, record);
                    cache.log(String.format(
                            Locale.ROOT,
                            "sde calibration: chose %s with score factor %.3f (validation %.4f) -> %s",
                            source.getFileName(),
                            factor,
                            (Double) record.get("metric"),
                            target));
                    return target;
                },
                true);
    }

    /** Every candidate pair tried; the record of the best (its source, factor, metric and every try). */
    private static Map<String, Object> choose(
            NDManager manager,
            StageCache cache,
            List<Path> candidates,
            TrainingRun.Validation validation,
            Settings settings) {
        int n = Math.min(settings.observations(), validation.x0().dim(0));
        HostArray truth = validation.x0().rows(0, n);
        HostArray obs = validation.y().rows(0, n);
        List<Map<String, Object>> tried = new ArrayList<>();
        Path bestSource = null;
        double bestFactor = Double.NaN;
        double bestValue = Double.POSITIVE_INFINITY;
        for (Path source : candidates) {
            for (double factor : settings.factors()) {
                Double value = score(manager, source, truth, obs, settings, factor);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("checkpoint", source.getFileName().toString());
                entry.put("factor", factor);
                entry.put("metric", value);
                tried.add(entry);
                cache.log(String.format(
                        Locale.ROOT,
                        "sde calibration: %s x %.3f: %s",
                        source.getFileName(),
                        factor,
                        value == null ? "diverged" : String.format(Locale.ROOT, "%.4f", value)));
                if (value != null && value < bestValue) {
                    bestValue = value;
                    bestSource = source;
                    bestFactor = factor;
                }
            }
        }
        if (bestSource == null) {
            throw new InvalidInputException("sde calibration: every candidate diverged on the validation observations");
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("source", bestSource.toAbsolutePath().toString());
        record.put("source_sha256", Hashing.sha256(bestSource));
        record.put("score_factor", bestFactor);
        record.put("metric", bestValue);
        record.put("observations", n);
        record.put("samples", settings.samples());
        record.put("seed", settings.seed());
        record.put("tried", tried);
        return record;
    }

    /** The posterior metric of {@code source} at {@code factor}, averaged over the samples; null if any diverged. */
    private static Double score(
            NDManager manager, Path source, HostArray truth, HostArray y, Settings settings, double factor) {
        try (NDManager scope = manager.newSubManager()) {
            TrainableModel model = TrainableModel.load(scope, Checkpoint.read(source));
            DatasetSpec spec = model.spec();
            Reconstruction.Request request = Reconstruction.Request.of(
                            "sde", spec.steps(), settings.samples(), settings.seed())
                    .withScoreFactor(factor);
            HostArray x0 = Reconstruction.run(scope, model, y, request, Seeding.global(settings.seed()), false, null)
                    .x0();
            if (blowsUp(truth, x0)) {
                return null;
            }
            String metric = spec.problem().posteriorMetric();
            double sum = 0;
            for (int k = 0; k < settings.samples(); k++) {
                Double value = spec.problem()
                        .metrics(truth, x0.sliceSecondAxis(k), spec)
                        .get(metric);
                if (value == null || !Double.isFinite(value)) {
                    return null;
                }
                sum += value;
            }
            return sum / settings.samples();
        }
    }

    /**
     * Whether any sample of {@code x0} ({@code [n, K, ...]}) is non-finite or has a mean square above
     * {@value #BLOW_UP} times the truths' (an rms ten times the data's): such a sample has left the
     * data, even if a log-scale metric such as a spectrum error barely notices it.
     */
    static boolean blowsUp(HostArray truth, HostArray x0) {
        float[] t = truth.data();
        double truthMeanSquare = 0;
        for (float v : t) {
            truthMeanSquare += (double) v * v;
        }
        truthMeanSquare /= t.length;
        float[] d = x0.data();
        int size = t.length / truth.dim(0);
        for (int from = 0; from < d.length; from += size) {
            double sq = 0;
            for (int i = from; i < from + size; i++) {
                if (!Float.isFinite(d[i])) {
                    return true;
                }
                sq += (double) d[i] * d[i];
            }
            if (sq / size > BLOW_UP * truthMeanSquare) {
                return true;
            }
        }
        return false;
    }

    /** The mean-square ratio beyond which a sample counts as blown up ({@link #blowsUp}). */
    static final double BLOW_UP = 100;

    /** {@code source}'s content under {@code target} with {@code factor} as its score factor and {@code record}. */
    private static void write(Path source, Path target, double factor, Map<String, Object> record) {
        Checkpoint checkpoint = Checkpoint.read(source);
        Map<String, Object> meta = Json.toMap(checkpoint.metadata());
        meta.keySet().removeAll(Checkpoint.RESERVED);
        JsonNode training = checkpoint.metadata().path("training");
        if (!training.isObject()) {
            throw new InvalidInputException(
                    source + ": no training options in the metadata to record a score factor in");
        }
        Map<String, Object> options = Json.toMap(training);
        options.put("score_factor", factor);
        meta.put("training", options);
        meta.put(KEY, record);
        AtomicFiles.createDirectories(target.toAbsolutePath().getParent());
        Checkpoint.write(target, meta, checkpoint.tensors());
    }

    /** A key of the candidates' content and the settings. */
    private static String key(List<Path> candidates, Settings settings) {
        StringBuilder text = new StringBuilder(settings + "|blow-up " + BLOW_UP);
        for (Path c : candidates) {
            text.append('|').append(Hashing.sha256(c));
        }
        return Hashing.sha256Hex(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
