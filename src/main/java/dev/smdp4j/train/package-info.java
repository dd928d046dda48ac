/**
 * One training loop for every method: losses, window schedules, the optimizer, typed training
 * options, and the checkpoint policy and run state of a training run.
 */
package dev.smdp4j.train;
