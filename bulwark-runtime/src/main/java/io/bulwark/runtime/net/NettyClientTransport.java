package io.bulwark.runtime.net;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;

/**
 * A client's network for the client library: mutual TLS to each node it sends to, dialed on
 * first use and kept up (re-dialed with backoff); replies come back over the same connections,
 * so the nodes that answer clients (execution nodes, or agreement nodes in an agreement-only
 * cluster, or with a privacy firewall the filters of row 0) are dialed at construction. With a
 * firewall the client talks to agreement nodes and row-0 filters only ({@link Topology}): a
 * message to any other node is dropped and counted.
 * Messages from a node arrive on an I/O thread and go to the {@link #onReceive} handler.
 */
public final class NettyClientTransport implements io.bulwark.client.ClientTransport, AutoCloseable {
    private final ClusterConfig config;
    private final Identity identity;
    private final TransportOptions options;
    private final EventLoops loops;
    private final boolean ownLoops;
    private final io.netty.handler.ssl.SslContext ssl;
    private final TransportStats stats = new TransportStats();
    private final Map<Integer, OutboundLink> links = new ConcurrentHashMap<>();
    private final java.util.function.Predicate<Principal> linked;
    private volatile BiConsumer<Principal, Message> handler = (p, m) -> { };
    private volatile boolean closed;

    /** A transport with its own single I/O thread. */
    public NettyClientTransport(ClusterConfig config, Identity identity) {
        this(config, identity, TransportOptions.defaults(), null);
    }

    /**
     * @param shared I/O threads to share with other transports (not closed by {@link #close}), or
     *               null for a private group of {@code options.ioThreads()} threads
     */
    public NettyClientTransport(ClusterConfig config, Identity identity, TransportOptions options, EventLoops shared) {
        if (identity.principal().kind() != Principal.Kind.CLIENT) throw new IllegalArgumentException("a client transport needs a client identity");
        this.config = config;
        this.identity = identity;
        this.options = options;
        try {
            this.ssl = TlsContexts.client(identity);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for " + identity.principal() + ": " + e.getMessage(), e);
        }
        this.ownLoops = shared == null;
        this.loops = shared != null ? shared : new EventLoops(options.ioThreads(), identity.principal() + "-io");
        // Replies come back only over connections the client opened, and the client core sends a
        // request to the leader alone at first: dial every node that answers clients right away.
        this.linked = Topology.peersOf(config.spec(), identity.principal());
        int[] responders = config.spec().firewall() ? config.filterRow(0)
                : config.executionNodeIds().length > 0 ? config.executionNodeIds() : config.agreementNodeIds();
        for (int n : responders) link(n).start();
    }

    private OutboundLink link(int node) {
        return links.computeIfAbsent(node, n -> new OutboundLink(config.node(n), identity.principal(), loops, ssl, options, stats,
                (from, msg) -> handler.accept(from, msg)));
    }

    public Principal self() {
        return identity.principal();
    }

    @Override
    public void send(Principal to, Message m) {
        if (closed) return;
        if (to.kind() != Principal.Kind.NODE || to.id() >= config.nodes().size()) {
            stats.unroutable.increment();
            return;
        }
        if (!linked.test(to)) {
            stats.topologyDroppedOut.increment();
            return;
        }
        Frames.Encoded frame = Frames.encode(m);
        link((int) to.id()).send(frame);
    }

    @Override
    public void onReceive(BiConsumer<Principal, Message> handler) {
        this.handler = handler;
    }

    public TransportStats stats() {
        return stats;
    }

    public boolean isConnectedTo(int node) {
        OutboundLink l = links.get(node);
        return l != null && l.isConnected();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (OutboundLink l : links.values()) l.close();
        if (ownLoops) loops.close();
    }
}
