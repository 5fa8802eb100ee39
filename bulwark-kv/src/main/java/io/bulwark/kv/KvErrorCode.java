package io.bulwark.kv;

import java.util.Optional;

/**
 * Why the store refused an operation. Every code the store returns means the operation had
 * <em>no effect</em>. Codes have fixed wire values; never renumber one.
 */
public enum KvErrorCode {
    /** The operation bytes are not a canonical encoding of a {@link KvOperation}. */
    MALFORMED_OPERATION(1),
    /** The operation is encoded with a version this store does not speak. */
    UNSUPPORTED_VERSION(2),
    /** The {@link AccessPolicy} does not allow this client this operation on this key. */
    PERMISSION_DENIED(3),
    /** The write would take the store over its configured global size cap. */
    STORE_FULL(4),
    /**
     * The write would take the writing client's account over its per-client quota
     * ({@link KvConfig#maxClientBytes()}; see {@link KvStateMachine#accountBytes}).
     */
    QUOTA_EXCEEDED(5),
    /**
     * Client side only, never sent by a store: the reply could not be decoded, or is not the
     * kind of result the operation produces.
     */
    UNEXPECTED_REPLY(100);

    private final int wire;

    KvErrorCode(int wire) {
        this.wire = wire;
    }

    /** The code's value on the wire (an unsigned 16-bit number). */
    public int wire() {
        return wire;
    }

    public static Optional<KvErrorCode> fromWire(int wire) {
        for (KvErrorCode c : values()) {
            if (c.wire == wire) return Optional.of(c);
        }
        return Optional.empty();
    }
}
