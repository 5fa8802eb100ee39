package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.firewall.threshold.ThresholdKeyShare;

/**
 * What only an execution node of a firewall cluster holds, from its secrets file: its share of
 * the execution cluster's threshold RSA key (it signs a share of each slot's replies) and the
 * execution cluster's X25519 secret (with a client's public key it derives the
 * {@link io.bulwark.core.crypto.ClientSeal} that opens the client's requests and seals its replies).
 */
public record ExecutionSecrets(ThresholdKeyShare keyShare, Bytes clusterX25519Secret) {
    @Override
    public String toString() {
        return "ExecutionSecrets[share " + keyShare.index() + ", <redacted>]"; // never print secrets
    }
}
