package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import java.util.OptionalLong;

/**
 * Per-client access control, consulted by {@link KvStateMachine#execute} for every operation
 * before it touches the store. {@link PrefixAccessPolicy} is the configurable implementation
 * (read and write permissions by key prefix, loaded from a text file).
 *
 * <p>The rule the store keeps (docs/firewall.md, "Access control"): <b>a client's results never
 * depend on keys it cannot read.</b> Two stores that differ only in keys client c cannot read
 * give c the same results for the same operations, and their parts readable by c evolve
 * identically. So:
 * <ul>
 *   <li>an operation that <em>changes</em> a key needs {@link #canWrite};
 *   <li>an operation whose <em>result depends on</em> a key's current value or existence needs
 *       {@link #canRead}. So Put needs write only; Get needs read; Delete (it reports whether the
 *       key existed) and CompareAndSet (it reports the current value) need both;
 *   <li>a Put to a key the client cannot read is charged to the client's quota in full and the
 *       same way whatever the key holds (see {@link KvStateMachine}, "Quotas");
 *   <li>a Scan <em>skips</em> the keys in its range that the client cannot read, as if they did
 *       not exist: the result, including its {@code truncated} flag, is exactly what the client
 *       would get from a store holding only the keys it may read. (Stopping at the first
 *       unreadable key would tell the client that such a key exists.) A scan is never refused
 *       as a whole.
 * </ul>
 * A refused operation gets {@link KvErrorCode#PERMISSION_DENIED} and has no effect; which
 * permission is checked first depends on the operation and the policy only.
 *
 * <p>Implementations must be deterministic and identical on every execution node (they are part
 * of the replicated application): a pure function of their configuration, the client id and the
 * key. They must not throw.
 *
 * <p>Scans call {@link #canRead} for every key they pass over, so a scan's cost (its time, not
 * its result) grows with the unreadable keys in its range.
 */
public interface AccessPolicy {
    /** Every client may read and write every key. */
    AccessPolicy ALLOW_ALL = new AccessPolicy() {
        @Override
        public boolean canRead(long clientId, Bytes key) {
            return true;
        }

        @Override
        public boolean canWrite(long clientId, Bytes key) {
            return true;
        }

        @Override
        public String toString() {
            return "ALLOW_ALL";
        }
    };

    boolean canRead(long clientId, Bytes key);

    boolean canWrite(long clientId, Bytes key);

    /**
     * How many distinct clients may write at least one key, if the policy bounds it (empty: any
     * number, e.g. because unlisted clients may write). The store uses it to check, when it is
     * built, that its global size cap can never be reached (writers × per-client quota ≤ cap):
     * the global cap is the one limit that counts other clients' keys.
     */
    default OptionalLong writers() {
        return OptionalLong.empty();
    }
}
