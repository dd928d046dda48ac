package dev.smdp4j.problem.toy;

import dev.smdp4j.Version;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Json;
import dev.smdp4j.report.ToyFigures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the toy SDE's evaluation ({@link ToyEvaluation}) writes, for its reproduction and its demo:
 * {@code table.md}, {@code table.csv} and {@code table.json} (one row per {@link ToyEvaluation#entry}),
 * {@code trajectories.png} and {@code histograms.png}.
 */
final class ToyReport {
    /** Paths drawn per panel of the trajectory figure. */
    static final int PATHS_SHOWN = 100;
    /** The measured columns of a table row ({@link ToyEvaluation#entry}), in the order the tables show them. */
    private static final List<String> MEASURES = List.of(
            "q_1pct", "hit_minus_1pct", "hit_plus_1pct", "q_10pct", "hit_minus_10pct", "hit_plus_10pct", "diverged");

    private ToyReport() {}

    /** {@code table.md}, {@code table.csv} and {@code table.json} in {@code out}. */
    static void writeTable(Path out, List<Map<String, Object>> rows, long seed, int steps) {
        StringBuilder md = new StringBuilder();
        md.append("| row | sampler | Q (1%) | hits -1 / +1 (1%) | Q (10%) | hits -1 / +1 (10%) | diverged |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("row,sampler,model," + String.join(",", MEASURES) + "\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.3f | %.3f / %.3f | %.3f | %.3f / %.3f | %d |%n",
                    cells(r, "row", "sampler")));
            csv.append(String.format(
                    Locale.ROOT, "%s,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%d%n", cells(r, "row", "sampler", "model")));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("library", Version.label());
        doc.put("commit", Version.commit());
        doc.put("created", Instant.now().toString());
        doc.put("seed", seed);
        doc.put(
                "starts",
                Map.of(
                        "low",
                        ToyEvaluation.START_LOW,
                        "high",
                        ToyEvaluation.START_HIGH,
                        "count",
                        ToyEvaluation.STARTS));
        doc.put("steps", steps);
        doc.put("rows", rows);
        try {
            AtomicFiles.writeString(out.resolve("table.md"), md.toString());
            AtomicFiles.writeString(out.resolve("table.csv"), csv.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.write(out.resolve("table.json"), doc);
    }

    /** The values of {@code row} under {@code first}, then its {@link #MEASURES}. */
    private static Object[] cells(Map<String, Object> row, String... first) {
        return Stream.concat(Arrays.stream(first), MEASURES.stream())
                .map(row::get)
                .toArray();
    }

    /**
     * {@code trajectories.png} (the paths of the rows named in {@code shown}) and
     * {@code histograms.png} (every row's end states against {@code prior}, the true initial states).
     */
    static void figures(
            Path out,
            double endTime,
            int steps,
            Map<String, float[]> ends,
            Map<String, double[][]> paths,
            List<String> shown,
            float[] prior) {
        double[] times = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            times[i] = endTime * i / steps;
        }
        Map<String, double[][]> drawn = new LinkedHashMap<>();
        for (String name : shown) {
            drawn.put(name, paths.get(name));
        }
        ToyFigures.trajectories(out.resolve("trajectories.png"), times, drawn, PATHS_SHOWN);
        Map<String, double[]> endStates = new LinkedHashMap<>();
        ends.forEach((name, v) -> endStates.put(name, finiteValues(v)));
        ToyFigures.endStateHistograms(out.resolve("histograms.png"), endStates, finiteValues(prior), 63);
    }

    /** The finite values of {@code v}, widened. */
    private static double[] finiteValues(float[] v) {
        double[] d = new double[v.length];
        int k = 0;
        for (float x : v) {
            if (Float.isFinite(x)) {
                d[k++] = x;
            }
        }
        return Arrays.copyOf(d, k);
    }
}
