package io.bulwark.core.crypto;

import java.util.Optional;

/**
 * The execution cluster's side of every client's {@link ClientSeal}: derived from the cluster's
 * X25519 secret key and the client's registered public key. Empty for an unknown client.
 * Implementations cache; thread-safe.
 */
@FunctionalInterface
public interface ClientSeals {
    Optional<ClientSeal> forClient(long clientId);
}
