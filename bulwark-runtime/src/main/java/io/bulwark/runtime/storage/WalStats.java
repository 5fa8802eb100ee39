package io.bulwark.runtime.storage;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one write-ahead log; safe to read from any thread. */
public final class WalStats {
    final LongAdder records = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder fsyncs = new LongAdder();
    final LongAdder fsyncNanos = new LongAdder();
    final AtomicLong fsyncNanosMax = new AtomicLong();
    final LongAdder compactions = new LongAdder();
    final AtomicLong liveBytes = new AtomicLong();

    void recordFsync(long nanos) {
        fsyncs.increment();
        fsyncNanos.add(nanos);
        fsyncNanosMax.accumulateAndGet(nanos, Math::max);
    }

    public long records() {
        return records.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long fsyncs() {
        return fsyncs.sum();
    }

    public long fsyncNanosTotal() {
        return fsyncNanos.sum();
    }

    /** Longest fsync since the last call, and resets it. */
    public long takeFsyncNanosMax() {
        return fsyncNanosMax.getAndSet(0);
    }

    public long compactions() {
        return compactions.sum();
    }

    /** Bytes of the segments a recovery would replay now. */
    public long liveBytes() {
        return liveBytes.get();
    }
}
