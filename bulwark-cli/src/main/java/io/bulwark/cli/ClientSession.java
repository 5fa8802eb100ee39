package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.core.ClientConfig;
import io.bulwark.core.crypto.PairwiseRequestAuthenticator;
import io.bulwark.core.crypto.Principal;
import io.bulwark.kv.Invoker;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.net.EventLoops;
import io.bulwark.runtime.net.NettyClientTransport;
import io.bulwark.runtime.net.TransportOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client of a cluster directory: loads client {@code clientId}'s identity, connects over
 * mutual TLS and signs and MACs every request. What {@code kv}, {@code bench} and {@code demo}
 * talk to the cluster through.
 */
final class ClientSession implements AutoCloseable {
    private final BulwarkClient client;

    private ClientSession(BulwarkClient client) {
        this.client = client;
    }

    /**
     * @param sharedLoops I/O threads shared by many sessions (a benchmark's clients), or null
     */
    static ClientSession open(ClusterConfig config, long clientId, Duration callTimeout, EventLoops sharedLoops)
            throws ConfigException {
        if (clientId < 0 || clientId >= config.clients()) {
            throw new ConfigException("client " + clientId + " does not exist: " + config.dir() + " has clients 0.."
                    + (config.clients() - 1));
        }
        Principal principal = Principal.client(clientId);
        Identity identity = config.identity(principal);
        NettyClientTransport transport = new NettyClientTransport(config, identity, TransportOptions.defaults(), sharedLoops);
        PairwiseRequestAuthenticator macs =
                new PairwiseRequestAuthenticator(principal, identity.x25519Secret(), config.agreementKeys());
        BulwarkClient client = BulwarkClient.builder()
                .clusterSpec(config.spec())
                .clientId(clientId)
                .signer(identity.signer())
                .authenticator(macs)
                .transport(transport)
                .config(ClientConfig.defaults().withCallTimeout(callTimeout.toNanos()))
                .build();
        return new ClientSession(client);
    }

    static ClusterConfig load(Path dir) throws ConfigException {
        return ClusterConfig.load(dir);
    }

    BulwarkClient client() {
        return client;
    }

    Invoker invoker() {
        return client::invokeAsync;
    }

    @Override
    public void close() {
        client.close();
    }
}
