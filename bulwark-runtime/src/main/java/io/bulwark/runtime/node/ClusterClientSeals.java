package io.bulwark.runtime.node;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.ClientSeals;
import io.bulwark.core.crypto.Principal;
import io.bulwark.runtime.config.ClusterConfig;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The execution cluster's side of every client's seal: X25519 of the cluster's secret and the
 * client's public key from {@code cluster.properties}, derived once per client and cached (at
 * most one entry per client of the cluster, so bounded by its configuration). Unknown clients
 * get none and are not cached.
 */
final class ClusterClientSeals implements ClientSeals {
    private final ClusterConfig config;
    private final Bytes clusterSecret;
    private final ConcurrentHashMap<Long, Optional<ClientSeal>> seals = new ConcurrentHashMap<>();

    ClusterClientSeals(ClusterConfig config, Bytes clusterSecret) {
        this.config = config;
        this.clusterSecret = clusterSecret;
    }

    @Override
    public Optional<ClientSeal> forClient(long clientId) {
        if (clientId < 0 || clientId >= config.clients()) return Optional.empty();
        return seals.computeIfAbsent(clientId, id -> {
            Bytes clientKey = config.agreementKey(Principal.client(id));
            return clientKey == null ? Optional.empty() : ClientSeal.between(id, clusterSecret, clientKey);
        });
    }
}
