package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;

/**
 * The application an execution cluster replicates. Implementations must be deterministic:
 * the same operations in the same order from the same state give the same results and the
 * same state on every execution node. They never read clocks or randomness: the only time
 * they see is {@code timeMillis}, proposed by the leader with each batch, checked by the
 * acceptors against their own clocks, and never decreasing from one call to the next.
 *
 * <p>Called from one thread only.
 */
public interface StateMachine {
    /**
     * Applies one client's operation and returns the result sent back to that client.
     * Malformed operations must produce an error result, never an exception: every correct
     * replica must agree on the outcome of every decided operation.
     *
     * @param clientId    who asked (for access control)
     * @param operation   the request's operation bytes, as the client sent them
     * @param timeMillis  the batch's agreed time, non-decreasing
     */
    Bytes execute(long clientId, Bytes operation, long timeMillis);

    /** The whole state, serialized canonically (equal states give equal bytes). */
    Bytes snapshot();

    /**
     * Replaces the state with a snapshot from {@link #snapshot()} (possibly taken by another
     * replica, already checked against a certified digest).
     *
     * @throws IllegalArgumentException if the bytes are not a snapshot of this state machine
     */
    void restore(Bytes snapshot);

    /** A digest of the current state; equal states give equal digests. */
    default Digest digest() {
        byte[] s = snapshot().toByteArray();
        return Digest.sha256(s);
    }
}
