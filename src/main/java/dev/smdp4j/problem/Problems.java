package dev.smdp4j.problem;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.problem.ns.NavierStokesProblem;
import dev.smdp4j.problem.toy.ToySde;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of problems by name. The built-in ones are {@code heat} (the paper's heat
 * benchmark) and {@code toy-sde} (the paper's 1-D SDE with a bimodal posterior); a library user
 * adds another with {@link #register} before generating, training or sampling with it, or for the
 * command line through a {@link ProblemProvider} on the class path.
 */
public final class Problems {
    /** A problem type: its name, its defaults, and how to rebuild it from stored parameters. */
    public record Entry(
            String name, String description, Problem defaults, Function<Map<String, ?>, Problem> fromParameters) {}

    /** The problem of data sets and checkpoints that name none (written before problems existed). */
    public static final String DEFAULT = HeatProblem.NAME;

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(
                HeatProblem.NAME,
                "the heat benchmark: Gaussian random fields on a periodic N x N grid, "
                        + "spectral heat solver (parameters grid_size, exponent, alpha)",
                HeatProblem.paper(),
                HeatProblem::fromParameters));
        register(new Entry(
                ToySde.NAME,
                "the 1-D toy SDE dx = -lambda sign(x) x^2 dt + g dw from x0 = +-1 " + "(parameter lambda)",
                ToySde.paper(),
                ToySde::fromParameters));
        register(new Entry(
                NavierStokesProblem.NAME,
                "decaying 2-D turbulence: Gaussian random field vorticity on a "
                        + "periodic N x N grid through the pseudo-spectral Navier-Stokes solver (parameters grid_size, "
                        + "exponent, nu, drag, dt_max; a provisional protocol)",
                NavierStokesProblem.defaults(),
                NavierStokesProblem::fromParameters));
        for (ProblemProvider provider : java.util.ServiceLoader.load(ProblemProvider.class)) {
            register(provider.entry());
        }
    }

    private Problems() {}

    /** Registers (or replaces) a problem type under its name. */
    public static synchronized void register(Entry entry) {
        if (entry.name() == null || !entry.name().matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException(
                    "a problem name is lower-case letters, digits and '-', got '" + entry.name() + "'");
        }
        if (!entry.name().equals(entry.defaults().name())) {
            throw new IllegalArgumentException("the defaults of problem '" + entry.name() + "' are named '"
                    + entry.defaults().name() + "'");
        }
        ENTRIES.put(entry.name(), entry);
    }

    /** The registered problem type {@code name}. */
    public static synchronized Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new InvalidInputException(
                    "unknown problem '" + name + "'; valid: " + String.join(", ", ENTRIES.keySet())
                            + " (a library user registers others with Problems.register)");
        }
        return e;
    }

    /** The defaults of problem {@code name}. */
    public static Problem defaults(String name) {
        return get(name).defaults();
    }

    /** The problem {@code name} with the stored {@code parameters} (extra entries are ignored). */
    public static Problem fromParameters(String name, Map<String, ?> parameters) {
        return get(name).fromParameters().apply(parameters);
    }

    /**
     * Problem {@code name} with its defaults overridden by {@code overrides} (e.g. the command
     * line's {@code --set k=v}); a name the problem does not have is an {@link InvalidInputException}
     * that lists the valid ones.
     */
    public static Problem withParameters(String name, Map<String, ? extends Number> overrides) {
        Map<String, Object> params = new LinkedHashMap<>(defaults(name).parameters());
        for (Map.Entry<String, ? extends Number> e : overrides.entrySet()) {
            if (!params.containsKey(e.getKey())) {
                throw new InvalidInputException("--set " + e.getKey() + ": problem " + name + " has no such "
                        + "parameter; valid: " + String.join(", ", params.keySet()));
            }
            params.put(e.getKey(), e.getValue());
        }
        return fromParameters(name, params);
    }

    /** The registered names, in registration order. */
    public static synchronized Map<String, Entry> all() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ENTRIES));
    }

    /** The names of every registered problem's closed forms (see {@link Problem#closedForms()}). */
    public static synchronized java.util.Set<String> closedFormNames() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        ENTRIES.values().forEach(e -> names.addAll(e.defaults().closedForms()));
        return names;
    }

    /** A number stored under {@code key}, or a clear error. */
    public static double number(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new InvalidInputException("missing or non-numeric problem parameter '" + key + "'");
        }
        return n.doubleValue();
    }

    /** An integer stored under {@code key}, or a clear error. */
    public static int integer(Map<String, ?> m, String key) {
        double v = number(m, key);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new InvalidInputException("problem parameter '" + key + "' must be an integer, got " + v);
        }
        return (int) v;
    }
}
