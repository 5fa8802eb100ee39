package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;

/**
 * Signs as exactly one principal. Holding a {@code Signer} is holding that principal's
 * private key: the simulator hands Byzantine strategies only the signers of the nodes they
 * control, which is what keeps forgery impossible there.
 */
public interface Signer {
    Principal principal();

    Bytes sign(byte[] message, int offset, int length);

    default Bytes sign(byte[] message) {
        return sign(message, 0, message.length);
    }
}
