package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.util.Map;

/** Verifies Ed25519 signatures against a fixed table of public keys (from the cluster configuration). */
public final class PublicKeyDirectory implements SignatureVerifier {
    private final Map<Principal, Bytes> publicKeys;

    public PublicKeyDirectory(Map<Principal, Bytes> publicKeys) {
        this.publicKeys = Map.copyOf(publicKeys);
    }

    public Bytes publicKey(Principal principal) {
        return publicKeys.get(principal);
    }

    @Override
    public boolean verify(Principal signer, byte[] message, int offset, int length, Bytes signature) {
        Bytes pk = publicKeys.get(signer);
        return pk != null && Ed25519Keys.verify(pk, message, offset, length, signature);
    }
}
