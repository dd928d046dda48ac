/**
 * Files: reading and writing NumPy {@code .npy} and {@code .npz} arrays with full validation,
 * atomic writes, and JSON sidecars, with user-fixable problems reported as
 * {@link dev.smdp4j.io.InvalidInputException}.
 */
package dev.smdp4j.io;
