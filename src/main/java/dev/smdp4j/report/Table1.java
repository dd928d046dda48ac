package dev.smdp4j.report;

import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's Table 1 (the heat benchmark): its rows, each a model and sampler with the paper's
 * numbers, and the measured table written as Markdown, CSV and JSON beside the paper's values. MSE
 * in units of 1e-5. {@code smdp reproduce} ({@link dev.smdp4j.pipeline.Reproduction}) measures the rows.
 */
public final class Table1 {
    /**
     * One row of the table: what predicts ({@code source}: a training's label or a closed form), with
     * which sampler (null for one-shot models and closed forms), and the paper's numbers (null where
     * the paper has none); {@code limit} marks the closed-form limits and references.
     */
    public record Row(
            String name,
            String source,
            String sampler,
            boolean fullPosterior,
            Double paperMse,
            Double paperSpectral,
            boolean limit) {}

    /** A measured row: its evaluation and the file of its predictions. */
    public record Measured(Row row, Evaluation evaluation, Path predictions) {}

    /** The source of the rows of SMDP with a learned surrogate physics instead of the solver. */
    public static final String LEARNED = "smdp-learned-physics";

    public static final Row SMDP_ODE = new Row("SMDP-ODE", "smdp", "ode", false, 0.74, 3.62, false);
    public static final Row SMDP_SDE = new Row("SMDP-SDE", "smdp", "sde", true, 5.56, 0.56, false);
    public static final Row LEARNED_ODE =
            new Row("SMDP-ODE (learned physics)", LEARNED, "ode", false, null, null, false);
    public static final Row LEARNED_SDE =
            new Row("SMDP-SDE (learned physics)", LEARNED, "sde", true, null, null, false);
    /** The closed form whose spectrum figure 3 shows beside the learned rows'. */
    public static final Row EXACT_POSTERIOR =
            new Row("limit: exact posterior sample", "exact-posterior", null, true, null, null, true);

    /**
     * The rows in the paper's order (plus SMDP with learned physics after the SMDP pair), then the
     * closed-form limits and references.
     */
    public static final List<Row> ROWS = List.of(
            SMDP_ODE,
            SMDP_SDE,
            LEARNED_ODE,
            LEARNED_SDE,
            new Row("ResNet-S", "resnet-s", null, false, 2.17, 1.67, false),
            new Row("ResNet-P", "resnet-p", null, false, 2.30, 1.09, false),
            new Row("BNN-S", "bnn-s", null, true, 347.0, 1.25, false),
            new Row("BNN-P", "bnn-p", null, true, 381.0, 0.99, false),
            new Row("FNO-S", "fno-s", null, false, 25400.0, 1.60, false),
            new Row("FNO-P", "fno-p", null, false, 25000.0, 1.47, false),
            new Row("HeatGen", "heatgen", "ode", false, 1.39, 4.45, false),
            new Row("HeatGen+noise", "heatgen", "sde", true, 4.45, 3.24, false),
            new Row("limit: exact posterior mean", "exact-posterior-mean", null, false, null, null, true),
            EXACT_POSTERIOR,
            new Row("exact-score SMDP-ODE", "exact-score", "ode", false, null, null, true),
            new Row("exact-score SMDP-SDE", "exact-score", "sde", true, null, null, true),
            new Row("exact-net SMDP-ODE (method ceiling)", "exact-net", "ode", false, null, null, true),
            new Row("exact-net SMDP-SDE (method ceiling)", "exact-net", "sde", true, null, null, true));

    private Table1() {}

    /** {@code table1.md}, {@code table1.csv} and {@code table1.json} in {@code dir}. */
    public static void write(Path dir, List<Measured> rows, Map<String, Object> provenance) {
        StringBuilder md = new StringBuilder();
        md.append("| method | MSE [1e-5] | spectral error | paper MSE | paper spectral | full posterior |\n");
        md.append("|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("method,mse_1e5,mse_se_1e5,spectral_error,spectral_se,paper_mse_1e5,"
                + "paper_spectral_error,full_posterior,limit\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Measured m : rows) {
            Row r = m.row();
            Evaluation e = m.evaluation();
            double mse = e.mse().mean() * 1e5;
            double mseSe = e.mse().standardError() * 1e5;
            double spectral = e.spectralError().mean();
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s +- %s | %.3f | %s | %s | %s |%n",
                    r.name(),
                    num(mse),
                    num(mseSe),
                    spectral,
                    r.paperMse() == null ? "" : num(r.paperMse()),
                    r.paperSpectral() == null ? "" : String.format(Locale.ROOT, "%.2f", r.paperSpectral()),
                    r.fullPosterior() ? "yes" : "no"));
            csv.append(String.format(
                    Locale.ROOT,
                    "%s,%.6g,%.6g,%.6g,%.6g,%s,%s,%s,%s%n",
                    r.name(),
                    mse,
                    mseSe,
                    spectral,
                    e.spectralError().standardError(),
                    r.paperMse() == null ? "" : r.paperMse(),
                    r.paperSpectral() == null ? "" : r.paperSpectral(),
                    r.fullPosterior(),
                    r.limit()));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("method", r.name());
            j.put("model", r.source());
            j.put("sampler", r.sampler());
            j.put("mse_1e5", mse);
            j.put("mse_se_1e5", mseSe);
            j.put("spectral_error", spectral);
            j.put("spectral_se", e.spectralError().standardError());
            j.put("paper_mse_1e5", r.paperMse());
            j.put("paper_spectral_error", r.paperSpectral());
            j.put("full_posterior", r.fullPosterior());
            j.put("limit", r.limit());
            json.add(j);
        }
        md.append(
                "\nMSE: reconstruction MSE (prediction pushed forward by H_T, against the clean end state), normalised "
                        + "units, mean over the test set +- standard error; one prediction per observation. Rows marked "
                        + "limit/exact are closed forms of the linear-Gaussian benchmark.\n");
        md.append(String.format(
                Locale.ROOT,
                "%nProfile %s, %s, commit %s, seed %s, %s training job(s) at a time.%n",
                provenance.get("profile"),
                provenance.get("library"),
                provenance.get("commit"),
                provenance.get("seed"),
                provenance.get("jobs")));
        if (provenance.get("stages") instanceof Map<?, ?> stages && !stages.isEmpty()) {
            md.append("\n| stage | wall time [s] |\n|---|---|\n");
            stages.forEach((name, entry) -> {
                if (entry instanceof Map<?, ?> m && m.get("seconds") instanceof Number seconds) {
                    md.append(String.format(Locale.ROOT, "| %s | %.1f |%n", name, seconds.doubleValue()));
                }
            });
        }
        Map<String, Object> doc = new LinkedHashMap<>(provenance);
        doc.put("rows", json);
        try {
            AtomicFiles.writeString(dir.resolve("table1.md"), md.toString());
            AtomicFiles.writeString(dir.resolve("table1.csv"), csv.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tables in " + dir + ": " + e.getMessage(), e);
        }
        Json.write(dir.resolve("table1.json"), doc);
    }

    /** Three significant digits, plain notation for the table's wide range (0.6 to 25000). */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
