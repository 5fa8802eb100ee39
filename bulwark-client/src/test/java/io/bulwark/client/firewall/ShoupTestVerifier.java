package io.bulwark.client.firewall;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.firewall.threshold.CombineResult;
import io.bulwark.firewall.threshold.SignatureShare;
import io.bulwark.firewall.threshold.ThresholdPublicKey;
import io.bulwark.firewall.threshold.ThresholdRsa;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test-local {@link ThresholdVerifier} over Shoup threshold RSA (bulwark-firewall), so that
 * the client is tested against the real scheme. Production code uses the firewall module's own
 * adapter; this one only has to be right, not fast.
 */
public record ShoupTestVerifier(ThresholdPublicKey key) implements ThresholdVerifier {
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
        try {
            SignatureShare s = SignatureShare.decode(share.toByteArray());
            return ThresholdRsa.verifyShare(key, message, s) ? s.index() : 0;
        } catch (MalformedMessageException | RuntimeException e) {
            return 0;
        }
    }

    @Override
    public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
        try {
            List<SignatureShare> decoded = new ArrayList<>();
            for (Bytes b : shares) decoded.add(SignatureShare.decode(b.toByteArray()));
            return ThresholdRsa.combine(key, message, decoded) instanceof CombineResult.Combined c
                    ? Optional.of(c.signature().value())
                    : Optional.empty();
        } catch (MalformedMessageException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean verify(byte[] message, Bytes signature) {
        return ThresholdRsa.verify(key, message, signature);
    }
}
