package io.bulwark.core.message;

import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Objects;

/**
 * The value agreed on for one slot: requests in the order they will execute, and the time
 * the leader proposed with them (the only non-determinism an application may see; acceptors
 * check it is within a bound of their own clock). An empty batch is a no-op that fills a slot.
 *
 * <p>Immutable; its digest is computed once from its canonical encoding.
 */
public final class Batch {
    public static final Batch EMPTY = new Batch(0, List.of());

    private final long timeMillis;
    private final List<Request> requests;
    private volatile Digest digest;

    public Batch(long timeMillis, List<Request> requests) {
        Sequences.check(timeMillis, "timeMillis");
        if (requests.size() > WireLimits.BATCH_REQUESTS_MAX) throw new IllegalArgumentException("batch too large");
        this.timeMillis = timeMillis;
        this.requests = List.copyOf(requests);
    }

    public long timeMillis() {
        return timeMillis;
    }

    public List<Request> requests() {
        return requests;
    }

    public boolean isEmpty() {
        return requests.isEmpty();
    }

    public Digest digest() {
        Digest d = digest;
        if (d == null) {
            d = WireCodec.batchDigest(this);
            digest = d;
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && timeMillis == b.timeMillis && requests.equals(b.requests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeMillis, requests);
    }

    @Override
    public String toString() {
        return "Batch[" + requests.size() + " requests, t=" + timeMillis + ", " + digest() + "]";
    }
}
