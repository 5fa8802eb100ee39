package io.bulwark.client;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import java.util.function.BiConsumer;

/**
 * How a {@link BulwarkClient} reaches the cluster. The runtime implements it over Netty with
 * mutual TLS; tests implement it in memory. The transport authenticates senders: the
 * principal it reports for an inbound message is who really sent it.
 */
public interface ClientTransport extends AutoCloseable {
    /**
     * Sends {@code message} to node {@code to}. Thread-safe and non-blocking; may drop the
     * message (e.g. while disconnected): the client retransmits.
     */
    void send(Principal to, Message message);

    /**
     * Registers the handler for every inbound message, called with the authenticated sender.
     * It may be called from any transport thread; it must not block and it does not (the
     * client re-dispatches onto its own thread). Registered once, before any send.
     */
    void onReceive(BiConsumer<Principal, Message> handler);

    /** Releases connections and threads. Idempotent. */
    @Override
    void close();
}
