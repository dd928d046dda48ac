/** Measured speed: benchmarks behind the numbers in docs/BENCHMARKS.md, run by {@code smdp bench}. */
package dev.smdp4j.bench;
