package dev.smdp4j.problem.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.Json;
import dev.smdp4j.problem.toy.ToyEvaluation.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy tables, to the character: their format is what earlier runs wrote. */
class ToyReportTest {
    @Test
    void theTablesHoldEachEntryInTheirFormats(@TempDir Path out) throws Exception {
        float[] ends = {-1f, -1.05f, 1f, 1.005f, Float.NaN, 0f, Float.POSITIVE_INFINITY, 3f};
        Map<String, Object> entry = ToyEvaluation.entry(new Row("SMDP-SDE", "smdp", "sde"), "runs/x/best.ckpt", ends);
        ToyReport.writeTable(out, List.of(entry), 3, 20);
        assertEquals(
                "| row | sampler | Q (1%) | hits -1 / +1 (1%) | Q (10%) | hits -1 / +1 (10%) | diverged |\n"
                        + "|---|---|---|---|---|---|---|\n"
                        + "| SMDP-SDE | sde | 0.250 | 0.125 / 0.250 | 0.500 | 0.250 / 0.250 | 2 |\n",
                Files.readString(out.resolve("table.md")));
        assertEquals(
                "row,sampler,model,q_1pct,hit_minus_1pct,hit_plus_1pct,q_10pct,hit_minus_10pct,hit_plus_10pct,"
                        + "diverged\n"
                        + "SMDP-SDE,sde,runs/x/best.ckpt,0.2500,0.1250,0.2500,0.5000,0.2500,0.2500,2\n",
                Files.readString(out.resolve("table.csv")));
        JsonNode doc = Json.read(out.resolve("table.json"));
        assertEquals(3, doc.path("seed").asLong());
        assertEquals(20, doc.path("steps").asInt());
        assertEquals(ToyEvaluation.STARTS, doc.path("starts").path("count").asInt());
        assertEquals(0.5, doc.path("rows").get(0).path("q_10pct").asDouble(), 1e-12);
    }
}
