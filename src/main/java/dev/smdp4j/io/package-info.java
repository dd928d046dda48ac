/**
 * Files: reading and writing NumPy {@code .npy} and {@code .npz} arrays with full validation,
 * atomic writes, JSON sidecars and canonical JSON, self-describing checkpoints of tensors with
 * their provenance, and network parameters to and from host arrays, with user-fixable problems
 * reported as {@link dev.smdp4j.io.InvalidInputException}.
 */
package dev.smdp4j.io;
