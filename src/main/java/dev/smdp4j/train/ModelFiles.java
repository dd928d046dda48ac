package dev.smdp4j.train;

import ai.djl.nn.Block;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.nn.NetworkConfig;
import java.nio.file.Path;

/** What every model reads from its checkpoint's metadata: data set parameters, normalisation, architecture, weights. */
final class ModelFiles {
    private ModelFiles() {}

    /** Builds a fresh model from a checkpoint's stored architecture, data set and normalisation. */
    interface Factory<M extends ModelBase> {
        M create(NetworkConfig network, DatasetSpec spec, Normalisation normalisation);
    }

    /** The model a checkpoint stores: built by {@code factory} from its metadata, then given its weights. */
    static <M extends ModelBase> M restore(Checkpoint checkpoint, Factory<M> factory) {
        CheckpointMetadata meta = CheckpointMetadata.of(checkpoint);
        Path file = checkpoint.file();
        M model = factory.create(meta.network(file), meta.spec(file), meta.normalisation(file));
        loadWeights(model.block, checkpoint);
        return model;
    }

    static void loadWeights(Block block, Checkpoint checkpoint) {
        try {
            ParameterIO.load(block, checkpoint.tensors());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(checkpoint.file() + ": " + e.getMessage(), e);
        }
    }
}
