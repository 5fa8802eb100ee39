package io.bulwark.core.bytes;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string. Records that carry bytes hold a {@code Bytes}, so that record
 * equality is value equality and nothing outside can mutate what was signed or hashed.
 */
public final class Bytes implements Comparable<Bytes> {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] value;
    private int hash;

    private Bytes(byte[] value) {
        this.value = value;
    }

    /** Copies {@code value}. */
    public static Bytes copyOf(byte[] value) {
        return value.length == 0 ? EMPTY : new Bytes(value.clone());
    }

    /** Copies {@code length} bytes of {@code value} from {@code offset}. */
    public static Bytes copyOf(byte[] value, int offset, int length) {
        return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(value, offset, offset + length));
    }

    /**
     * Takes ownership of {@code value} without copying. Only for arrays the caller has just
     * allocated and will never touch again (decoders, digests).
     */
    public static Bytes wrapOwned(byte[] value) {
        return value.length == 0 ? EMPTY : new Bytes(value);
    }

    public static Bytes ofUtf8(String s) {
        return wrapOwned(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static Bytes fromHex(String hex) {
        return wrapOwned(HexFormat.of().parseHex(hex));
    }

    public int length() {
        return value.length;
    }

    public byte byteAt(int i) {
        return value[i];
    }

    public byte[] toByteArray() {
        return value.clone();
    }

    /** Copies this into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(value, 0, dst, offset, value.length);
    }

    /** Feeds the bytes to a consumer without exposing the array for mutation by contract. */
    public void writeTo(java.security.MessageDigest digest) {
        digest.update(value);
    }

    public void writeTo(java.io.OutputStream out) throws java.io.IOException {
        out.write(value);
    }

    /** Read-only view; the buffer cannot change this value. */
    public java.nio.ByteBuffer asReadOnlyBuffer() {
        return java.nio.ByteBuffer.wrap(value).asReadOnlyBuffer();
    }

    public String toHex() {
        return HexFormat.of().formatHex(value);
    }

    public String toUtf8() {
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(value);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return value.length <= 16 ? toHex() : toHex().substring(0, 16) + "…(" + value.length + "B)";
    }
}
