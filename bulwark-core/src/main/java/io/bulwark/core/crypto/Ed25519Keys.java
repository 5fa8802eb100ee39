package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032) with Bouncy Castle's low-level implementation, about ten times faster
 * than the JDK's provider on the machines Bulwark is measured on.
 */
public final class Ed25519Keys {
    public static final int SECRET_KEY_LENGTH = Ed25519.SECRET_KEY_SIZE;
    public static final int PUBLIC_KEY_LENGTH = Ed25519.PUBLIC_KEY_SIZE;
    public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

    static {
        Ed25519.precompute();
    }

    private Ed25519Keys() {}

    /** A fresh secret key from {@code random} (a {@link SecureRandom} outside tests). */
    public static Bytes generateSecretKey(java.util.Random random) {
        byte[] sk = new byte[SECRET_KEY_LENGTH];
        random.nextBytes(sk);
        return Bytes.wrapOwned(sk);
    }

    public static Bytes generateSecretKey() {
        return generateSecretKey(new SecureRandom());
    }

    public static Bytes publicKeyOf(Bytes secretKey) {
        requireLength(secretKey, SECRET_KEY_LENGTH, "secret key");
        byte[] pk = new byte[PUBLIC_KEY_LENGTH];
        Ed25519.generatePublicKey(secretKey.toByteArray(), 0, pk, 0);
        return Bytes.wrapOwned(pk);
    }

    /** A signer for {@code principal} holding {@code secretKey}. */
    public static Signer signer(Principal principal, Bytes secretKey) {
        requireLength(secretKey, SECRET_KEY_LENGTH, "secret key");
        byte[] sk = secretKey.toByteArray();
        return new Signer() {
            @Override
            public Principal principal() {
                return principal;
            }

            @Override
            public Bytes sign(byte[] message, int offset, int length) {
                byte[] sig = new byte[SIGNATURE_LENGTH];
                Ed25519.sign(sk, 0, message, offset, length, sig, 0);
                return Bytes.wrapOwned(sig);
            }
        };
    }

    /** Verifies one signature against a raw public key; false on any malformed input. */
    public static boolean verify(Bytes publicKey, byte[] message, int offset, int length, Bytes signature) {
        if (publicKey.length() != PUBLIC_KEY_LENGTH || signature.length() != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            return Ed25519.verify(signature.toByteArray(), 0, publicKey.toByteArray(), 0, message, offset, length);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    private static void requireLength(Bytes b, int length, String what) {
        if (b.length() != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length());
        }
    }
}
