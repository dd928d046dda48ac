package dev.smdp4j.sample;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.GaussianPrior;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;

/**
 * The maximum a posteriori estimate of initial states through a differentiable physics solver:
 * the classical answer to the inverse problem, and the one a user would try first. It minimises
 * <pre>  J(x0) = |F(x0) - y|^2 / (2 s^2) + x0^T C^-1 x0 / 2</pre>
 * per observation, with {@code F} the noise-free physics over the time grid, {@code s} the
 * standard deviation assumed for the observation's error and {@code C} the Gaussian prior's
 * covariance. It works in the prior's whitened coordinates {@code x0 = C^(1/2) z}, where the
 * prior term is {@code |z|^2 / 2} and the prior's own ill-conditioning (power-law spectra span
 * many orders of magnitude) is gone, and minimises over {@code z} with L-BFGS (limited-memory
 * quasi-Newton, backtracking line search on the sufficient-decrease condition), starting from the
 * prior mean. Gradients come from the engine's autograd through every physics step.
 *
 * <p>The objective's curvature spans {@code 1} (modes the observation does not see) to about
 * {@code c^2 p / s^2} (well-observed modes of prior variance {@code p} and gain {@code c}), 1e5 and
 * more for small {@code s}; with float32 gradients plain L-BFGS stalls long before the weakly
 * curved directions converge (measured on the heat benchmark: 3% error after 300 iterations). So
 * the recursion starts from the prior's guess of the inverse curvature,
 * {@link GaussianPrior#precondition} (for a Fourier-diagonal prior {@code 1 / (1 + p / s^2)} per
 * mode: exact for a physics that keeps every mode's amplitude), and L-BFGS corrects the rest.
 *
 * <p>The observations of a batch are evaluated together but optimised separately (each its own
 * line search, correction pairs and stopping test), so an estimate depends on the batch it was
 * computed in only through floating-point rounding; there is no randomness. For a linear physics and a Gaussian prior the
 * estimate equals the posterior mean (tested against the heat benchmark's closed form).
 */
public final class MapEstimate {
    private final PhysicsModel physics;
    private final TimeGrid grid;
    private final GaussianPrior prior;
    private final double noise;
    private final Settings settings;

    /**
     * @param iterations the most L-BFGS iterations per batch
     * @param history correction pairs kept
     * @param tolerance stop when the gradient's norm has fallen by this factor from its start
     */
    public record Settings(int iterations, int history, double tolerance) {
        public Settings {
            if (iterations < 1 || history < 1 || !(tolerance > 0) || !(tolerance < 1)) {
                throw new InvalidInputException(
                        "MAP estimate: need iterations >= 1, history >= 1 and 0 < tolerance < 1, got " + iterations
                                + ", " + history + ", " + tolerance);
            }
        }

        /**
         * 200 iterations, 20 pairs, tolerance 1e-7 (the heat benchmark's posterior mean to 0.3% of
         * its largest value in about 100 iterations, measured).
         */
        public static Settings defaults() {
            return new Settings(200, 20, 1e-7);
        }

        /** These settings with at most {@code n} iterations. */
        public Settings withIterations(int n) {
            return new Settings(n, history, tolerance);
        }
    }

    /**
     * The estimates {@code [B, ...state]} (in the observations' manager), the iterations of the
     * slowest observation, the objective summed over the batch, and the largest ratio of an
     * observation's final to first gradient norm.
     */
    public record Result(NDArray x0, int iterations, double objective, double relativeGradient) {}

    /**
     * @param physics the physics in the observations' units
     * @param grid the steps of {@code F}: {@code advance} over each span of the grid in turn
     * @param prior the prior of initial states in the same units
     * @param noise {@code s > 0}
     */
    public MapEstimate(PhysicsModel physics, TimeGrid grid, GaussianPrior prior, double noise, Settings settings) {
        if (!(noise > 0) || Double.isInfinite(noise)) {
            throw new InvalidInputException(
                    "MAP estimate: the observation error's standard deviation must be finite and > 0, got " + noise);
        }
        this.physics = physics;
        this.grid = grid;
        this.prior = prior;
        this.noise = noise;
        this.settings = settings;
    }

