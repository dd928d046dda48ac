package dev.smdp4j.train;

/**
 * Where training stands: the stage of the window schedule, the epoch within it, the iteration
 * within the epoch, and the number of optimizer steps attempted so far. Every random draw of an
 * iteration derives from (seed, stage, epoch, iteration), so a run resumed from a position repeats
 * exactly what an uninterrupted run would have done.
 */
public record Position(int stage, int epoch, int iteration, long step) {
    public static final Position START = new Position(0, 0, 0, 0);
}
