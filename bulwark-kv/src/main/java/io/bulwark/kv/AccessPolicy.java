package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;

/**
 * Per-client access control, consulted by {@link KvStateMachine#execute} for every operation
 * before it touches the store. The hook for per-client read/write permissions by key prefix.
 *
 * <p>Rules the store applies:
 * <ul>
 *   <li>an operation that <em>changes</em> a key needs {@link #canWrite};
 *   <li>an operation whose <em>result depends on</em> a key's current value or existence needs
 *       {@link #canRead}. So Put needs write only; Get needs read; Delete (it reports whether the
 *       key existed) and CompareAndSet (it reports the current value) need both;
 *   <li>a Scan <em>skips</em> the keys in its range that the client cannot read, as if they did
 *       not exist: the result, including its {@code truncated} flag, is exactly what the client
 *       would get from a store holding only the keys it may read. (Stopping at the first
 *       unreadable key would tell the client that such a key exists.) A scan is never refused
 *       as a whole.
 * </ul>
 * A refused operation gets {@link KvErrorCode#PERMISSION_DENIED} and has no effect.
 *
 * <p>Implementations must be deterministic and identical on every execution node (they are part
 * of the replicated application): a pure function of their configuration, the client id and the
 * key. They must not throw.
 *
 * <p>Scans call {@link #canRead} for every key they pass over, so a scan's cost grows with the
 * unreadable keys in its range; a prefix-based policy may later add a way to jump past a whole
 * unreadable prefix.
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
}
