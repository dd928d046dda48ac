import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sample.PosteriorSampling;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.util.Engines;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A timing server for docs/scripts/interleave.py: posterior sampling of the heat benchmark, timed
 * as `smdp bench sampling` times it (PosteriorSampling.run on one observation, seed 3, batch = samples).
 * Compiled against a build of smdp4j by java_server.sh, so that two builds can be timed block by
 * block in alternation. Written against the public API of commit 522f761 and later; what changed
 * since (PosteriorSampling.run's signature, the checkpoint class's package) is found by reflection.
 *
 * <p>Usage: SamplingServer default|CKPT. "default": a freshly initialised network of the build's
 * default architecture, with the benchmark's time grid (32 steps to T = 0.2), as `bench sampling`
 * uses without --model. Prints "ready", then answers every stdin line "SAMPLER BATCH SECONDS" with
 * "SECONDS_PER_CALL CALLS": calls of that row run back to back for at least SECONDS (at least one).
 */
public final class SamplingServer {
    public static void main(String[] args) throws Exception {
        try (NDManager manager = Engines.newManager()) {
            SmdpModel model = args[0].equals("default")
                    ? SmdpModel.create(manager, ScoreNetConfig.defaults(),
                            DatasetSpec.heat(256, 1, 32, 4, 1, 0.2, 32, 0.1, 0.01, 0), new Normalisation(0, 1), 0.5, 1)
                    : load(manager, Path.of(args[0]));
            DatasetSpec spec = model.spec();
            int n = 32;
            float[] field = new float[n * n]; // the peer's check input, first item
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    field[r * n + c] = (float) (Math.sin(2 * Math.PI * r / n) * Math.cos(4 * Math.PI * c / n) + 0.1);
                }
            }
            HostArray y = new HostArray(field, 1, n, n);
            Method run = null;
            for (Method m : PosteriorSampling.class.getMethods()) {
                if (m.getName().equals("run") && (run == null || m.getParameterCount() > run.getParameterCount())) {
                    run = m;
                }
            }
            try (HeatEquation heat = new HeatEquation(manager, spec.alpha())) {
                Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
                TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
                System.out.println("ready");
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    String[] w = line.trim().split("\\s+");
                    int batch = Integer.parseInt(w[1]);
                    double seconds = Double.parseDouble(w[2]);
                    Object[] call = arguments(run, manager, y, batch, Samplers.create(w[0]), sde, model, grid);
                    long start = System.nanoTime();
                    int calls = 0;
                    do {
                        run.invoke(null, call);
                        calls++;
                    } while (System.nanoTime() - start < seconds * 1e9);
                    System.out.println((System.nanoTime() - start) / 1e9 / calls + " " + calls);
                    System.out.flush();
                }
            }
        }
    }

    /** SmdpModel.load(manager, Checkpoint.read(file)), wherever the build keeps its Checkpoint class. */
    private static SmdpModel load(NDManager manager, Path file) throws Exception {
        for (Method m : SmdpModel.class.getMethods()) {
            if (m.getName().equals("load") && m.getParameterCount() == 2) {
                Object checkpoint = m.getParameterTypes()[1].getMethod("read", Path.class).invoke(null, file);
                return (SmdpModel) m.invoke(null, manager, checkpoint);
            }
        }
        throw new IllegalStateException("no SmdpModel.load(NDManager, Checkpoint)");
    }

    /** PosteriorSampling.run's arguments, by parameter type: the first int is the samples, the second the batch. */
    private static Object[] arguments(Method run, NDManager manager, HostArray y, int batch, Object sampler, Sde sde,
            SmdpModel model, TimeGrid grid) throws Exception {
        Class<?>[] types = run.getParameterTypes();
        Object[] a = new Object[types.length];
        int ints = 0;
        for (int i = 0; i < types.length; i++) {
            String t = types[i].getSimpleName();
            a[i] = switch (t) {
                case "NDManager" -> manager;
                case "HostArray" -> y;
                case "int" -> batch; // samples, then the engine batch: equal, as in `bench sampling`
                case "Sampler" -> sampler;
                case "Sde" -> sde;
                case "ScoreModel" -> model.score();
                case "TimeGrid" -> grid;
                case "long" -> 3L;
                case "Seeding" -> types[i].getMethod("global", long.class).invoke(null, 3L);
                case "boolean" -> true;
                default -> null; // progress
            };
            ints += t.equals("int") ? 1 : 0;
        }
        if (ints != 2) {
            throw new IllegalStateException("unexpected PosteriorSampling.run signature: " + run);
        }
        return a;
    }
}
