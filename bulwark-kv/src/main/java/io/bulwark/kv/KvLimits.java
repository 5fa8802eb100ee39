package io.bulwark.kv;

import io.bulwark.core.message.WireLimits;

/**
 * Hard bounds of the key-value store's encodings. Record constructors reject anything larger
 * with {@link IllegalArgumentException}; decoders reject it with a
 * {@link io.bulwark.core.codec.MalformedMessageException} before allocating.
 */
public final class KvLimits {
    /** Longest key, in bytes. The empty key is a valid key (the smallest one). */
    public static final int KEY_BYTES_MAX = 4 * 1024;
    /**
     * Longest scan bound, in bytes: one more than a key, so that the successor of any key
     * ({@code key || 0x00}, the smallest key greater than it) is a valid bound.
     */
    public static final int BOUND_BYTES_MAX = KEY_BYTES_MAX + 1;
    /**
     * Longest value, in bytes: 1 MiB less 8 KiB, so that a put of the longest key and value fits
     * in one request ({@link WireLimits#OPERATION_BYTES_MAX}, 1 MiB) and any one entry fits in one
     * result ({@link WireLimits#RESULT_BYTES_MAX}, 1 MiB; the execution node replaces a larger
     * result with an empty one). The empty value is a valid value, distinct from "absent".
     */
    public static final int VALUE_BYTES_MAX = 1024 * 1024 - 8 * 1024;
    /**
     * Longest encoded operation: what one request carries. A compare-and-set with two long
     * values can exceed it even though each value is within {@link #VALUE_BYTES_MAX}.
     */
    public static final int OPERATION_BYTES_MAX = WireLimits.OPERATION_BYTES_MAX;
    /** Longest encoded result: what one reply carries. {@link KvConfig#maxScanResultBytes()} keeps scans within it. */
    public static final int RESULT_BYTES_MAX = WireLimits.RESULT_BYTES_MAX;
    /** Largest scan limit (and so largest number of entries in one scan result). */
    public static final int SCAN_LIMIT_MAX = 10_000;
    /** Longest error message in a result, in UTF-8 bytes. */
    public static final int ERROR_MESSAGE_BYTES_MAX = 1024;

    private KvLimits() {}
}
