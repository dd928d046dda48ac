/**
 * Metrics of the heat benchmark (reconstruction MSE, spectral error, radial spectrum), computed on
 * the host in double precision as defined in the "Metrics" section of docs/BENCHMARK.md.
 */
package dev.smdp4j.eval;
