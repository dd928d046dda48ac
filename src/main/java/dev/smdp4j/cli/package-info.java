/**
 * The {@code smdp} command line (picocli): generate, import, simulate, train, sample, sample-batch,
 * export-npz, evaluate, reproduce, demo and bench, each a thin layer over the library that turns
 * bad input into one clear message and a non-zero exit.
 */
package dev.smdp4j.cli;
