package io.bulwark.execution;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.ExecutionCheckpoint;
import java.util.List;
import java.util.Objects;

/**
 * g + 1 matching signed {@link ExecutionCheckpoint}s from distinct execution nodes: at least
 * one of them is correct, so the state after {@code slot} hashes to {@code stateDigest}.
 */
public record CertifiedCheckpoint(long slot, Digest stateDigest, List<ExecutionCheckpoint> signatures) {
    public CertifiedCheckpoint {
        Objects.requireNonNull(stateDigest, "stateDigest");
        signatures = List.copyOf(signatures);
    }
}
