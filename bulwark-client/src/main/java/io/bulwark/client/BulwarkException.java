package io.bulwark.client;

/** Base of the exceptions a {@link BulwarkClient} call fails with. Unchecked. */
public class BulwarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BulwarkException(String message) {
        super(message);
    }

    public BulwarkException(String message, Throwable cause) {
        super(message, cause);
    }
}
