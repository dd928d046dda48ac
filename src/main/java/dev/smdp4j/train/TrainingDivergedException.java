package dev.smdp4j.train;

/** Training produced non-finite losses or gradients for too many consecutive steps. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
