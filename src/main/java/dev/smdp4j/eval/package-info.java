/**
 * Metrics of the heat benchmark (reconstruction MSE, spectral error, radial spectrum), computed on
 * the host in double precision as defined in the "Metrics" section of {@code spec/heat-benchmark.md}.
 */
package dev.smdp4j.eval;
