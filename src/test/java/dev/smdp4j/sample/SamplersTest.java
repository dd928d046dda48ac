package dev.smdp4j.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.cli.CommandLineTest;
import dev.smdp4j.io.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sampler registry: one table of names, descriptions and factories. */
class SamplersTest {
    @Test
    void everyRegisteredNameCreatesItsSamplerAndHasADescription() {
        assertEquals(
                List.of("ode", "sde", "pf-ode", "ode-heun", "pc"),
                new ArrayList<>(Samplers.all().keySet()));
        for (Map.Entry<String, Samplers.Entry> e : Samplers.all().entrySet()) {
            String name = e.getKey();
            assertEquals(name, e.getValue().name());
            assertFalse(e.getValue().description().isBlank(), name);
            assertEquals(e.getValue().description(), Samplers.DESCRIPTIONS.get(name));
            assertEquals(name, Samplers.create(name).name(), "the sampler made for '" + name + "' names itself so");
            assertEquals(name, Samplers.create(name, 3, 0.5).name());
        }
        assertEquals(Samplers.all().keySet(), Samplers.DESCRIPTIONS.keySet());
        List<String> listed = new ArrayList<>();
        new Samplers.Names().forEach(listed::add);
        assertEquals(new ArrayList<>(Samplers.all().keySet()), listed);
    }

    @Test
    void correctorSettingsReachThePredictorCorrectorOnly() {
        assertInstanceOf(PredictorCorrector.class, Samplers.create("pc"));
        assertThrows(InvalidInputException.class, () -> Samplers.create("pc", -1, Samplers.DEFAULT_SNR));
        assertThrows(InvalidInputException.class, () -> Samplers.create("pc", 1, 0));
        assertEquals("sde", Samplers.create("sde", -1, 0).name()); // ignored by the others, as before
        assertTrue(Samplers.DEFAULT_CORRECTOR_STEPS >= 0 && Samplers.DEFAULT_SNR > 0);
    }

    @Test
    void theCommandLineHelpListsTheRegisteredNames() {
        for (String command : new String[] {"sample", "sample-batch"}) {
            String help = CommandLineTest.ok(command, "--help").out().replaceAll("\\s+", " ");
            assertTrue(
                    help.contains("--sampler=<sampler> "
                            + String.join(", ", Samplers.all().keySet()) + " (default: sde)"),
                    help);
            assertTrue(
                    help.contains("(default: " + Samplers.DEFAULT_CORRECTOR_STEPS + ")")
                            && help.contains("(default: " + Samplers.DEFAULT_SNR + ")"),
                    help);
        }
    }

    @Test
    void anUnknownNameFailsListingEveryRegisteredName() {
        for (String bad : new String[] {"euler", "", null}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Samplers.create(bad));
            assertTrue(e.getMessage().contains("unknown sampler '" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().endsWith("valid: ode, sde, pf-ode, ode-heun, pc"), e.getMessage());
        }
    }
}
