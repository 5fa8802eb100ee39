package io.bulwark.kv;

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
    /** Longest value, in bytes. The empty value is a valid value, distinct from "absent". */
    public static final int VALUE_BYTES_MAX = 1024 * 1024;
    /** Largest scan limit (and so largest number of entries in one scan result). */
    public static final int SCAN_LIMIT_MAX = 10_000;
    /** Longest error message in a result, in UTF-8 bytes. */
    public static final int ERROR_MESSAGE_BYTES_MAX = 1024;

    private KvLimits() {}
}
