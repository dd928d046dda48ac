package dev.smdp4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Table 1's rows: the named ones are where the reproduction and its figures expect them. */
class Table1Test {
    @Test
    void theNamedRowsAreTheTablesAndTheNamesAreUnique() {
        assertEquals(
                List.of(Table1.SMDP_ODE, Table1.SMDP_SDE, Table1.LEARNED_ODE, Table1.LEARNED_SDE),
                Table1.ROWS.subList(0, 4));
        assertTrue(Table1.ROWS.contains(Table1.EXACT_POSTERIOR));
        assertEquals("ode", Table1.SMDP_ODE.sampler());
        assertEquals("sde", Table1.SMDP_SDE.sampler());
        assertEquals(Table1.LEARNED, Table1.LEARNED_SDE.source());
        Set<String> names = new HashSet<>();
        Table1.ROWS.forEach(r -> assertTrue(names.add(r.name()), "duplicate row " + r.name()));
        // the paper's rows precede the closed-form limits and references
        int firstLimit = Table1.ROWS.indexOf(
                Table1.ROWS.stream().filter(Table1.Row::limit).findFirst().orElseThrow());
        assertTrue(Table1.ROWS.subList(firstLimit, Table1.ROWS.size()).stream().allMatch(Table1.Row::limit));
    }

    @Test
    void numbersKeepThreeSignificantDigits() {
        assertEquals("25400", Table1.num(25400));
        assertEquals("34.6", Table1.num(34.56));
        assertEquals("5.56", Table1.num(5.561));
        assertEquals("0.740", Table1.num(0.74));
    }
}
