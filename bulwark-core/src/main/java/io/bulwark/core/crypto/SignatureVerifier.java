package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;

/** Verifies signatures of any principal from public information only. Thread-safe. */
public interface SignatureVerifier {
    /** False for an unknown principal, a malformed signature or a wrong one; never throws on bad input. */
    boolean verify(Principal signer, byte[] message, int offset, int length, Bytes signature);

    default boolean verify(Principal signer, byte[] message, Bytes signature) {
        return verify(signer, message, 0, message.length, signature);
    }
}
