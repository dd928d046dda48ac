package dev.smdp4j.io;

/**
 * Bad input that the user can fix: a missing, truncated or corrupt file, a wrong shape or key,
 * a non-finite value, an impossible parameter. The message is one line that names the file or
 * parameter and the problem; the command line prints it and exits non-zero.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws an {@code InvalidInputException} with {@code message} unless {@code ok}. */
    public static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }
}
