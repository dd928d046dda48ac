import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.problem.toy.ToyExactScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;

/**
 * Compares a toy-sde SMDP checkpoint's score with the exact (Fokker-Planck) score across the band
 * the data occupy near the positive mode's noise-free path {@code mu(t) = 1 / (1 + 7 t)}: the value
 * of {@code g^2 s} at the path and its slope in {@code x} (central difference over +-0.006, about the
 * band's width). The reverse SDE stays in the band only if the slope is close to the exact one.
 *
 * <p>Run from the repository root after a build ({@code ./smdp --help} builds it):
 * <pre>java -cp "target/classes:$(cat target/classpath.txt)" docs/scripts/ToyScoreSlope.java CKPT</pre>
 */
public class ToyScoreSlope {
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ToyScoreSlope CHECKPOINT (an SMDP checkpoint of the toy-sde problem)");
            System.exit(2);
        }
        Engines.configureOffline();
        double g = 0.03;
        double dt = 10.0 / 499;
        double h = 0.006;
        try (NDManager manager = Engines.newManager(1)) {
            if (!(TrainableModel.load(manager, Checkpoint.read(Path.of(args[0]))) instanceof SmdpModel model)) {
                System.err.println(args[0] + " is not an SMDP checkpoint");
                System.exit(2);
                return;
            }
            ScoreModel learned = model.score();
            ScoreModel exact = new ToyExactScore(7, g, 10);
            System.out.println("     t   mu(t)   g^2 s at mu: learned  exact   slope in x: learned  exact");
            for (double t : new double[] {dt, 2 * dt, 5 * dt, 10 * dt, 0.5, 1, 2, 5, 9}) {
                double mu = 1 / (1 + 7 * t);
                NDArray x = EngineArrays.of(
                        manager, new float[] {(float) (mu - h), (float) mu, (float) (mu + h)}, new Shape(3, 1));
                float[] l = learned.score(x, t).toFloatArray();
                float[] e = exact.score(x, t).toFloatArray();
                System.out.printf(
                        "%6.3f  %6.4f        %8.3f  %8.3f          %8.1f  %8.1f%n",
                        t,
                        mu,
                        g * g * l[1],
                        g * g * e[1],
                        g * g * (l[2] - l[0]) / (2 * h),
                        g * g * (e[2] - e[0]) / (2 * h));
            }
        }
    }
}
