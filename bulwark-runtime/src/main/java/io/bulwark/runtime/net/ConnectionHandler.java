package io.bulwark.runtime.net;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every connection: authenticates the peer when the TLS handshake ends,
 * decodes frames into messages (counting and dropping malformed ones), and turns every
 * exception into a counted, logged close, never a crash.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    /** What a connection reports to its owner; called on the channel's event loop. */
    interface Listener {
        /** The peer proved it is {@code peer}; return false to close the connection. */
        boolean onAuthenticated(Channel ch, Principal peer);

        void onMessage(Principal from, Message m);

        default void onWritable(Channel ch) {}

        void onClosed(Channel ch, Principal peer);
    }

    private final Predicate<Principal> allowed;
    private final Listener listener;
    private final TransportStats stats;
    private final String expectedDescription;

    /**
     * @param allowed             which principals may be at the other end
     * @param expectedDescription for log lines, e.g. "a principal of the cluster" or "node-3"
     */
    ConnectionHandler(Predicate<Principal> allowed, String expectedDescription, Listener listener, TransportStats stats) {
        this.allowed = allowed;
        this.expectedDescription = expectedDescription;
        this.listener = listener;
        this.stats = stats;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            Channel ch = ctx.channel();
            if (!e.isSuccess()) {
                stats.handshakeFailures.increment();
                log.debug("TLS handshake with {} failed: {}", ch.remoteAddress(), String.valueOf(e.cause()));
                ctx.close();
                return;
            }
            Principal peer = PeerIdentity.authenticate(ch, allowed);
            if (peer == null) {
                stats.refusedPeers.increment();
                log.warn("refusing connection with {} ({}): expected {}", ch.remoteAddress(), PeerIdentity.describe(ch),
                        expectedDescription);
                ctx.close();
                return;
            }
            stats.connections.increment();
            if (!listener.onAuthenticated(ch, peer)) {
                ch.attr(PeerIdentity.PEER).set(null); // frames already buffered behind the handshake count as unauthenticated
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
        Principal from = PeerIdentity.of(ctx.channel());
        if (from == null) {
            stats.unauthenticatedFrames.increment();
            return;
        }
        Message m;
        try {
            m = WireCodec.decode(bytes);
        } catch (MalformedMessageException e) {
            stats.countMalformed(e.reason());
            log.debug("malformed frame from {}: {}", from, e.getMessage());
            return;
        }
        stats.received(TransportStats.typeOf(m), bytes.length + Frames.LENGTH_BYTES);
        listener.onMessage(from, m);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) listener.onWritable(ctx.channel());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Principal peer = PeerIdentity.of(ctx.channel());
        if (peer != null) stats.disconnections.increment();
        listener.onClosed(ctx.channel(), peer);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel ch = ctx.channel();
        Object who = PeerIdentity.of(ch) != null ? PeerIdentity.of(ch) : ch.remoteAddress();
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (cause instanceof TooLongFrameException) {
            stats.oversizedFrames.increment();
            log.warn("closing connection with {}: {}", who, cause.getMessage());
        } else if (cause instanceof CorruptedFrameException) {
            stats.oversizedFrames.increment();
            log.warn("closing connection with {}: bad frame length ({})", who, cause.getMessage());
        } else if (c instanceof SSLException) {
            stats.handshakeFailures.increment();
            log.debug("closing connection with {}: TLS error {}", who, c.toString());
        } else if (c instanceof IOException) {
            log.debug("connection with {} failed: {}", who, c.toString());
        } else {
            log.warn("closing connection with {} after an unexpected error: {}", who, c.toString(), c);
        }
        ctx.close();
    }
}
