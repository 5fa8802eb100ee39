package io.bulwark.runtime.client;

import io.bulwark.client.BulwarkClient;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.PairwiseRequestAuthenticator;
import io.bulwark.firewall.threshold.ShoupThresholdVerifier;
import io.bulwark.core.crypto.Principal;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.net.EventLoops;
import io.bulwark.runtime.net.NettyClientTransport;
import io.bulwark.runtime.net.TransportOptions;
import java.util.function.Consumer;

/**
 * Builds a {@link BulwarkClient} for one client identity of a cluster directory: its signer,
 * its MAC authenticators for the agreement nodes (pairwise X25519 keys), and a
 * {@link NettyClientTransport} (closed with the client). Behind a privacy firewall also its
 * seal with the execution cluster (X25519 of its secret and the cluster's public key) and the
 * execution cluster's threshold public key, which every reply certificate must verify against.
 */
public final class ClusterClients {
    private ClusterClients() {}

    public static BulwarkClient connect(ClusterConfig config, long clientId) throws ConfigException {
        return connect(config, clientId, null, b -> { });
    }

    /**
     * @param loops     I/O threads to share between many clients in one process, or null for a private one
     * @param customize adjusts the builder (timeouts, queue sizes) before {@code build()}
     */
    public static BulwarkClient connect(ClusterConfig config, long clientId, EventLoops loops, Consumer<BulwarkClient.Builder> customize)
            throws ConfigException {
        Identity id = config.identity(Principal.client(clientId));
        ClientSeal seal = null;
        if (config.spec().firewall()) {
            seal = ClientSeal.between(clientId, id.x25519Secret(), config.clusterSealKey()).orElseThrow(() -> new ConfigException(
                    config.dir().resolve(ClusterConfig.PROPERTIES) + ": " + ClusterConfig.CLUSTER_X25519_KEY + " is not a usable X25519 key"));
        }
        NettyClientTransport transport = new NettyClientTransport(config, id, TransportOptions.defaults(), loops);
        try {
            BulwarkClient.Builder b = BulwarkClient.builder()
                    .clusterSpec(config.spec())
                    .clientId(clientId)
                    .signer(id.signer())
                    .authenticator(new PairwiseRequestAuthenticator(id.principal(), id.x25519Secret(), config.agreementKeys()))
                    .transport(transport);
            if (seal != null) b.seal(seal).executionKey(new ShoupThresholdVerifier(config.thresholdPublicKey()));
            customize.accept(b);
            return b.build();
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }
}
