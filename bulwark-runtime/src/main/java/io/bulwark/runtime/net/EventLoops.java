package io.bulwark.runtime.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A small group of Netty I/O threads: epoll where the native transport loads (Linux) and the JVM
 * allows native access (JDK 22+: {@code --enable-native-access=ALL-UNNAMED}, which {@code bulwark up}
 * passes to its nodes; without it the JDK would print warnings), NIO elsewhere or when the system
 * property {@code bulwark.transport=nio} says so. Bulwark runs many processes on few cores, so a
 * node uses one or two I/O threads.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    public EventLoops(int threads, String name) {
        if (threads < 1) throw new IllegalArgumentException("threads < 1");
        this.epoll = !"nio".equalsIgnoreCase(System.getProperty("bulwark.transport")) && nativeAccessAllowed() && Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** JDK 22+ warns when a library is loaded without native access; do not trigger that. */
    private static boolean nativeAccessAllowed() {
        if (Runtime.version().feature() < 22) return true;
        try {
            Object enabled = Module.class.getMethod("isNativeAccessEnabled").invoke(EventLoops.class.getModule());
            return Boolean.TRUE.equals(enabled);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public String kind() {
        return epoll ? "epoll" : "nio";
    }

    Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
