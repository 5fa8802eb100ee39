package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * {@link RequestAuthenticator} for real deployments: every principal has a static X25519 key
 * pair ({@link X25519Keys}), and client c and agreement node n share the HMAC-SHA256 key
 *
 * <pre>
 *   K(c, n) = HKDF-SHA256(ikm  = X25519(sk_c, pk_n) = X25519(sk_n, pk_c),
 *                         salt = none (RFC 5869: HashLen zero bytes),
 *                         info = "bulwark request mac v1" || c (u64, big-endian) || n (u32, big-endian),
 *                         L    = 32)
 * </pre>
 *
 * so no pairwise secrets have to be distributed: a principal needs only its own secret key and
 * the others' public keys. Binding both ids into {@code info} keeps one pair's key from
 * serving for another pair even if the same key pair were (mis)configured twice.
 *
 * <p>A client-side instance ({@code self} a client) builds the vector of tags for agreement
 * nodes {@code 0 .. nodes-1}; a node-side instance ({@code self} a node) checks its own entry.
 * Keys are derived on first use and cached (also the fact that a peer has no usable key, so a
 * bad key costs one X25519 operation, not one per request). Thread-safe: the cache is
 * concurrent and each thread MACs with a {@link Mac} of its own.
 *
 * <p>{@link #verify} never throws: a malformed or wrong-length vector, an unknown client or a
 * client whose public key is unusable all give {@code false}, and the caller falls back to the
 * request's signature.
 */
public final class PairwiseRequestAuthenticator implements RequestAuthenticator {
    /** HKDF info prefix; the version in it is bumped if the derivation ever changes. */
    static final byte[] INFO_LABEL = "bulwark request mac v1".getBytes(StandardCharsets.US_ASCII);
    public static final int KEY_LENGTH = MacKey.KEY_LENGTH;
    /**
     * The most nodes one vector can cover: the wire format's
     * {@code Request.AUTHENTICATOR_BYTES_MAX / TAG_LENGTH} (a test keeps the two in step; spelled
     * out here so that crypto does not depend on the message package).
     */
    public static final int NODES_MAX = 256;
    private static final int VECTOR_BYTES_MAX = NODES_MAX * TAG_LENGTH;

    private static final String HMAC = "HmacSHA256";
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK ships " + HMAC, e);
        }
    });
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[32]);

    /** A derived key, or none when the peer's public key is missing or unusable. */
    private record Derived(SecretKeySpec key) {
        static final Derived NONE = new Derived(null);
    }

    private final Principal self;
    private final Bytes secretKey;
    private final Map<Principal, Bytes> peerPublicKeys;
    private final ConcurrentHashMap<Principal, Derived> keys = new ConcurrentHashMap<>();

    /**
     * @param self           the principal this instance acts for: a client (builds vectors) or a
     *                       node (checks its entry)
     * @param secretKey      {@code self}'s X25519 secret key
     * @param peerPublicKeys X25519 public keys of the peers: the agreement nodes for a client, the
     *                       clients for a node (other entries are ignored)
     */
    public PairwiseRequestAuthenticator(Principal self, Bytes secretKey, Map<Principal, Bytes> peerPublicKeys) {
        this.self = Objects.requireNonNull(self, "self");
        Objects.requireNonNull(secretKey, "secretKey");
        if (secretKey.length() != X25519Keys.SECRET_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "X25519 secret key must be " + X25519Keys.SECRET_KEY_LENGTH + " bytes, got " + secretKey.length());
        }
        this.secretKey = secretKey;
        this.peerPublicKeys = Map.copyOf(peerPublicKeys);
    }

    public Principal self() {
        return self;
    }

    /**
     * The vector for agreement nodes {@code 0 .. nodes-1}: {@code nodes} tags of
     * {@link #TAG_LENGTH} bytes, node {@code n}'s at offset {@code n * TAG_LENGTH}.
     *
     * @throws IllegalStateException    if this instance is not client {@code clientId}, or has no
     *                                  usable public key for one of the nodes (a configuration error)
     * @throws IllegalArgumentException if {@code nodes} is negative or above {@link #NODES_MAX}
     */
    @Override
    public Bytes authenticate(long clientId, byte[] signedBytes, int nodes) {
        Objects.requireNonNull(signedBytes, "signedBytes");
        if (self.kind() != Principal.Kind.CLIENT || self.id() != clientId) {
            throw new IllegalStateException(self + " cannot authenticate requests of client-" + clientId);
        }
        if (nodes < 0 || nodes > NODES_MAX) {
            throw new IllegalArgumentException("nodes must be in [0, " + NODES_MAX + "], got " + nodes);
        }
        if (nodes == 0) return Bytes.EMPTY;
        byte[] vector = new byte[nodes * TAG_LENGTH];
        Mac mac = MACS.get();
        byte[] full = SCRATCH.get();
        for (int n = 0; n < nodes; n++) {
            SecretKeySpec key = keyFor(Principal.node(n));
            if (key == null) {
                throw new IllegalStateException(self + " has no usable X25519 public key for node-" + n);
            }
            tag(mac, key, signedBytes, full);
            System.arraycopy(full, 0, vector, n * TAG_LENGTH, TAG_LENGTH);
        }
        return Bytes.wrapOwned(vector);
    }

    /**
     * Whether entry {@code node} of {@code authenticator} is client {@code clientId}'s tag over
     * {@code signedBytes}. False (never an exception) unless this instance is node {@code node},
     * the vector is a whole number of tags that includes entry {@code node}, the client is known
     * with a usable key, and the tag matches (compared in constant time).
     */
    @Override
    public boolean verify(int node, long clientId, byte[] signedBytes, Bytes authenticator) {
        if (signedBytes == null || authenticator == null) return false;
        if (self.kind() != Principal.Kind.NODE || self.id() != node || clientId < 0) return false;
        int length = authenticator.length();
        int offset = node * TAG_LENGTH;
        if (length % TAG_LENGTH != 0 || length > VECTOR_BYTES_MAX || length - TAG_LENGTH < offset) {
            return false;
        }
        SecretKeySpec key = keyFor(Principal.client(clientId));
        if (key == null) return false;
        byte[] expected = SCRATCH.get();
        tag(MACS.get(), key, signedBytes, expected);
        int diff = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= expected[i] ^ authenticator.byteAt(offset + i);
        }
        return diff == 0;
    }

    private static void tag(Mac mac, SecretKeySpec key, byte[] message, byte[] out32) {
        try {
            mac.init(key);
            mac.update(message);
            mac.doFinal(out32, 0);
        } catch (java.security.InvalidKeyException | ShortBufferException e) {
            throw new IllegalStateException(e); // a 32-byte HMAC key and a 32-byte buffer: cannot happen
        }
    }

    /** The cached key shared with {@code peer}, derived on first use; null if there is none. */
    private SecretKeySpec keyFor(Principal peer) {
        Derived d = keys.get(peer);
        if (d == null) {
            Bytes peerKey = peerPublicKeys.get(peer);
            if (peerKey == null) return null; // unknown: nothing cached, so unknown ids cannot grow the cache
            d = keys.computeIfAbsent(peer, p -> derive(p, peerKey));
        }
        return d.key();
    }

    private Derived derive(Principal peer, Bytes peerPublicKey) {
        long clientId;
        long nodeId;
        if (self.kind() == Principal.Kind.CLIENT && peer.kind() == Principal.Kind.NODE) {
            clientId = self.id();
            nodeId = peer.id();
        } else if (self.kind() == Principal.Kind.NODE && peer.kind() == Principal.Kind.CLIENT) {
            clientId = peer.id();
            nodeId = self.id();
        } else {
            return Derived.NONE;
        }
        if (nodeId > Integer.MAX_VALUE) return Derived.NONE;
        Optional<Bytes> shared = X25519Keys.sharedSecret(secretKey, peerPublicKey);
        if (shared.isEmpty()) return Derived.NONE;
        return new Derived(new SecretKeySpec(deriveMacKey(shared.get(), clientId, (int) nodeId), HMAC));
    }

    /** HKDF-SHA256 of an X25519 shared secret into the MAC key of (client, node). */
    static byte[] deriveMacKey(Bytes sharedSecret, long clientId, int nodeId) {
        byte[] info = ByteBuffer.allocate(INFO_LABEL.length + Long.BYTES + Integer.BYTES)
                .put(INFO_LABEL).putLong(clientId).putInt(nodeId).array();
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(sharedSecret.toByteArray(), null, info));
        byte[] key = new byte[KEY_LENGTH];
        hkdf.generateBytes(key, 0, KEY_LENGTH);
        return key;
    }

    /** The derived key this instance shares with {@code peer} (for tests and diagnostics). */
    Optional<Bytes> sharedMacKey(Principal peer) {
        SecretKeySpec key = keyFor(peer);
        return key == null ? Optional.empty() : Optional.of(Bytes.wrapOwned(key.getEncoded()));
    }
}
