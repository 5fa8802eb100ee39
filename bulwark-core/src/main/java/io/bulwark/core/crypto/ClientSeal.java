package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Confidentiality between one client and the execution cluster: request bodies sealed so that
 * agreement nodes and filters order and forward ciphertext only, and replies sealed so that
 * nothing but the client can read them on the way down (issue 4's request confidentiality).
 *
 * <pre>
 *   K(c) = HKDF-SHA256(X25519(sk_c, pk_cluster) = X25519(sk_cluster, pk_c),
 *                      info = "bulwark client seal v1" || c, L = 32)
 *   nonce(c, ts, direction) = SHA-256("bulwark seal nonce v1" || direction || c || ts)[0..12)
 *   seal = AES-256-GCM(K(c), nonce, plaintext, aad = direction || c || ts)
 * </pre>
 *
 * The nonce is derived, not random, for two reasons: cores have no randomness, and every correct
 * execution node must produce byte-identical sealed replies so that their threshold signature
 * shares combine. A (client, timestamp) pair is used once per direction (timestamps of a client
 * strictly increase, and a request is executed at most once), so a (key, nonce) pair never
 * repeats with different plaintexts. Thread-safe.
 */
public final class ClientSeal {
    /** Which way a sealed body travels; part of the nonce and the associated data. */
    public enum Direction { REQUEST, REPLY }

    public static final int TAG_BYTES = 16;
    private static final byte[] KEY_INFO = "bulwark client seal v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_LABEL = "bulwark seal nonce v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final long clientId;

    private ClientSeal(SecretKeySpec key, long clientId) {
        this.key = key;
        this.clientId = clientId;
    }

    /**
     * The seal between client {@code clientId} and the execution cluster, from one side's X25519
     * secret key and the other side's public key (client: its secret and the cluster's public
     * key; execution node: the cluster's secret and the client's public key). Empty if the
     * public key is unusable.
     */
    public static Optional<ClientSeal> between(long clientId, Bytes ownSecretKey, Bytes peerPublicKey) {
        return X25519Keys.sharedSecret(ownSecretKey, peerPublicKey).map(shared -> {
            byte[] info = ByteBuffer.allocate(KEY_INFO.length + 8).put(KEY_INFO).putLong(clientId).array();
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(shared.toByteArray(), null, info));
            byte[] k = new byte[32];
            hkdf.generateBytes(k, 0, k.length);
            return new ClientSeal(new SecretKeySpec(k, "AES"), clientId);
        });
    }

    public long clientId() {
        return clientId;
    }

    public Bytes seal(Direction direction, long timestamp, Bytes plaintext) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(direction, timestamp)));
            c.updateAAD(aad(direction, timestamp));
            return Bytes.wrapOwned(c.doFinal(plaintext.toByteArray()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    /** The plaintext, or empty if {@code sealed} was not sealed by this pair for this (direction, timestamp). */
    public Optional<Bytes> open(Direction direction, long timestamp, Bytes sealed) {
        if (sealed.length() < TAG_BYTES) return Optional.empty();
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(direction, timestamp)));
            c.updateAAD(aad(direction, timestamp));
            return Optional.of(Bytes.wrapOwned(c.doFinal(sealed.toByteArray())));
        } catch (AEADBadTagException tampered) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is in every JDK", e);
        }
    }

    private byte[] aad(Direction direction, long timestamp) {
        return ByteBuffer.allocate(17).put((byte) direction.ordinal()).putLong(clientId).putLong(timestamp).array();
    }

    private byte[] nonce(Direction direction, long timestamp) {
        MessageDigest sha = Digest.newSha256();
        sha.update(NONCE_LABEL);
        sha.update(aad(direction, timestamp));
        byte[] n = new byte[12];
        System.arraycopy(sha.digest(), 0, n, 0, n.length);
        return n;
    }
}
