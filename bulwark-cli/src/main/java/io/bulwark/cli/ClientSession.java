package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.core.ClientConfig;
import io.bulwark.kv.Invoker;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.client.ClusterClients;
import io.bulwark.runtime.net.EventLoops;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client of a cluster directory: loads client {@code clientId}'s identity, connects over
 * mutual TLS and signs and MACs every request (and, behind a privacy firewall, seals it to the
 * execution cluster and accepts only threshold-certified replies). What {@code kv},
 * {@code bench} and {@code demo} talk to the cluster through.
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
        BulwarkClient client = ClusterClients.connect(config, clientId, sharedLoops,
                b -> b.config(ClientConfig.defaults().withCallTimeout(callTimeout.toNanos())));
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
