package io.bulwark.runtime.node;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.step.Outbox;
import io.bulwark.core.step.ProtocolCore;
import java.io.IOException;
import java.util.List;

/**
 * What {@link NodeHost} needs from a protocol core and its durable storage: the core's three
 * inputs, and a way to make its {@link Outbox#persists() records} durable. One implementation per
 * role ({@link AgreementCore}, {@link ExecutionCore}, {@link FilterCore}); all methods are called on the host's one
 * protocol thread.
 */
public interface HostedCore extends AutoCloseable {
    /** "agreement", "execution" or "filter". */
    String role();

    /** The protocol core this host role drives. */
    ProtocolCore core();

    default void start(long nowNanos, Outbox out) {
        core().start(nowNanos, out);
    }

    default void onMessage(long nowNanos, Principal from, Message m, Outbox out) {
        core().onMessage(nowNanos, from, m, out);
    }

    default void onTimer(long nowNanos, Object key, Outbox out) {
        core().onTimer(nowNanos, key, out);
    }

    /**
     * Makes {@code records} (a batch's persists, in order) durable as the fsync policy says:
     * appended to the write-ahead log, then one fsync under ALWAYS. Returns before any message of
     * the batch is sent. Returns the nanoseconds spent in fsync.
     */
    long persist(List<Object> records) throws IOException;

    /** Housekeeping after a batch was carried out (e.g. log compaction). */
    void afterBatch() throws IOException;

    /** One line about the core's state for the periodic summary, e.g. {@code pn=3 normal next-slot=120}. */
    String status();

    /** A notable change since the last call (a view change, a state transfer), or null. */
    String notableChange();

    /** Counters of the core's write-ahead log. */
    io.bulwark.runtime.storage.WalStats walStats();

    /** Whether this node currently leads (proposes); execution nodes never do. */
    default boolean isLeader() {
        return false;
    }

    /** The next slot this node will deliver or execute (every slot below it is done). */
    long nextSlot();

    /** Closes the storage (after a final fsync). */
    @Override
    void close() throws IOException;
}
