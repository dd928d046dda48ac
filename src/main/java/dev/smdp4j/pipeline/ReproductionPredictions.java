package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import dev.smdp4j.report.BenchmarkFigures;
import dev.smdp4j.report.Table1;
import dev.smdp4j.report.Table1.Measured;
import dev.smdp4j.report.Table1.Row;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The prediction stage of a heat reproduction ({@link Reproduction}): each row of Table 1
 * reconstructs the test set with its model (or closed form) and sampler, cached in
 * {@code DIR/predictions} under a key of the model's content, the sampler, the counts and the seed;
 * the predictions are evaluated against the true initial states, and drawn in Figures 2 and 3.
 */
final class ReproductionPredictions {
    /** Where predictions live inside the output directory. */
    static final String PREDICTIONS = "predictions";

    private final StageCache cache;
    private final DatasetStore store;
    private final long seed;
    /** The test observations, normalised. */
    private final HostArray y;

    /** Predictions of the test set in {@code store}, drawn with {@code seed}, into {@code cache}'s output directory. */
    ReproductionPredictions(StageCache cache, DatasetStore store, long seed) {
        this.cache = cache;
        this.store = store;
        this.seed = seed;
        this.y = store.normalisation().normalise(store.testY());
    }

    /**
     * Every row's predictions (one sample per observation) evaluated, each logged with its MSE and
     * spectral error; {@code trained} gives the checkpoints of each training label.
     */
    List<Measured> measure(NDManager manager, List<Row> rows, Map<String, TrainedCheckpoints> trained) {
        Normalisation norm = store.normalisation();
        HostArray truth = store.testX0();
        List<Measured> measured = new ArrayList<>();
        for (Row row : rows) {
            Path file = predict(manager, row, trained, 1, null);
            Evaluation e = Metrics.evaluate(
                    truth,
                    Npz.read(file, "x0"),
                    norm.mean(),
                    norm.std(),
                    store.spec().alpha(),
                    store.spec().endTime());
            measured.add(new Measured(row, e, file));
            cache.log(String.format(
                    Locale.ROOT,
                    "%-38s MSE %10.4f e-5  spectral %7.4f",
                    row.name(),
                    e.mse().mean() * 1e5,
                    e.spectralError().mean()));
        }
        return measured;
    }

    /**
     * The checkpoint a row samples: for the {@code sde} sampler the run's {@code best-sde.ckpt}
     * (chosen by the SDE's validation spectral error) when the method wrote one, else its
     * {@code best.ckpt}; null for closed forms.
     */
    static Path checkpointFor(Row row, Map<String, TrainedCheckpoints> trained) {
        TrainedCheckpoints source = trained.get(row.source());
        return source == null ? null : source.forSampler(row.sampler());
    }

    /**
     * Predictions of a row ({@code samples} per observation, for the first {@code limit} observations or all),
     * cached under a key of the model's content, the sampler, the counts and the seed.
     */
    Path predict(NDManager manager, Row row, Map<String, TrainedCheckpoints> trained, int samples, Integer limit) {
        Path checkpoint = checkpointFor(row, trained);
        boolean closed = checkpoint == null;
        String modelKey = closed ? row.source() : Hashing.sha256(checkpoint);
        int steps = store.spec().steps();
        String key = Hashing.sha256Hex((modelKey + "|" + row.sampler() + "|" + steps + "|" + samples + "|" + limit + "|"
                                + seed + "|" + Hashing.sha256(store.dir().resolve(DatasetStore.TEST)))
                        .getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        String slug = row.name()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("-+$", "");
        Path file = cache.out()
                .resolve(PREDICTIONS)
                .resolve(slug + (samples > 1 ? "-k" + samples : "") + "-" + key + ".npz");
        if (Files.isRegularFile(file)) {
            return file;
        }
        HostArray obs = limit == null ? y : y.rows(0, Math.min(limit, y.dim(0)));
        Reconstruction.Request request = Reconstruction.Request.of(row.sampler(), steps, samples, seed);
        cache.stage(
                "predict " + row.name() + (samples > 1 ? " x" + samples : ""),
                () -> {
                    Progress progress = new Progress(slug, (long) obs.dim(0) * samples, "samples", cache.echo());
                    Reconstruction.Result result = closed
                            ? Reconstruction.closedForm(
                                    manager,
                                    row.source(),
                                    store.spec(),
                                    store.normalisation(),
                                    obs,
                                    request,
                                    Seeding.global(request.seed()),
                                    true,
                                    progress)
                            : Reconstruction.run(
                                    manager,
                                    TrainableModel.load(manager, Checkpoint.read(checkpoint)),
                                    obs,
                                    request,
                                    progress);
                    progress.finish("");
                    AtomicFiles.createDirectories(file.getParent());
                    Npz.write(file, Map.of("x0", store.normalisation().denormalise(result.x0())));
                    return null;
                },
                true);
        return file;
    }

    /**
     * {@code DIR/fig2.png} and {@code DIR/fig3.png}: Figures 2 and 3 from the measured rows and the SDE
     * posterior samples of the first {@code rows} observations.
     */
    void figures(List<Measured> measured, HostArray posteriorPhysical, int rows) {
        Path out = cache.out();
        Normalisation norm = store.normalisation();
        Measured ode = measured.stream()
                .filter(m -> m.row().equals(Table1.SMDP_ODE))
                .findFirst()
                .orElseThrow();
        BenchmarkFigures.figure2(
                out.resolve("fig2.png"),
                norm.normalise(store.testX0()),
                norm.normalise(store.testY()),
                norm.normalise(Npz.read(ode.predictions(), "x0")),
                norm.normalise(posteriorPhysical),
                rows);
        LinkedHashMap<String, double[]> spectra = new LinkedHashMap<>();
        for (Measured m : measured) {
            if (!m.row().limit() || m.row().source().equals(Table1.EXACT_POSTERIOR.source())) {
                spectra.put(m.row().name(), m.evaluation().predictionRadialSpectrum());
            }
        }
        BenchmarkFigures.figure3(out.resolve("fig3.png"), ode.evaluation().truthRadialSpectrum(), spectra);
    }
}