    /** The estimate for observations {@code y} ({@code [B, ...state]}). */
    public Result estimate(NDArray y) {
        Shape shape = y.getShape();
        int batch = Math.toIntExact(shape.get(0));
        int size = Math.toIntExact(shape.size() / batch);
        Item[] items = new Item[batch];
        for (int i = 0; i < batch; i++) {
            items[i] = new Item(size, settings.history());
        }
        try (NDManager scope = y.getManager().newSubManager()) {
            NDArray target = y.duplicate();
            target.attach(scope);
            Evaluation first = evaluate(i -> items[i].z, target, shape, scope);
            for (int i = 0; i < batch; i++) {
                items[i].accept(items[i].z, first.values()[i], first.gradients()[i]);
                items[i].start = norm(items[i].gradient);
                items[i].done = !Double.isFinite(items[i].value) || !(items[i].start > 0);
            }
            int iteration = 0;
            while (iteration < settings.iterations() && anyActive(items)) {
                iteration++;
                double[][] direction = directions(items, shape, scope);
                double[] step = new double[batch];
                double[] slope = new double[batch];
                double[][] trial = new double[batch][];
                boolean[] pending = new boolean[batch];
                for (int i = 0; i < batch; i++) {
                    pending[i] = !items[i].done;
                    step[i] = 1;
                    slope[i] = pending[i] ? dot(direction[i], items[i].gradient) : 0;
                }
                for (int halvings = 0; halvings < 40 && any(pending); halvings++) {
                    for (int i = 0; i < batch; i++) {
                        if (pending[i]) {
                            trial[i] = axpy(step[i], direction[i], items[i].z);
                        }
                    }
                    Evaluation next = evaluate(i -> pending[i] ? trial[i] : items[i].z, target, shape, scope);
                    for (int i = 0; i < batch; i++) {
                        if (!pending[i]) {
                            continue;
                        }
                        if (Double.isFinite(next.values()[i])
                                && next.values()[i] <= items[i].value + 1e-4 * step[i] * slope[i]) {
                            items[i].accept(trial[i], next.values()[i], next.gradients()[i]);
                            items[i].done = norm(items[i].gradient) <= settings.tolerance() * items[i].start;
                            pending[i] = false;
                        } else {
                            step[i] /= 2;
                        }
                    }
                }
                for (int i = 0; i < batch; i++) {
                    if (pending[i]) { // no decrease at float32 precision: as good as it gets
                        items[i].done = true;
                    }
                }
            }
            double objective = 0;
            double relative = 0;
            double[] z = new double[batch * size];
            for (int i = 0; i < batch; i++) {
                objective += items[i].value;
                relative = Math.max(relative, items[i].start > 0 ? norm(items[i].gradient) / items[i].start : 0);
                System.arraycopy(items[i].z, 0, z, i * size, size);
            }
            NDArray x0 = prior.colour(EngineArrays.of(scope, z, shape).toType(y.getDataType(), false));
            x0.attach(y.getManager());
            return new Result(x0, iteration, objective, relative);
        }
    }

    /**
     * One observation's L-BFGS state: its iterate, objective, gradient, the norm of its first
     * gradient, the last {@code m} correction pairs (a ring), and whether it has stopped.
     */
    private static final class Item {
        double[] z;
        double value;
        double[] gradient;
        double start;
        boolean done;
        final double[][] s;
        final double[][] dg;
        final double[] rho;
        int stored;
        int newest = -1;

        Item(int size, int history) {
            z = new double[size];
            s = new double[history][];
            dg = new double[history][];
            rho = new double[history];
        }

        /** Moves to {@code next}, keeping the correction pair if its curvature is positive. */
        void accept(double[] next, double nextValue, double[] nextGradient) {
            if (gradient != null) {
                double[] sk = difference(next, z);
                double[] yk = difference(nextGradient, gradient);
                double sy = dot(sk, yk);
                if (sy > 1e-12 * norm(sk) * norm(yk)) {
                    newest = (newest + 1) % s.length;
                    s[newest] = sk;
                    dg[newest] = yk;
                    rho[newest] = 1 / sy;
                    stored = Math.min(stored + 1, s.length);
                }
            }
            z = next;
            value = nextValue;
            gradient = nextGradient;
        }
    }

    private static boolean anyActive(Item[] items) {
        for (Item item : items) {
            if (!item.done) {
                return true;
            }
        }
        return false;
    }

    private static boolean any(boolean[] flags) {
        for (boolean f : flags) {
            if (f) {
                return true;
            }
        }
        return false;
    }

    /** Per-observation objectives and gradients at the states {@code z.apply(i)}, computed in one batch. */
    private record Evaluation(double[] values, double[][] gradients) {}

