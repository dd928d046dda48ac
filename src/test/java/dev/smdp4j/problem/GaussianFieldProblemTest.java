package dev.smdp4j.problem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smdp4j.problem.ns.NavierStokesProblem;
import dev.smdp4j.train.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link GaussianFieldProblem} gives heat and Navier-Stokes: shape, parameters (in the files' order), defaults. */
class GaussianFieldProblemTest {
    @Test
    void parametersKeepTheirOrderAndRoundTrip() {
        HeatProblem heat = new HeatProblem(16, 3.5, 0.7);
        assertEquals(
                List.of("grid_size", "exponent", "alpha"),
                List.copyOf(heat.parameters().keySet()));
        assertEquals(List.of(16, 3.5, 0.7), List.copyOf(heat.parameters().values()));
        assertEquals(heat, HeatProblem.fromParameters(heat.parameters()));

        NavierStokesProblem ns = new NavierStokesProblem(24, 4, 0.03, 0.1, 0.02);
        assertEquals(
                List.of("grid_size", "exponent", "nu", "drag", "dt_max"),
                List.copyOf(ns.parameters().keySet()));
        assertEquals(
                List.of(24, 4.0, 0.03, 0.1, 0.02), List.copyOf(ns.parameters().values()));
        assertEquals(ns, NavierStokesProblem.fromParameters(ns.parameters()));
    }

    @Test
    void shapeAndDefaultsComeFromTheField() {
        assertArrayEquals(new int[] {16, 16}, new HeatProblem(16, 4, 1).stateShape());
        assertArrayEquals(new int[] {24, 24}, new NavierStokesProblem(24, 4, 0.03, 0, 0.01).stateShape());
        for (GaussianFieldProblem p : List.of(HeatProblem.paper(), NavierStokesProblem.defaults())) {
            assertEquals(Method.SMDP.defaultNetwork(), p.defaultNetwork(Method.SMDP));
        }
        // Heat keeps every method's own schedule; Navier-Stokes shortens SMDP's, the physics-loss
        // baselines' (each unrolled solver step costs far more than a heat step) and the supervised
        // baselines' (the paper profile has to fit in an hour).
        HeatProblem heat = HeatProblem.paper();
        NavierStokesProblem ns = NavierStokesProblem.defaults();
        for (Method m : Method.values()) {
            assertEquals(m.defaultSchedule(), heat.defaultSchedule(m), m.name());
        }
        assertEquals(NavierStokesProblem.SMDP_SCHEDULE, ns.defaultSchedule(Method.SMDP));
        assertEquals(NavierStokesProblem.PHYSICS_LOSS_SCHEDULE, ns.defaultSchedule(Method.FNO_P));
        assertEquals(NavierStokesProblem.PHYSICS_LOSS_SCHEDULE, ns.defaultSchedule(Method.RESNET_P));
        assertEquals(NavierStokesProblem.SUPERVISED_SCHEDULE, ns.defaultSchedule(Method.FNO_S));
        assertEquals(NavierStokesProblem.SUPERVISED_SCHEDULE, ns.defaultSchedule(Method.RESNET_S));
        assertEquals(Method.HEATGEN.defaultSchedule(), ns.defaultSchedule(Method.HEATGEN));
    }
}
