package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.ThresholdShareSigner;
import io.bulwark.core.crypto.ThresholdVerifier;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A fast stand-in for the execution cluster's threshold signature (Shoup RSA in deployments)
 * inside the simulator, with the two properties the firewall relies on:
 * <ul>
 *   <li><b>unique</b>: the combined signature on M is HMAC-SHA256(K, "combined" || M) under a
 *       cluster key K: one value per message, the same bytes whichever k signers took part;</li>
 *   <li><b>unforgeable without k shares</b>: share i on M is HMAC-SHA256(K_i, M) with
 *       K_i = HMAC-SHA256(K, "share" || i), encoded {@code [u16 i][32-byte MAC]}. Only this
 *       authority holds K; a Byzantine strategy is handed the {@link ThresholdShareSigner}s of
 *       the nodes it controls and nothing else, so it can produce its own shares only. (Unlike
 *       Shoup's scheme, g colluding shares do not help towards a signature; that makes the
 *       stand-in no weaker for what is tested: that k = g+1 shares are required and that the
 *       signature bits carry nothing.)</li>
 * </ul>
 * {@link #combine} behaves like an optimistic combiner: it takes the first k shares with
 * distinct claimed indices and fails (empty) if any of them is not valid, so the filters' path
 * that checks shares one by one runs in the simulator too. About a microsecond per operation.
 * Thread-safe.
 */
public final class SimThresholdScheme implements ThresholdVerifier {
    /** Encoded share: u16 index, then the MAC. */
    public static final int SHARE_BYTES = 2 + 32;
    public static final int SIGNATURE_BYTES = 32;
    private static final byte[] COMBINED = {'c', 'o', 'm', 'b', 'i', 'n', 'e', 'd'};

    private final int threshold;
    private final int signers;
    private final Mac combinedMac;
    private final Mac[] shareMacs;

    /**
     * @param seed      the run's seed: the cluster key is derived from it
     * @param threshold k, shares needed
     * @param signers   l, share holders (indices 1..l)
     */
    public SimThresholdScheme(long seed, int threshold, int signers) {
        if (signers < 1 || signers > 0xFFFF || threshold < 1 || threshold > signers) {
            throw new IllegalArgumentException("need 1 <= k <= l, got k=" + threshold + " l=" + signers);
        }
        this.threshold = threshold;
        this.signers = signers;
        SplittableRandom r = new SplittableRandom(seed ^ 0x7468726573686F6CL);
        byte[] clusterKey = new byte[32];
        r.nextBytes(clusterKey);
        this.combinedMac = mac(clusterKey);
        this.shareMacs = new Mac[signers + 1];
        for (int i = 1; i <= signers; i++) {
            byte[] label = ByteBuffer.allocate(9).put((byte) 's').putLong(i).array();
            shareMacs[i] = mac(combinedMac.doFinal(label));
        }
    }

    /** The execution cluster's scheme for {@code spec}: k = g+1 of l = 2g+1. */
    public static SimThresholdScheme forCluster(ClusterSpec spec, long seed) {
        return new SimThresholdScheme(seed, spec.g() + 1, spec.executionNodes());
    }

    private static Mac mac(byte[] key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is in every JDK", e);
        }
    }

    /** Share signer {@code index} (1..l): give it only to the execution node {@code a + index − 1} (or its strategy). */
    public ThresholdShareSigner shareSigner(int index) {
        if (index < 1 || index > signers) throw new IllegalArgumentException("no share " + index);
        return new ThresholdShareSigner() {
            @Override
            public int index() {
                return index;
            }

            @Override
            public Bytes signShare(byte[] message) {
                return Bytes.wrapOwned(share(index, message));
            }

            @Override
            public String toString() {
                return "SimThresholdScheme.shareSigner(" + index + ")";
            }
        };
    }

    private byte[] share(int index, byte[] message) {
        byte[] mac;
        synchronized (shareMacs[index]) {
            mac = shareMacs[index].doFinal(message);
        }
        return ByteBuffer.allocate(SHARE_BYTES).putShort((short) index).put(mac).array();
    }

    private byte[] combined(byte[] message) {
        synchronized (combinedMac) {
            combinedMac.update(COMBINED);
            return combinedMac.doFinal(message);
        }
    }

    @Override
    public int threshold() {
        return threshold;
    }

    @Override
    public int signers() {
        return signers;
    }

    /** The index a share claims (1..l), or 0 if it is not even shaped like a share. */
    private int claimedIndex(Bytes share) {
        if (share == null || share.length() != SHARE_BYTES) return 0;
        byte[] b = share.toByteArray();
        int index = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        return index >= 1 && index <= signers ? index : 0;
    }

    @Override
    public int verifyShare(byte[] message, Bytes share) {
        if (message == null) return 0;
        int index = claimedIndex(share);
        if (index == 0) return 0;
        return MessageDigest.isEqual(share(index, message), share.toByteArray()) ? index : 0;
    }

    @Override
    public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
        if (message == null || shares == null) return Optional.empty();
        Set<Integer> indices = new HashSet<>();
        List<Bytes> chosen = new ArrayList<>(threshold);
        for (Bytes s : shares) {
            if (chosen.size() == threshold) break;
            int index = claimedIndex(s);
            if (index == 0 || !indices.add(index)) continue;
            chosen.add(s);
        }
        if (chosen.size() < threshold) return Optional.empty();
        for (Bytes s : chosen) {
            if (verifyShare(message, s) == 0) return Optional.empty(); // optimistic combination failed
        }
        return Optional.of(Bytes.wrapOwned(combined(message)));
    }

    @Override
    public boolean verify(byte[] message, Bytes signature) {
        if (message == null || signature == null || signature.length() != SIGNATURE_BYTES) return false;
        return MessageDigest.isEqual(combined(message), signature.toByteArray());
    }
}
