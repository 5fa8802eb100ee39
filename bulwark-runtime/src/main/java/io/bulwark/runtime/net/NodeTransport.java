package io.bulwark.runtime.net;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.config.NodeInfo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's network: a mutual-TLS server on the node's configured address for every principal of
 * the cluster, a lazily dialed {@link OutboundLink} per node it sends to, and the connections
 * clients opened to it (a node answers a client over the client's own connection).
 *
 * <p>Messages arrive on I/O threads, already decoded and attributed to the authenticated peer,
 * and go to the {@link Inbound} handler, which must not block.
 *
 * <p>With a privacy firewall the transport keeps to the {@link Topology}: it never dials a node
 * it is not linked with, closes connections from such peers once they are authenticated, and
 * drops (and counts) every frame to or from one.
 */
public final class NodeTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeTransport.class);

    /** Receives every message, on an I/O thread. Must not block. */
    @FunctionalInterface
    public interface Inbound {
        void onMessage(Principal from, Message m);
    }

    private final ClusterConfig config;
    private final Identity identity;
    private final NodeInfo self;
    private final TransportOptions options;
    private final Inbound inbound;
    private final TransportStats stats = new TransportStats();
    private final Predicate<Principal> linked;
    private final Map<Integer, OutboundLink> links = new ConcurrentHashMap<>();
    private final Map<Long, Channel> clients = new ConcurrentHashMap<>();
    /** Connections other nodes opened to this one, by node id: a fallback route to them. */
    private final Map<Long, Channel> inboundFromNodes = new ConcurrentHashMap<>();
    private final Map<Channel, Boolean> accepted = new ConcurrentHashMap<>();
    private EventLoops loops;
    private SslContext clientSsl;
    private Channel server;
    private volatile boolean stopped;

    public NodeTransport(ClusterConfig config, Identity identity, TransportOptions options, Inbound inbound) {
        if (identity.principal().kind() != Principal.Kind.NODE) throw new IllegalArgumentException("a node transport needs a node identity");
        this.config = config;
        this.identity = identity;
        this.self = config.node((int) identity.principal().id());
        this.options = options;
        this.inbound = inbound;
        this.linked = Topology.peersOf(config.spec(), identity.principal());
    }

    /** Binds the server socket. Throws with a clear message if the address is taken. */
    public void start() throws IOException {
        SslContext serverSsl;
        try {
            serverSsl = TlsContexts.server(identity);
            clientSsl = TlsContexts.client(identity);
        } catch (SSLException e) {
            throw new IOException("cannot set up TLS for " + self.principal() + ": " + e.getMessage(), e);
        }
        loops = new EventLoops(options.ioThreads(), self.principal() + "-io");
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.writeLowWaterBytes(), options.writeHighWaterBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (stopped) {
                            ch.close();
                            return;
                        }
                        accepted.put(ch, Boolean.TRUE);
                        ch.closeFuture().addListener(f -> accepted.remove(ch));
                        SslHandler h = serverSsl.newHandler(ch.alloc());
                        h.setHandshakeTimeoutMillis(options.handshakeTimeoutMillis());
                        ch.pipeline().addLast("tls", h);
                        ch.pipeline().addLast("frames", Frames.decoder());
                        ch.pipeline().addLast("bulwark", new ConnectionHandler(config::isPrincipal, "a principal of the cluster",
                                serverListener, stats));
                    }
                });
        try {
            server = b.bind(new InetSocketAddress(self.host(), self.port())).syncUninterruptibly().channel();
        } catch (Exception e) {
            loops.close();
            throw new IOException("cannot listen on " + self.address() + " for " + self.principal() + ": " + e.getMessage(), e);
        }
        log.info("{} listening on {} (TLS 1.3, {} I/O thread(s), {})", self.principal(), self.address(), options.ioThreads(), loops.kind());
    }

    private final ConnectionHandler.Listener serverListener = new ConnectionHandler.Listener() {
        @Override
        public boolean onAuthenticated(Channel ch, Principal peer) {
            if (peer.equals(self.principal())) {
                log.warn("{}: refusing a connection that presents my own certificate, from {}", self.principal(), ch.remoteAddress());
                return false;
            }
            if (!linked.test(peer)) {
                stats.topologyRefusedConnections.increment();
                log.warn("{}: refusing a connection from {} ({}): the firewall topology does not link us", self.principal(), peer,
                        ch.remoteAddress());
                return false;
            }
            if (peer.kind() == Principal.Kind.CLIENT) {
                clients.put(peer.id(), ch);
                log.debug("{}: client {} connected from {}", self.principal(), peer, ch.remoteAddress());
            } else {
                inboundFromNodes.put(peer.id(), ch);
                log.info("{}: accepted connection from {} ({})", self.principal(), peer, ch.remoteAddress());
                // A restarted peer: don't wait out our reconnect backoff to reach it.
                if (peer.id() < config.nodes().size()) link((int) peer.id()).peerIsUp();
            }
            return true;
        }

        @Override
        public void onMessage(Principal from, Message m) {
            deliver(from, m);
        }

        @Override
        public void onClosed(Channel ch, Principal peer) {
            if (peer == null) return;
            if (peer.kind() == Principal.Kind.CLIENT) {
                clients.remove(peer.id(), ch);
                log.debug("{}: client {} disconnected", self.principal(), peer);
            } else {
                inboundFromNodes.remove(peer.id(), ch);
                if (!stopped) log.info("{}: connection from {} closed", self.principal(), peer);
            }
        }
    };

    /** Every received frame passes here: the last line of the topology's defence. */
    void deliver(Principal from, Message m) {
        if (!linked.test(from)) {
            stats.topologyDroppedIn.increment();
            return;
        }
        inbound.onMessage(from, m);
    }

    public Principal self() {
        return self.principal();
    }

    /** Whether this node may talk to {@code peer} ({@link Topology}). */
    public boolean isLinkedWith(Principal peer) {
        return linked.test(peer);
    }

    /** Nodes in the cluster. */
    public int clusterSize() {
        return config.nodes().size();
    }

    /** The address the server is bound to (the configured one). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    public TransportStats stats() {
        return stats;
    }

    public void send(Principal to, Message m) {
        send(to, m, Frames.encode(m));
    }

    /**
     * Sends an already encoded frame (encode once, send to many). Never blocks; a frame that cannot
     * be queued is dropped and counted.
     */
    public void send(Principal to, Message m, Frames.Encoded frame) {
        if (stopped) return;
        if (to.equals(self.principal())) {
            inbound.onMessage(to, m); // cores normally loop back themselves; this keeps any other self-send
            return;
        }
        if (!linked.test(to)) {
            stats.topologyDroppedOut.increment();
            return;
        }
        if (to.kind() == Principal.Kind.NODE) {
            if (to.id() >= config.nodes().size()) {
                stats.unroutable.increment();
                return;
            }
            OutboundLink l = link((int) to.id());
            if (!l.isConnected()) {
                // Until our own connection to a (re)started peer is up, answer over the one it opened
                // to us: both are mutually authenticated, and a restarted node needs answers now.
                Channel in = inboundFromNodes.get(to.id());
                if (in != null && in.isActive() && in.isWritable()) {
                    in.writeAndFlush(Unpooled.wrappedBuffer(frame.bytes()), in.voidPromise());
                    stats.sent(frame.type(), frame.bytes().length);
                    return;
                }
            }
            l.send(frame);
        } else {
            Channel ch = clients.get(to.id());
            if (ch == null || !ch.isActive()) {
                stats.unroutable.increment();
                return;
            }
            if (!ch.isWritable() && ch.bytesBeforeWritable() > options.clientPendingBytesMax()) {
                stats.outboundDrops.increment();
                return;
            }
            ch.writeAndFlush(Unpooled.wrappedBuffer(frame.bytes()), ch.voidPromise());
            stats.sent(frame.type(), frame.bytes().length);
        }
    }

    /**
     * Starts dialing {@code nodes} now instead of on the first message to each, so that a
     * cluster's mesh of TLS connections is up before the first request needs it.
     */
    public void connect(int... nodes) {
        if (stopped) return;
        for (int id : nodes) {
            if (id == self.id() || id < 0 || id >= config.nodes().size() || !linked.test(Principal.node(id))) continue;
            link(id).start();
        }
    }

    private OutboundLink link(int id) {
        return links.computeIfAbsent(id, n -> new OutboundLink(config.node(n), self.principal(), loops, clientSsl, options, stats,
                this::deliver));
    }

    /** Whether the dialed link to {@code node} is up (for tests and status). */
    public boolean isConnectedTo(int node) {
        OutboundLink l = links.get(node);
        return l != null && l.isConnected();
    }

    /** Clients with an open connection to this node. */
    public int connectedClients() {
        return clients.size();
    }

    /** Stops accepting, closes every connection and the I/O threads. */
    public void stop() {
        if (stopped) return;
        stopped = true;
        if (server != null) server.close().awaitUninterruptibly();
        for (OutboundLink l : links.values()) l.close();
        for (Channel ch : accepted.keySet()) ch.close();
        if (loops != null) loops.close();
        log.info("{}: transport stopped", self.principal());
    }

    @Override
    public void close() {
        stop();
    }
}
