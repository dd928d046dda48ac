package dev.smdp4j.train;

import ai.djl.nn.Block;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.nn.NetworkConfig;

/** What every {@link TrainableModel} holds: its method, architecture, block, data parameters and normalisation. */
abstract class ModelBase implements TrainableModel {
    final Method method;
    final NetworkConfig config;
    final Block block;
    final DatasetSpec spec;
    final Normalisation normalisation;

    ModelBase(Method method, NetworkConfig config, Block block, DatasetSpec spec, Normalisation normalisation) {
        this.method = method;
        this.config = config;
        this.block = block;
        this.spec = spec;
        this.normalisation = normalisation;
    }

    @Override
    public final Method method() {
        return method;
    }

    @Override
    public final Block block() {
        return block;
    }

    @Override
    public final NetworkConfig architecture() {
        return config;
    }

    @Override
    public final DatasetSpec spec() {
        return spec;
    }

    @Override
    public final Normalisation normalisation() {
        return normalisation;
    }
}
