package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Scalars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A learned physics as SMDP's drift: the {@link SurrogateModel} of a checkpoint written by
 * {@code smdp train --method surrogate}, with frozen weights, differentiable with respect to its
 * input, in the normalised units of the model that uses it (the surrogate's own normalisation is
 * mapped through physical units, so a surrogate trained on another data set of the same physics
 * works). {@link #describe()} names the file and its SHA-256.
 *
 * <p>Also parses SMDP's physics choice, {@code spectral} or {@code surrogate:CKPT} ({@link #open}).
 */
public final class SurrogatePhysics implements PhysicsModel {
    /** The prefix of a surrogate physics choice, {@code surrogate:CKPT}. */
    public static final String PREFIX = "surrogate:";

    private final SurrogateModel model;
    private final Path file;
    private final String sha256;
    /** Normalised units of the user to the surrogate's: {@code x_s = a x + b}; increments scale by {@code 1/a}. */
    private final float scale;

    private final float shift;

    private SurrogatePhysics(SurrogateModel model, Path file, String sha256, float scale, float shift) {
        this.model = model;
        this.file = file;
        this.sha256 = sha256;
        this.scale = scale;
        this.shift = shift;
    }

    /** Throws {@link InvalidInputException} unless {@code choice} is {@code spectral} or {@code surrogate:CKPT}. */
    public static void checkChoice(String choice) {
        if (choice == null
                || !(choice.equals(TrainingOptions.SPECTRAL)
                        || (choice.startsWith(PREFIX) && choice.length() > PREFIX.length()))) {
            throw new InvalidInputException("--physics must be 'spectral' or 'surrogate:CKPT' (a checkpoint of "
                    + "'smdp train --method surrogate'), got '" + choice + "'");
        }
    }

    /** The surrogate checkpoint of a choice {@code surrogate:CKPT}, or null for {@code spectral}. */
    public static Path file(String choice) {
        checkChoice(choice);
        return choice.startsWith(PREFIX) ? Path.of(choice.substring(PREFIX.length())) : null;
    }

    /**
     * The physics of a choice for a model of data set {@code spec} in normalisation {@code norm}:
     * the problem's own differentiable solver ({@code spectral}), or the surrogate loaded from its checkpoint.
     */
    public static PhysicsModel open(NDManager manager, String choice, DatasetSpec spec, Normalisation norm) {
        Path f = file(choice);
        return f == null ? spec.problem().physics(manager, norm) : load(manager, f, spec, norm);
    }

    /**
     * The surrogate in {@code file}, checked to have been trained for the physics of {@code spec}
     * (grid and diffusivity), for use in normalisation {@code norm}.
     */
    public static SurrogatePhysics load(NDManager manager, Path file, DatasetSpec spec, Normalisation norm) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("surrogate physics: no such checkpoint file " + file
                    + " (train one with 'smdp train --method surrogate')");
        }
        SurrogateModel model = SurrogateModel.load(manager, Checkpoint.read(file));
        List<String> diff = model.spec().physicsDifferences(spec, true);
        if (!diff.isEmpty()) {
            throw new InvalidInputException("surrogate " + file + " was trained for other physics: "
                    + String.join(", ", diff) + " (surrogate vs data)");
        }
        model.block().freezeParameters(true); // gradients flow to the input only
        Normalisation own = model.normalisation();
        return new SurrogatePhysics(
                model, file.toAbsolutePath(), Hashing.sha256(file), (float) (norm.std() / own.std()), (float)
                        ((norm.mean() - own.mean()) / own.std()));
    }

    @Override
    public NDArray increment(NDArray x, double d) {
        if (scale == 1f && shift == 0f) {
            return model.increment(x, d);
        }
        return Scalars.div(model.increment(Scalars.add(Scalars.mul(x, scale), shift), d), scale);
    }

    /** The absolute path of the checkpoint. */
    public Path file() {
        return file;
    }

    public String sha256() {
        return sha256;
    }

    public SurrogateModel model() {
        return model;
    }

    @Override
    public String describe() {
        return "surrogate(" + file + ", sha256 " + sha256.substring(0, 12) + ")";
    }
}
