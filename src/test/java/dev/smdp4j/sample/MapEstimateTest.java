package dev.smdp4j.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.GaussianPrior;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.problem.ns.NavierStokesProblem;
import dev.smdp4j.score.ExactPosterior;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * The MAP estimate through the differentiable solver against the heat benchmark's closed-form
 * posterior mean (equal for a linear physics and a Gaussian prior), the problems' Gaussian priors
 * against the fields their generators draw, and the estimate on the nonlinear Navier-Stokes solver.
 */
class MapEstimateTest extends EngineTest {
    private static final int N = 16;

    private static DatasetSpec heatSpec(double observationNoise) {
        return DatasetSpec.heat(2, 1, N, 4, 1.0, 0.1, 4, 0.1, observationNoise, 0);
    }

    /** Observations {@code F(x0) + s e} of prior draws, in {@code norm}'s units. */
    private static NDArray observe(
            NDManager m,
            Problem problem,
            PhysicsModel physics,
            Normalisation norm,
            int count,
            double endTime,
            double s,
            long seed) {
        HostArray x0 = norm.normalise(problem.initialStates(m, count, seed));
        NDArray y = physics.advance(EngineArrays.of(m, x0.data(), new Shape(count, N, N)), endTime);
        return y.add(new GaussianNoise(seed + 1).next(m, y.getShape()).mul(s));
    }

    @Test
    void heatMapEqualsTheClosedFormPosteriorMean() {
        Normalisation norm = new Normalisation(0.0, 1.7);
        for (double s : new double[] {0.02, 0.3}) {
            DatasetSpec spec = heatSpec(s);
            Problem problem = spec.problem();
            try (NDManager m = manager.newSubManager();
                    GaussianPrior prior = problem.gaussianPrior(m, spec, norm);
                    ExactPosterior exact = new ExactPosterior(m, spec, norm)) {
                PhysicsModel physics = problem.physics(m, norm);
                NDArray y = observe(m, problem, physics, norm, 3, spec.endTime(), s, 5);
                MapEstimate map = new MapEstimate(
                        physics,
                        TimeGrid.uniform(spec.endTime(), spec.steps()),
                        prior,
                        s,
                        MapEstimate.Settings.defaults());
                MapEstimate.Result result = map.estimate(y);
                NDArray expected = exact.mean(y);
                double scale = expected.abs().max().getFloat();
                double error = result.x0().sub(expected).abs().max().getFloat();
                assertTrue(
                        error < 1e-3 * scale,
                        "s = " + s + ": max error " + error + " against max |mean| " + scale + " after "
                                + result.iterations() + " iterations (relative gradient " + result.relativeGradient()
                                + ")");
                assertTrue(result.iterations() > 1, "the estimate must move from the prior mean");
            }
        }
    }

