package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/** A SHA-256 digest: the identity of a batch, a log prefix or a state. */
public record Digest(Bytes value) implements Comparable<Digest> {
    public static final int LENGTH = 32;
    /** The digest of nothing in particular: a placeholder for "no value" that no input hashes to by design. */
    public static final Digest ZERO = new Digest(Bytes.wrapOwned(new byte[LENGTH]));

    public Digest {
        Objects.requireNonNull(value, "value");
        if (value.length() != LENGTH) {
            throw new IllegalArgumentException("digest must be " + LENGTH + " bytes, got " + value.length());
        }
    }

    public static Digest sha256(byte[] data) {
        return new Digest(Bytes.wrapOwned(newSha256().digest(data)));
    }

    public static Digest sha256(byte[] data, int offset, int length) {
        MessageDigest md = newSha256();
        md.update(data, offset, length);
        return new Digest(Bytes.wrapOwned(md.digest()));
    }

    /** Chains a digest onto a running hash: H(previous || next). Used for log-prefix hashes. */
    public static Digest chain(Digest previous, Digest next) {
        MessageDigest md = newSha256();
        previous.value.writeTo(md);
        next.value.writeTo(md);
        return new Digest(Bytes.wrapOwned(md.digest()));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }

    @Override
    public int compareTo(Digest o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value.toHex().substring(0, 12);
    }
}
