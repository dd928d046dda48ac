package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A seeded source of standard normal tensors. */
public interface NoiseSource {

    /** A standard normal tensor of {@code shape} in {@code manager}. */
    NDArray next(NDManager manager, Shape shape);
}
