/** The {@code smdp} command line (picocli): generate, import, train, sample, evaluate, reproduce, demo and bench. */
package dev.smdp4j.cli;
