package dev.smdp4j.sample;

import dev.smdp4j.io.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The samplers, registered by name (score_sde's registry pattern). */
public final class Samplers {
    /** Name -> one-line description, in the order shown to users. */
    public static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("ode", "SMDP-ODE as in the paper's table: x - P_d(x) + d g^2 s (the reverse SDE's drift, no noise)");
        DESCRIPTIONS.put("sde", "SMDP-SDE: reverse-time SDE, x - P_d(x) + d g^2 s + g sqrt(d) z (no noise into t_0)");
        DESCRIPTIONS.put("pf-ode", "probability-flow ODE (paper Eq. 2), explicit Euler: x - P_d(x) + d (1/2) g^2 s");
        DESCRIPTIONS.put("ode-heun", "probability-flow ODE, Heun's second-order method");
        DESCRIPTIONS.put("pc", "predictor-corrector: the sde step plus Langevin corrector steps (--corrector-steps, --snr)");
    }

    private Samplers() {
    }

    /** The sampler named {@code name}; the corrector settings apply to {@code pc} only. */
    public static Sampler create(String name, int correctorSteps, double snr) {
        return switch (name) {
            case "ode" -> new EulerSampler("ode", 1, false);
            case "sde" -> new EulerSampler("sde", 1, true);
            case "pf-ode" -> new EulerSampler("pf-ode", 0.5, false);
            case "ode-heun" -> new HeunSampler();
            case "pc" -> new PredictorCorrector(correctorSteps, snr);
            default -> throw new InvalidInputException("unknown sampler '" + name + "'; valid: "
                    + String.join(", ", DESCRIPTIONS.keySet()));
        };
    }

    /** The sampler named {@code name} with default corrector settings (1 step, snr 0.16). */
    public static Sampler create(String name) {
        return create(name, 1, 0.16);
    }
}
