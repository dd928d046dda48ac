/** One training loop for every method: losses, window schedules, the optimizer, and self-describing checkpoints. */
package dev.smdp4j.train;
