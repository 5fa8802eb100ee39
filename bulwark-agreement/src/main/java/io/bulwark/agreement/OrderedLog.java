package io.bulwark.agreement;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.step.Outbox;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * The decided log, delivered strictly in slot order. Whoever knows a slot's batch is decided
 * (a {@link FabLearner} on a quorum of votes; an execution node in firewall mode on f + 1
 * agreement signatures) {@link #offer}s it, in any order within {@code windowSlots} above the
 * next slot; the listener is told about every slot exactly once, in order, as soon as all slots
 * below it are in.
 *
 * <pre>
 *   offer(s, batch), nextSlot ≤ s < nextSlot + windowSlots  → buffered (first batch per slot kept)
 *   batch of nextSlot buffered                              → delivered; logHash = chain(logHash, digest);
 *                                                             nextSlot + 1; repeat
 *   jumpTo(C, hash) (stable checkpoint or state transfer)   → slots ≤ C are skipped, the chain continues from hash
 * </pre>
 *
 * Offering a batch asserts it is decided: the log believes its callers. The last
 * {@code retainedSlots} delivered batches are kept so that peers that fell behind can be served.
 * Memory: at most {@code windowSlots} buffered and {@code retainedSlots} retained batches.
 */
public final class OrderedLog {
    /** Told about every delivered slot, in order. */
    public interface Listener {
        void onDeliver(long slot, Batch batch, Outbox out);
    }

    private final int windowSlots;
    private final int retainedSlots;
    private final Listener listener;

    private long nextSlot;
    private Digest logHash = Digest.ZERO;
    /** Decided batches above the next slot, waiting for the slots below them. */
    private final TreeMap<Long, Batch> ready = new TreeMap<>();
    /** Delivered batches: slot s lives at {@code retained[s % retainedSlots]}. */
    private final Batch[] retained;
    /** Lowest slot still in {@link #retained}; slots {@code [retainedFirstSlot, nextSlot)} are there. */
    private long retainedFirstSlot;

    public OrderedLog(int windowSlots, int retainedSlots, Listener listener) {
        if (windowSlots < 1) throw new IllegalArgumentException("windowSlots < 1");
        if (retainedSlots < 1) throw new IllegalArgumentException("retainedSlots < 1");
        this.windowSlots = windowSlots;
        this.retainedSlots = retainedSlots;
        this.listener = listener;
        this.retained = new Batch[retainedSlots];
    }

    /**
     * {@code batch} is decided in {@code slot}: buffers it (if the slot is in the window and not
     * already known) and delivers every slot that is now ready. Returns whether it was new.
     */
    public boolean offer(long slot, Batch batch, Outbox out) {
        if (!inWindow(slot) || ready.putIfAbsent(slot, batch) != null) return false;
        deliverReady(out);
        return true;
    }

    /** Whether {@code slot} is in the window: not yet delivered, and close enough to buffer. */
    public boolean inWindow(long slot) {
        return slot >= nextSlot && slot - nextSlot < windowSlots;
    }

    /** Whether {@code slot}'s decided batch is buffered, waiting for earlier slots. */
    public boolean holds(long slot) {
        return ready.containsKey(slot);
    }

    /** The buffered batch of {@code slot}, or null. */
    public Batch buffered(long slot) {
        return ready.get(slot);
    }

    private void deliverReady(Outbox out) {
        Batch b;
        while ((b = ready.remove(nextSlot)) != null) {
            long slot = nextSlot;
            record(slot, b);
            listener.onDeliver(slot, b, out);
        }
    }

    /** Appends a delivered batch: log hash, retention, next slot. */
    private void record(long slot, Batch b) {
        logHash = Digest.chain(logHash, b.digest());
        retained[(int) (slot % retainedSlots)] = b;
        nextSlot = slot + 1;
        retainedFirstSlot = Math.max(retainedFirstSlot, nextSlot - retainedSlots);
    }

    /** Rebuilds delivered state from a persisted log without telling the listener again. */
    public void recoverDelivered(long slot, Batch b) {
        if (slot != nextSlot) throw new IllegalStateException("persisted deliveries out of order: " + slot + " != " + nextSlot);
        ready.remove(slot);
        record(slot, b);
    }

    /**
     * Skips to just after {@code stableSlot} (a stable checkpoint, or a state installed by state
     * transfer): the hash chain continues from {@code stableLogHash}, retention starts afresh,
     * and slots above it that were already buffered are delivered.
     */
    public void jumpTo(long stableSlot, Digest stableLogHash, Outbox out) {
        jumpTo(stableSlot, stableLogHash);
        deliverReady(out);
    }

    /** As {@link #jumpTo(long, Digest, Outbox)}, delivering nothing yet (while recovering). */
    public void jumpTo(long stableSlot, Digest stableLogHash) {
        if (stableSlot < nextSlot) return;
        ready.headMap(stableSlot, true).clear();
        Arrays.fill(retained, null);
        nextSlot = stableSlot + 1;
        retainedFirstSlot = nextSlot;
        logHash = stableLogHash;
    }

    /** The delivered batch of {@code slot} if still retained, else null. */
    public Batch deliveredBatch(long slot) {
        return slot >= retainedFirstSlot && slot < nextSlot ? retained[(int) (slot % retainedSlots)] : null;
    }

    /** Lowest delivered slot still retained (equal to {@link #nextSlot()} when none is). */
    public long retainedFirstSlot() {
        return retainedFirstSlot;
    }

    /** The next slot to deliver: everything below it is delivered. */
    public long nextSlot() {
        return nextSlot;
    }

    /** Hash chain over delivered batch digests up to {@code nextSlot() - 1}. */
    public Digest logHash() {
        return logHash;
    }

    /** Buffered slots: decided, waiting for an earlier one. */
    public int bufferedSlots() {
        return ready.size();
    }

    /** The highest buffered slot, or -1 if none. */
    public long highestBuffered() {
        return ready.isEmpty() ? -1 : ready.lastKey();
    }

    /** The lowest buffered slot, or -1 if none. */
    public long lowestBuffered() {
        return ready.isEmpty() ? -1 : ready.firstKey();
    }

    public int windowSlots() {
        return windowSlots;
    }
}
