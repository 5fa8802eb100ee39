package io.bulwark.client;

/**
 * The client already holds its maximum of queued and outstanding calls (a client has one
 * request in flight at a time; the rest wait). The call was not made: back off and retry.
 */
public class BulwarkQueueFullException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    public BulwarkQueueFullException(String message) {
        super(message);
    }
}