    /** {@code J} of every observation and its gradient in {@code z}, computed in a scope of their own. */
    private Evaluation evaluate(java.util.function.IntFunction<double[]> z, NDArray y, Shape shape, NDManager parent) {
        int batch = Math.toIntExact(shape.get(0));
        int size = Math.toIntExact(shape.size() / batch);
        double[] all = new double[batch * size];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(z.apply(i), 0, all, i * size, size);
        }
        try (NDManager step = parent.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray zz = EngineArrays.of(step, all, shape).toType(y.getDataType(), false);
            zz.setRequiresGradient(true);
            NDArray x = prior.colour(zz);
            for (int i = 0; i < grid.steps(); i++) {
                x = physics.advance(x, grid.span(i));
            }
            NDArray flatMisfit = x.sub(y).square().reshape(batch, -1).sum(new int[] {1});
            NDArray flatPrior = zz.square().reshape(batch, -1).sum(new int[] {1});
            NDArray values = Scalars.mul(flatMisfit, 0.5 / (noise * noise)).add(Scalars.mul(flatPrior, 0.5));
            collector.backward(values.sum());
            float[] v = values.toFloatArray();
            float[] g = zz.getGradient().toFloatArray();
            double[] out = new double[batch];
            double[][] gradients = new double[batch][size];
            for (int i = 0; i < batch; i++) {
                out[i] = v[i];
                for (int j = 0; j < size; j++) {
                    gradients[i][j] = g[i * size + j];
                }
            }
            return new Evaluation(out, gradients);
        }
    }

    /**
     * Each active observation's L-BFGS direction {@code -H g} (two-loop recursion), the middle
     * step, the prior's preconditioner, applied to all of them in one engine call; a direction
     * that is not downhill (rounding) is replaced by the preconditioned steepest descent and the
     * observation's pairs are dropped. Done observations get none.
     */
    private double[][] directions(Item[] items, Shape shape, NDManager parent) {
        int batch = items.length;
        int size = Math.toIntExact(shape.size() / batch);
        double[][] q = new double[batch][];
        double[][] alpha = new double[batch][];
        for (int i = 0; i < batch; i++) {
            Item it = items[i];
            q[i] = it.done ? new double[size] : it.gradient.clone();
            alpha[i] = new double[it.s.length];
            for (int k = 0; !it.done && k < it.stored; k++) {
                int j = Math.floorMod(it.newest - k, it.s.length);
                alpha[i][j] = it.rho[j] * dot(it.s[j], q[i]);
                addScaled(q[i], -alpha[i][j], it.dg[j]);
            }
        }
        double[][] r = precondition(q, shape, parent);
        double[][] out = new double[batch][];
        for (int i = 0; i < batch; i++) {
            Item it = items[i];
            if (it.done) {
                continue;
            }
            for (int k = it.stored - 1; k >= 0; k--) {
                int j = Math.floorMod(it.newest - k, it.s.length);
                double beta = it.rho[j] * dot(it.dg[j], r[i]);
                addScaled(r[i], alpha[i][j] - beta, it.s[j]);
            }
            out[i] = scaled(r[i], -1);
            if (!(dot(out[i], it.gradient) < 0)) {
                it.stored = 0;
                out[i] = scaled(precondition(new double[][] {it.gradient}, oneOf(shape), parent)[0], -1);
            }
        }
        return out;
    }

    /** {@code shape} with a batch of one. */
    private static Shape oneOf(Shape shape) {
        long[] dims = shape.getShape();
        dims[0] = 1;
        return new Shape(dims);
    }

    /** The prior's preconditioner applied to each row of {@code v}, in one engine call. */
    private double[][] precondition(double[][] v, Shape shape, NDManager parent) {
        int batch = v.length;
        int size = Math.toIntExact(shape.size() / batch);
        double[] all = new double[batch * size];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(v[i], 0, all, i * size, size);
        }
        try (NDManager scope = parent.newSubManager()) {
            NDArray in = EngineArrays.of(scope, all, shape).toType(DataType.FLOAT32, false);
            float[] p = prior.precondition(in, noise).toFloatArray();
            double[][] out = new double[batch][size];
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < size; j++) {
                    out[i][j] = p[i * size + j];
                }
            }
            return out;
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static void addScaled(double[] target, double factor, double[] v) {
        for (int i = 0; i < target.length; i++) {
            target[i] += factor * v[i];
        }
    }

    private static double[] scaled(double[] v, double factor) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = factor * v[i];
        }
        return out;
    }

    private static double[] axpy(double a, double[] x, double[] y) {
        double[] out = y.clone();
        addScaled(out, a, x);
        return out;
    }

    private static double[] difference(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }
}
