package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.problem.toy.ToyDrift;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import org.junit.jupiter.api.Test;

/** Window starts: the paper's uniform draw, unchanged by default; with early times, half log-uniform. */
class WindowStartTest {
    static final int M = 499;

    static UnrolledOdeObjective objective() {
        NetworkOutput none = StoredTrajectoriesTest.ZERO;
        return new UnrolledOdeObjective(new Sde(new ToyDrift(7), Diffusion.constant(0.03)), none, 10, M, false);
    }

    @Test
    void uniformByDefaultAndEarlyTimesWeightTheFirstSteps() {
        UnrolledOdeObjective uniform = objective();
        UnrolledOdeObjective early = objective().withEarlyTimes();
        int n = 100_000;
        int window = 4;
        int uniformNearZero = 0;
        int earlyNearZero = 0;
        for (int i = 0; i < n; i++) {
            double u = (i + 0.5) / n;
            int a = uniform.windowStart(window, u);
            int b = early.windowStart(window, u);
            assertEquals(window + (int) Math.floor(u * (M - window + 1)), a, "the paper's uniform start");
            assertTrue(b >= window && b <= M, "start in S..M: " + b);
            uniformNearZero += a <= window + 4 ? 1 : 0;
            earlyNearZero += b <= window + 4 ? 1 : 0;
        }
        assertEquals(5.0 / (M - window + 1), uniformNearZero / (double) n, 1e-3);
        // Half log-uniform: P(start <= S + 4) = 0.5 log(6) / log(M - S + 2) + 0.5 * 5 / (M - S + 1), about 0.15.
        double expected = 0.5 * Math.log(6) / Math.log(M - window + 2) + 0.5 * 5.0 / (M - window + 1);
        assertEquals(expected, earlyNearZero / (double) n, 2e-3);
    }
}