    /** The closed-form name {@code map} of a problem gives the MAP estimate, here equal to the posterior mean. */
    @Test
    void mapIsAClosedFormOfTheProblemsWithAGaussianPrior() {
        DatasetSpec spec = heatSpec(0.1);
        Normalisation norm = new Normalisation(0.0, 1.3);
        Problem problem = spec.problem();
        assertTrue(Problems.closedFormNames().contains(Problem.MAP));
        assertTrue(new NavierStokesProblem(N, 4, 0.03, 0, 0.01).closedForms().contains(Problem.MAP));
        try (NDManager m = manager.newSubManager()) {
            int count = Problem.MAP_CHUNK + 3; // two batches
            HostArray y = new HostArray(
                    observe(m, problem, problem.physics(m, norm), norm, count, spec.endTime(), 0.1, 7)
                            .toFloatArray(),
                    count,
                    N,
                    N);
            HostArray map = problem.closedFormSamples(m, Problem.MAP, spec, norm, y, 4, 0);
            HostArray mean = problem.closedFormSamples(m, "exact-posterior-mean", spec, norm, y, 4, 0);
            assertArrayEquals(new int[] {count, 1, N, N}, map.shape());
            float[] a = map.data();
            float[] b = mean.data();
            double scale = 0;
            double error = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(b[i]));
                error = Math.max(error, Math.abs(a[i] - b[i]));
            }
            assertTrue(error < 1e-3 * scale, "max error " + error + " against " + scale);
        }
        InvalidInputException e = assertThrows(
                InvalidInputException.class,
                () -> new dev.smdp4j.problem.toy.ToySde(7)
                        .closedFormSamples(
                                manager,
                                Problem.MAP,
                                new dev.smdp4j.problem.toy.ToySde(7).defaultSpec(),
                                new Normalisation(0, 1),
                                new HostArray(new float[] {0.1f}, 1, 1),
                                1,
                                0));
        assertTrue(e.getMessage().contains("no Gaussian prior"), e.getMessage());
    }

    /** The prior's pixel variance {@code E x^2} (from white noise through its square root) is the generator's. */
    @Test
    void priorsMatchTheFieldsTheGeneratorsDraw() {
        Problem[] problems = {new HeatProblem(N, 4, 1.0), new NavierStokesProblem(N, 4, 0.03, 0, 0.01)};
        for (Problem problem : problems) {
            DatasetSpec spec = new DatasetSpec(problem, 2, 1, 0.1, 4, 0.1, 0.1, 0);
            Normalisation norm = problem.normalisation(problem.initialStates(manager, 64, 1));
            try (NDManager m = manager.newSubManager();
                    GaussianPrior prior = problem.gaussianPrior(m, spec, norm)) {
                int count = 2000;
                HostArray fields = norm.normalise(problem.initialStates(m, count, 3));
                double generated = 0;
                for (float v : fields.data()) {
                    generated += v * (double) v;
                }
                generated /= fields.size();
                NDArray drawn = prior.colour(new GaussianNoise(4).next(m, new Shape(count, N, N)));
                double fromPrior = drawn.square().mean().getFloat();
                // 2000 fields: the low modes dominate, each with 2000 draws, so a few percent of spread
                assertEquals(generated, fromPrior, 0.06 * generated, problem.name() + ": pixel variance");
            }
        }
    }

    @Test
    void navierStokesMapFitsTheObservationBetterThanThePriorMean() {
        NavierStokesProblem problem = new NavierStokesProblem(N, 4, 0.03, 0, 0.02);
        Normalisation norm = new Normalisation(0, 1);
        double s = 0.05;
        double endTime = 0.2;
        DatasetSpec spec = new DatasetSpec(problem, 2, 1, endTime, 2, 0.1, s, 0);
        try (NDManager m = manager.newSubManager();
                GaussianPrior prior = problem.gaussianPrior(m, spec, norm)) {
            PhysicsModel physics = problem.physics(m, norm);
            NDArray y = observe(m, problem, physics, norm, 2, endTime, s, 9);
            MapEstimate map = new MapEstimate(
                    physics,
                    TimeGrid.uniform(endTime, 2),
                    prior,
                    s,
                    MapEstimate.Settings.defaults().withIterations(60));
            MapEstimate.Result result = map.estimate(y);
            double atPriorMean = y.square().sum().getFloat() / (2 * s * s); // F(0) = 0 for the unforced solver
            assertTrue(
                    result.objective() < 0.05 * atPriorMean,
                    "objective " + result.objective() + " vs " + atPriorMean + " at the prior mean");
            NDArray fitted = physics.advance(result.x0(), endTime);
            double misfit = fitted.sub(y).square().mean().getFloat();
            assertTrue(misfit < 4 * s * s, "mean squared misfit " + misfit + " for observation noise " + s * s);
        }
    }

    @Test
    void refusesANonPositiveNoise() {
        try (NDManager m = manager.newSubManager()) {
            DatasetSpec spec = heatSpec(0.1);
            GaussianPrior prior = spec.problem().gaussianPrior(m, spec, new Normalisation(0, 1));
            InvalidInputException e = assertThrows(
                    InvalidInputException.class,
                    () -> new MapEstimate(
                            PhysicsModel.NONE, TimeGrid.uniform(1, 1), prior, 0, MapEstimate.Settings.defaults()));
            assertTrue(e.getMessage().contains("standard deviation"), e.getMessage());
            prior.close();
        }
    }
}
