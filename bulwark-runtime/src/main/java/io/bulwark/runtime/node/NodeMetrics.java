package io.bulwark.runtime.node;

import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.runtime.net.TransportStats;
import io.bulwark.runtime.storage.WalStats;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A node's counters: its transport's (messages in and out per type, malformed frames per
 * reason, drops), its write-ahead log's (fsyncs and their latency, bytes) and the host's own
 * (inputs, batches, queue drops, signature-cache hits). {@link #summary} renders the line the
 * host logs every ten seconds.
 */
public final class NodeMetrics {
    final LongAdder inboundDrops = new LongAdder();
    final LongAdder inputs = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder timersFired = new LongAdder();
    final LongAdder coreErrors = new LongAdder();
    final LongAdder deliveredSlots = new LongAdder();
    private final TransportStats transport;
    private final WalStats wal;
    private final VerifiedSignatureCache signatures;

    // previous values, for rates in the summary (summary() is called from one thread)
    private long lastIn, lastOut, lastFsyncs, lastFsyncNanos, lastNanos = System.nanoTime();

    NodeMetrics(TransportStats transport, WalStats wal, VerifiedSignatureCache signatures) {
        this.transport = transport;
        this.wal = wal;
        this.signatures = signatures;
    }

    public TransportStats transport() {
        return transport;
    }

    public WalStats wal() {
        return wal;
    }

    /** Inputs dropped because the protocol thread's queue was full. */
    public long inboundDrops() {
        return inboundDrops.sum();
    }

    public long inputs() {
        return inputs.sum();
    }

    public long batches() {
        return batches.sum();
    }

    public long timersFired() {
        return timersFired.sum();
    }

    /** Exceptions thrown by the core (bugs): logged, counted, and the node goes on. */
    public long coreErrors() {
        return coreErrors.sum();
    }

    public long deliveredSlots() {
        return deliveredSlots.sum();
    }

    public long signatureCacheHits() {
        return signatures.hits();
    }

    public long signatureCacheMisses() {
        return signatures.misses();
    }

    public long malformedFrames() {
        return transport.malformedTotal();
    }

    public Map<Reason, Long> malformedByReason() {
        return transport.malformedByReason();
    }

    /** One line: totals and what happened since the previous call. */
    synchronized String summary(String who, String status) {
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - lastNanos) / 1e9);
        long in = transport.messagesIn(), out = transport.messagesOut();
        long fsyncs = wal.fsyncs(), fsyncNanos = wal.fsyncNanosTotal();
        long dFsyncs = fsyncs - lastFsyncs;
        double avgMs = dFsyncs == 0 ? 0 : (fsyncNanos - lastFsyncNanos) / 1e6 / dFsyncs;
        double maxMs = wal.takeFsyncNanosMax() / 1e6;
        long hits = signatures.hits(), misses = signatures.misses();
        String line = String.format(
                "%s %s | msgs in=%d (%.0f/s) out=%d (%.0f/s) | malformed=%d drops in/out=%d/%d unroutable=%d"
                        + " | fsync %.0f/s avg=%.2fms max=%.2fms | wal=%dKiB | sig-cache hits=%d misses=%d | slots=%d errors=%d",
                who, status, in, (in - lastIn) / secs, out, (out - lastOut) / secs, transport.malformedTotal(), inboundDrops.sum(),
                transport.outboundDrops(), transport.unroutable(), dFsyncs / secs, avgMs, maxMs, wal.liveBytes() / 1024, hits, misses,
                deliveredSlots.sum(), coreErrors.sum());
        long refused = transport.topologyRefusedConnections(), droppedIn = transport.topologyDroppedIn(),
                droppedOut = transport.topologyDroppedOut();
        if (refused + droppedIn + droppedOut > 0) {
            line += String.format(" | topology: refused=%d dropped in/out=%d/%d", refused, droppedIn, droppedOut);
        }
        lastIn = in;
        lastOut = out;
        lastFsyncs = fsyncs;
        lastFsyncNanos = fsyncNanos;
        lastNanos = now;
        return line;
    }
}
