package io.bulwark.runtime.net;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.runtime.config.NodeInfo;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dialed connection to one node, kept up for as long as the transport runs: connected on
 * first use, re-dialed with jittered exponential backoff after every failure or close, and
 * accepted only if the node's certificate names the node that was meant.
 *
 * <p>Frames go through a bounded queue drained on the connection's event loop while the
 * channel is writable (one flush per drain): a slow or unreachable peer costs at most
 * {@link TransportOptions#outboundQueueMax} frames, and further frames push out the oldest
 * (counted as drops).
 */
final class OutboundLink implements ConnectionHandler.Listener {
    private static final Logger log = LoggerFactory.getLogger(OutboundLink.class);

    private final NodeInfo target;
    private final Principal peer;
    private final Principal self;
    private final EventLoop loop;
    private final SslContext ssl;
    private final EventLoops loops;
    private final TransportOptions options;
    private final TransportStats stats;
    private final BiConsumer<Principal, Message> inbound;
    private final ConcurrentLinkedQueue<Frames.Encoded> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;
    // event-loop confined
    private Channel channel;
    private Channel connecting;
    private int attempts;
    private boolean everConnected;
    private boolean failureLogged;

    OutboundLink(NodeInfo target, Principal self, EventLoops loops, SslContext ssl, TransportOptions options, TransportStats stats,
            BiConsumer<Principal, Message> inbound) {
        this.target = target;
        this.peer = target.principal();
        this.self = self;
        this.loops = loops;
        this.loop = loops.group().next();
        this.ssl = ssl;
        this.options = options;
        this.stats = stats;
        this.inbound = inbound;
    }

    /** Queues {@code frame}; callable from any thread. */
    void send(Frames.Encoded frame) {
        if (closed) return;
        queue.offer(frame);
        if (queued.incrementAndGet() > options.outboundQueueMax()) {
            if (queue.poll() != null) {
                queued.decrementAndGet();
                stats.outboundDrops.increment();
            }
        }
        if (started.compareAndSet(false, true)) onLoop(this::connect);
        if (drainScheduled.compareAndSet(false, true)) onLoop(this::drain);
    }

    /** Runs {@code task} on the link's event loop; after the loop shut down, the link is dead. */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            closed = true;
            queue.clear();
            queued.set(0);
        }
    }

    /** Dials now, without waiting for a first frame. */
    void start() {
        if (!closed && started.compareAndSet(false, true)) onLoop(this::connect);
    }

    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (ch == null || !ch.isActive()) return;
        boolean wrote = false;
        Frames.Encoded f;
        while (ch.isWritable() && (f = queue.poll()) != null) {
            queued.decrementAndGet();
            ByteBuf buf = Unpooled.wrappedBuffer(f.bytes());
            ch.write(buf, ch.voidPromise());
            stats.sent(f.type(), f.bytes().length);
            wrote = true;
        }
        if (wrote) ch.flush();
    }

    private void connect() {
        if (closed || channel != null || connecting != null) return;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(loops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.writeLowWaterBytes(), options.writeHighWaterBytes()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler h = ssl.newHandler(ch.alloc(), target.host(), target.port());
                        h.setHandshakeTimeoutMillis(options.handshakeTimeoutMillis());
                        ch.pipeline().addLast("tls", h);
                        ch.pipeline().addLast("frames", Frames.decoder());
                        ch.pipeline().addLast("bulwark", new ConnectionHandler(peer::equals, peer.toString(), OutboundLink.this, stats));
                    }
                });
        ChannelFuture f = b.connect(target.host(), target.port());
        connecting = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connecting = null;
                noteFailure(String.valueOf(done.cause() == null ? "closed" : done.cause().getMessage()));
                scheduleReconnect();
            }
        });
    }

    private void noteFailure(String why) {
        if (!failureLogged) {
            failureLogged = true;
            if (everConnected && self.kind() == Principal.Kind.NODE) {
                log.info("{}: cannot reach {} at {} ({}); retrying", self, peer, target.address(), why);
            } else {
                log.debug("{}: cannot reach {} at {} yet ({}); retrying", self, peer, target.address(), why);
            }
        }
    }

    private void scheduleReconnect() {
        if (closed) return;
        long base = Math.min(options.backoffMaxMillis(), options.backoffMinMillis() << Math.min(attempts, 20));
        attempts++;
        long delay = Math.max(1, (long) (base * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble())));
        try {
            loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            closed = true;
        }
    }

    @Override
    public boolean onAuthenticated(Channel ch, Principal who) {
        if (closed) return false;
        connecting = null;
        channel = ch;
        attempts = 0;
        failureLogged = false;
        everConnected = true;
        if (self.kind() == Principal.Kind.NODE) log.info("{}: connected to {} at {}", self, peer, target.address());
        else log.debug("{}: connected to {} at {}", self, peer, target.address());
        drain();
        return true;
    }

    @Override
    public void onMessage(Principal from, Message m) {
        inbound.accept(from, m);
    }

    @Override
    public void onWritable(Channel ch) {
        if (ch == channel) drain();
    }

    @Override
    public void onClosed(Channel ch, Principal who) {
        boolean ours = false;
        if (ch == connecting) {
            connecting = null;
            ours = true;
            if (!closed) noteFailure("connection closed before the peer was authenticated");
        }
        if (ch == channel) {
            channel = null;
            ours = true;
            if (closed) {
                // closing on purpose
            } else if (self.kind() == Principal.Kind.NODE) {
                log.info("{}: lost connection to {}; reconnecting", self, peer);
            } else {
                log.debug("{}: lost connection to {}; reconnecting", self, peer);
            }
        }
        if (ours) scheduleReconnect();
    }

    /**
     * The peer just proved it is up (it connected to us): if this link is waiting out a backoff,
     * dial now instead. Harmless when connected or already connecting.
     */
    void peerIsUp() {
        onLoop(() -> {
            attempts = 0;
            connect();
        });
    }

    /** Frames waiting to be written. */
    int queued() {
        return queued.get();
    }

    boolean isConnected() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    void close() {
        closed = true;
        onLoop(() -> {
            if (channel != null) channel.close();
            if (connecting != null) connecting.close();
            queue.clear();
            queued.set(0);
        });
    }
}
