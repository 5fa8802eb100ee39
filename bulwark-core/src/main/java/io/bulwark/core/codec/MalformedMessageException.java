package io.bulwark.core.codec;

/**
 * The one error a decoder raises: the bytes are not a canonical encoding of any message.
 * Hosts count these per reason and drop the input; they never crash on them.
 */
public final class MalformedMessageException extends Exception {
    public enum Reason {
        TRUNCATED,
        TRAILING_BYTES,
        UNKNOWN_VERSION,
        UNKNOWN_TYPE,
        LENGTH_OUT_OF_BOUNDS,
        NON_CANONICAL,
        INVALID_FIELD
    }

    private final Reason reason;

    public MalformedMessageException(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
