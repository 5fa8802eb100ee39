package io.bulwark.client;

/** The client was closed before (or while) the call was made. */
public class BulwarkClosedException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    public BulwarkClosedException(String message) {
        super(message);
    }
}
