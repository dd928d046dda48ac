package dev.smdp4j.pipeline;

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

/** Writes the measured Table 1 as Markdown, CSV and JSON, beside the paper's values. MSE in units of 1e-5. */
final class Table1 {
    private Table1() {
    }

    static void write(Path dir, List<Reproduction.Measured> rows, Map<String, Object> provenance) {
        StringBuilder md = new StringBuilder();
        md.append("| method | MSE [1e-5] | spectral error | paper MSE | paper spectral | full posterior |\n");
        md.append("|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("method,mse_1e5,mse_se_1e5,spectral_error,spectral_se,paper_mse_1e5,"
                + "paper_spectral_error,full_posterior,limit\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Reproduction.Measured m : rows) {
            Reproduction.Row r = m.row();
            Evaluation e = m.evaluation();
            double mse = e.mse().mean() * 1e5;
            double mseSe = e.mse().standardError() * 1e5;
            double spectral = e.spectralError().mean();
            md.append(String.format(Locale.ROOT, "| %s | %s +- %s | %.3f | %s | %s | %s |%n", r.name(), num(mse),
                    num(mseSe), spectral, r.paperMse() == null ? "" : num(r.paperMse()),
                    r.paperSpectral() == null ? "" : String.format(Locale.ROOT, "%.2f", r.paperSpectral()),
                    r.fullPosterior() ? "yes" : "no"));
            csv.append(String.format(Locale.ROOT, "%s,%.6g,%.6g,%.6g,%.6g,%s,%s,%s,%s%n", r.name(), mse, mseSe, spectral,
                    e.spectralError().standardError(), r.paperMse() == null ? "" : r.paperMse(),
                    r.paperSpectral() == null ? "" : r.paperSpectral(), r.fullPosterior(), r.limit()));
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
        md.append("\nMSE: reconstruction MSE (prediction pushed forward by H_T, against the clean end state), normalised "
                + "units, mean over the test set +- standard error; one prediction per observation. Rows marked "
                + "limit/exact are closed forms of the linear-Gaussian benchmark.\n");
        md.append(String.format(Locale.ROOT, "%nProfile %s, %s, commit %s, seed %s, %s training job(s) at a time.%n",
                provenance.get("profile"), provenance.get("library"), provenance.get("commit"), provenance.get("seed"),
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
