package io.bulwark.kv;

/**
 * Configuration of a {@link KvStateMachine}. Part of the replicated application: every
 * execution node must use the same values, or their results and states diverge.
 *
 * @param maxStoreBytes      the global size cap: a write that would make
 *                           {@link KvStateMachine#storeBytes()} exceed it is refused with
 *                           {@link KvErrorCode#STORE_FULL} (writes that shrink the store always
 *                           pass this check). At most {@link #MAX_STORE_BYTES_LIMIT}, so that a
 *                           snapshot always fits in one byte array. It counts every client's
 *                           keys, so whether it is reached can depend on keys the writer cannot
 *                           read: with access control, size it so that it cannot be reached
 *                           (at least writers × {@code maxClientBytes}; see {@link KvStateMachine})
 * @param maxScanResultBytes the byte budget of one scan result, counted as the entries' encoded
 *                           size (8 + key + value bytes each); a scan stops (with
 *                           {@code truncated}) before the entry that would exceed it, but always
 *                           returns at least one entry if there is one. At most
 *                           {@link #MAX_SCAN_RESULT_BYTES_LIMIT}, so that every result fits in
 *                           one reply (a single entry always does, by the key and value bounds)
 * @param maxClientBytes     the per-client quota: a write that would take the writing client's
 *                           account ({@link KvStateMachine#accountBytes}) above it is refused with
 *                           {@link KvErrorCode#QUOTA_EXCEEDED}. An account depends only on what
 *                           the client may see, so this limit leaks nothing. At most
 *                           {@link #MAX_STORE_BYTES_LIMIT}
 */
public record KvConfig(long maxStoreBytes, int maxScanResultBytes, long maxClientBytes) {
    /** Keeps a snapshot (about {@code maxStoreBytes} long) below Java's array size limit. */
    public static final long MAX_STORE_BYTES_LIMIT = 1L << 30;
    public static final long DEFAULT_MAX_STORE_BYTES = 256L * 1024 * 1024;
    /** Largest scan budget: a scan result's own framing (version, tag, count, flag) is 7 bytes. */
    public static final int MAX_SCAN_RESULT_BYTES_LIMIT = KvLimits.RESULT_BYTES_MAX - 16;
    public static final int DEFAULT_MAX_SCAN_RESULT_BYTES = MAX_SCAN_RESULT_BYTES_LIMIT;

    /**
     * No per-client quota beyond the global cap: right for {@link AccessPolicy#ALLOW_ALL}, where
     * every client may read every key and the global cap leaks nothing. A store with access
     * control sets {@link #withMaxClientBytes}.
     */
    public static final KvConfig DEFAULTS =
            new KvConfig(DEFAULT_MAX_STORE_BYTES, DEFAULT_MAX_SCAN_RESULT_BYTES, DEFAULT_MAX_STORE_BYTES);

    public KvConfig {
        if (maxStoreBytes < 0 || maxStoreBytes > MAX_STORE_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxStoreBytes " + maxStoreBytes + " not in [0, " + MAX_STORE_BYTES_LIMIT + "]");
        }
        if (maxScanResultBytes < 1 || maxScanResultBytes > MAX_SCAN_RESULT_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxScanResultBytes " + maxScanResultBytes + " not in [1, " + MAX_SCAN_RESULT_BYTES_LIMIT + "]");
        }
        if (maxClientBytes < 0 || maxClientBytes > MAX_STORE_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxClientBytes " + maxClientBytes + " not in [0, " + MAX_STORE_BYTES_LIMIT + "]");
        }
    }

    /** A configuration whose per-client quota is the global cap (no quota of its own). */
    public KvConfig(long maxStoreBytes, int maxScanResultBytes) {
        this(maxStoreBytes, maxScanResultBytes, maxStoreBytes);
    }

    /** Another global cap; the per-client quota is kept (a quota above the cap is simply never reached). */
    public KvConfig withMaxStoreBytes(long bytes) {
        return new KvConfig(bytes, maxScanResultBytes, maxClientBytes);
    }

    public KvConfig withMaxScanResultBytes(int bytes) {
        return new KvConfig(maxStoreBytes, bytes, maxClientBytes);
    }

    public KvConfig withMaxClientBytes(long bytes) {
        return new KvConfig(maxStoreBytes, maxScanResultBytes, bytes);
    }
}
