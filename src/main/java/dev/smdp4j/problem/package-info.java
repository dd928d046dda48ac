/**
 * Problems as plugins: a named physical process (state shape, differentiable physics, prior,
 * SDE defaults, networks, metrics, optional closed forms) that data generation, training,
 * sampling and evaluation take from the data set instead of naming a physics themselves.
 */
package dev.smdp4j.problem;
