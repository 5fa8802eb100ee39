package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HMAC-SHA256 key shared by one pair of principals. Used on hot point-to-point paths
 * where nobody else needs to be convinced (the PROPOSE/ACCEPTED common case); anything shown
 * to a third party is signed instead. Not thread-safe: one instance per thread.
 */
public final class MacKey {
    /** Tags are truncated to 16 bytes: 128 bits is ample against forgery and halves the overhead. */
    public static final int TAG_LENGTH = 16;
    public static final int KEY_LENGTH = 32;

    private final Mac mac;
    private final byte[] scratch = new byte[32];

    public MacKey(Bytes key) {
        if (key.length() != KEY_LENGTH) {
            throw new IllegalArgumentException("MAC key must be " + KEY_LENGTH + " bytes, got " + key.length());
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.toByteArray(), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK ships HmacSHA256", e);
        }
    }

    /** Writes the tag for {@code message[offset, offset+length)} into {@code tag[tagOffset, +16)}. */
    public void tag(byte[] message, int offset, int length, byte[] tag, int tagOffset) {
        mac.update(message, offset, length);
        try {
            mac.doFinal(scratch, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(scratch, 0, tag, tagOffset, TAG_LENGTH);
    }

    public Bytes tag(byte[] message) {
        byte[] t = new byte[TAG_LENGTH];
        tag(message, 0, message.length, t, 0);
        return Bytes.wrapOwned(t);
    }

    /** Constant-time comparison of the expected tag with {@code tag[tagOffset, +16)}. */
    public boolean verify(byte[] message, int offset, int length, byte[] tag, int tagOffset) {
        if (tagOffset < 0 || tagOffset > tag.length - TAG_LENGTH) {
            return false;
        }
        byte[] expected = new byte[TAG_LENGTH];
        tag(message, offset, length, expected, 0);
        byte[] actual = java.util.Arrays.copyOfRange(tag, tagOffset, tagOffset + TAG_LENGTH);
        return MessageDigest.isEqual(expected, actual);
    }
}
