package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.ThresholdShareSigner;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.firewall.threshold.CombineResult;
import io.bulwark.firewall.threshold.SignatureShare;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import io.bulwark.firewall.threshold.ThresholdKeyShare;
import io.bulwark.firewall.threshold.ThresholdPublicKey;
import io.bulwark.firewall.threshold.ThresholdRsa;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny test-local adapter from the core's threshold interfaces to Shoup threshold RSA
 * ({@link ThresholdRsa}), with real 512-bit keys dealt once per g (seeded). The production
 * adapters live in bulwark-firewall; these tests only need shares to sign and combine.
 */
final class TestShoup {
    private static final Map<Integer, ThresholdKeyDealer.DealtKeys> KEYS = new ConcurrentHashMap<>();

    private TestShoup() {}

    /** The k = g + 1 of l = 2g + 1 key, 512 bits. */
    static ThresholdKeyDealer.DealtKeys keys(int g) {
        return KEYS.computeIfAbsent(g, x -> ThresholdKeyDealer.deal(g + 1, 2 * g + 1, 512, new Random(4000 + g)));
    }

    static ThresholdShareSigner signer(ThresholdKeyShare share) {
        return new ThresholdShareSigner() {
            @Override
            public int index() {
                return share.index();
            }

            @Override
            public Bytes signShare(byte[] message) {
                return Bytes.wrapOwned(ThresholdRsa.sign(share, message).encode());
            }
        };
    }

    static ThresholdVerifier verifier(ThresholdPublicKey key) {
        return new ThresholdVerifier() {
            @Override
            public int threshold() {
                return key.k();
            }

            @Override
            public int signers() {
                return key.l();
            }

            @Override
            public int verifyShare(byte[] message, Bytes share) {
                SignatureShare s = decode(share);
                return s != null && ThresholdRsa.verifyShare(key, message, s) ? s.index() : 0;
            }

            @Override
            public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
                List<SignatureShare> decoded = new ArrayList<>();
                for (Bytes b : shares) {
                    SignatureShare s = decode(b);
                    if (s != null) decoded.add(s);
                }
                return ThresholdRsa.combine(key, message, decoded) instanceof CombineResult.Combined c
                        ? Optional.of(c.signature().value()) : Optional.empty();
            }

            @Override
            public boolean verify(byte[] message, Bytes signature) {
                return ThresholdRsa.verify(key, message, signature);
            }
        };
    }

    private static SignatureShare decode(Bytes share) {
        try {
            return SignatureShare.decode(share.toByteArray());
        } catch (MalformedMessageException e) {
            return null;
        }
    }
}
