/** The {@code smdp} command line (picocli): generate, evaluate, bench, and later train and sample. */
package dev.smdp4j.cli;
