package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 (RFC 7748) key agreement with Bouncy Castle's low-level implementation. Each principal
 * has one static key pair; two principals derive the MAC key they share from
 * {@link #sharedSecret} (see {@link PairwiseRequestAuthenticator}).
 */
public final class X25519Keys {
    public static final int SECRET_KEY_LENGTH = X25519.SCALAR_SIZE;
    public static final int PUBLIC_KEY_LENGTH = X25519.POINT_SIZE;
    public static final int SHARED_SECRET_LENGTH = X25519.POINT_SIZE;

    static {
        X25519.precompute();
    }

    private X25519Keys() {}

    /** A static key pair. */
    public record KeyPair(Bytes secretKey, Bytes publicKey) {
        public KeyPair {
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(publicKey, "publicKey");
        }

        @Override
        public String toString() {
            return "X25519KeyPair[publicKey=" + publicKey.toHex() + "]"; // never print the secret
        }
    }

    /**
     * A fresh secret key from {@code random} (a {@link SecureRandom} outside tests), clamped as
     * RFC 7748 §5 describes (the scalar multiplication clamps anyway; clamping here only makes
     * the stored key the scalar actually used).
     */
    public static Bytes generateSecretKey(java.util.Random random) {
        byte[] sk = new byte[SECRET_KEY_LENGTH];
        random.nextBytes(sk);
        X25519.clampPrivateKey(sk);
        return Bytes.wrapOwned(sk);
    }

    public static Bytes generateSecretKey() {
        return generateSecretKey(new SecureRandom());
    }

    /** A key pair whose secret comes from {@code random}. */
    public static KeyPair generateKeyPair(java.util.Random random) {
        Bytes sk = generateSecretKey(random);
        return new KeyPair(sk, publicKeyOf(sk));
    }

    public static KeyPair generateKeyPair() {
        return generateKeyPair(new SecureRandom());
    }

    /** X25519(secretKey, 9). Any 32 bytes are a secret key (they are clamped before use). */
    public static Bytes publicKeyOf(Bytes secretKey) {
        requireLength(secretKey, SECRET_KEY_LENGTH, "X25519 secret key");
        byte[] pk = new byte[PUBLIC_KEY_LENGTH];
        X25519.generatePublicKey(secretKey.toByteArray(), 0, pk, 0);
        return Bytes.wrapOwned(pk);
    }

    /**
     * X25519(secretKey, peerPublicKey), or empty if the peer key has the wrong length or the
     * result is the all-zero value (a small-order peer key; RFC 7748 §6.1 says to abort).
     */
    public static Optional<Bytes> sharedSecret(Bytes secretKey, Bytes peerPublicKey) {
        requireLength(secretKey, SECRET_KEY_LENGTH, "X25519 secret key");
        if (peerPublicKey == null || peerPublicKey.length() != PUBLIC_KEY_LENGTH) {
            return Optional.empty();
        }
        byte[] k = new byte[SHARED_SECRET_LENGTH];
        if (!X25519.calculateAgreement(secretKey.toByteArray(), 0, peerPublicKey.toByteArray(), 0, k, 0)) {
            return Optional.empty();
        }
        return Optional.of(Bytes.wrapOwned(k));
    }

    private static void requireLength(Bytes b, int length, String what) {
        Objects.requireNonNull(b, what);
        if (b.length() != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got " + b.length());
        }
    }
}
