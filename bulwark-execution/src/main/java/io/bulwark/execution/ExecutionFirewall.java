package io.bulwark.execution;

import io.bulwark.core.crypto.ClientSeals;
import io.bulwark.core.crypto.ThresholdShareSigner;
import java.util.Objects;

/**
 * What an execution node needs in firewall mode (docs/firewall.md): its share of the execution
 * cluster's threshold signing key (share index = node id − a + 1), with which it signs each
 * executed slot's replies, and the cluster's side of every client's seal, with which it opens
 * request bodies and seals results.
 */
public record ExecutionFirewall(ThresholdShareSigner shareSigner, ClientSeals seals) {
    public ExecutionFirewall {
        Objects.requireNonNull(shareSigner, "shareSigner");
        Objects.requireNonNull(seals, "seals");
    }
}
