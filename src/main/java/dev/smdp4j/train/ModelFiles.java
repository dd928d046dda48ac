package dev.smdp4j.train;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.nn.NetworkConfig;

/** What every model reads from its checkpoint's metadata: data set parameters, normalisation, architecture, weights. */
final class ModelFiles {
    private ModelFiles() {}

    static DatasetSpec spec(Checkpoint checkpoint) {
        return DatasetSpec.of(checkpoint);
    }

    static Normalisation normalisation(Checkpoint checkpoint) {
        JsonNode n = checkpoint.metadata().path("dataset").path("normalisation");
        if (!n.path("mean").isNumber() || !n.path("std").isNumber()) {
            throw new InvalidInputException(checkpoint.file() + ": no normalisation in the metadata");
        }
        return new Normalisation(n.path("mean").asDouble(), n.path("std").asDouble());
    }

    static NetworkConfig network(Checkpoint checkpoint) {
        JsonNode net = checkpoint.metadata().path("network");
        if (net.isMissingNode() || net.isNull()) {
            throw new InvalidInputException(checkpoint.file() + ": no network description in the metadata");
        }
        try {
            return NetworkConfig.read(net);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(checkpoint.file() + ": " + e.getMessage(), e);
        }
    }

    /** Builds a fresh model from a checkpoint's stored architecture, data set and normalisation. */
    interface Factory<M extends ModelBase> {
        M create(NetworkConfig network, DatasetSpec spec, Normalisation normalisation);
    }

    /** The model a checkpoint stores: built by {@code factory} from its metadata, then given its weights. */
    static <M extends ModelBase> M restore(Checkpoint checkpoint, Factory<M> factory) {
        M model = factory.create(network(checkpoint), spec(checkpoint), normalisation(checkpoint));
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
