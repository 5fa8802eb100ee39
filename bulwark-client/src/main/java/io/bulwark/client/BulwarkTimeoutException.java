package io.bulwark.client;

/**
 * No reply certificate arrived within the call timeout. The operation's outcome is unknown: if
 * the request was sent it may still be executed (exactly once); the client has moved on.
 */
public class BulwarkTimeoutException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    public BulwarkTimeoutException(String message) {
        super(message);
    }
}
