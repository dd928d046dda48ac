package dev.smdp4j.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A network on fields: input {@code [B, C, H, W]}, output one channel {@code [B, 1, H, W]} (the
 * score networks and the baselines' {@link Fno2d} and {@link UNet}).
 */
abstract class FieldBlock extends AbstractBlock {
    private final int inChannels;

    /** @param inChannels channels of the input field(s), {@code >= 1} */
    FieldBlock(int inChannels) {
        if (inChannels < 1) {
            throw new IllegalArgumentException("need at least one input channel, got " + inChannels);
        }
        this.inChannels = inChannels;
    }

    /** Channels of the input field(s). */
    public final int inChannels() {
        return inChannels;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), 1, in.get(2), in.get(3))};
    }
}
