package io.bulwark.client.core;

import java.time.Duration;

/**
 * Tunables of one client. Times are in nanoseconds of the host's monotonic clock.
 *
 * @param retransmitAfterNanos how long the first send (to the presumed leader) may go unanswered
 *                             before the request is sent to every peer ({@link ClientCore#peersOf})
 * @param backoffFactor        each further retransmission waits this many times longer than the
 *                             previous one (≥ 1)
 * @param retransmitMaxNanos   cap on the wait between retransmissions
 * @param callTimeoutNanos     how long a call may take, from submission (time spent queued behind
 *                             earlier calls included), before it fails with a timeout
 * @param maxQueuedCalls       calls that may be queued or outstanding at once; a submission
 *                             beyond it fails immediately
 */
public record ClientConfig(
        long retransmitAfterNanos,
        double backoffFactor,
        long retransmitMaxNanos,
        long callTimeoutNanos,
        int maxQueuedCalls) {

    /** Upper bound on {@link #maxQueuedCalls}: keeps the client's memory bounded by configuration. */
    public static final int MAX_QUEUED_CALLS_LIMIT = 1 << 20;

    public ClientConfig {
        if (retransmitAfterNanos <= 0) throw new IllegalArgumentException("retransmitAfterNanos must be positive");
        if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
            throw new IllegalArgumentException("backoffFactor must be a finite number >= 1, got " + backoffFactor);
        }
        if (retransmitMaxNanos < retransmitAfterNanos) {
            throw new IllegalArgumentException("retransmitMaxNanos must be >= retransmitAfterNanos");
        }
        if (callTimeoutNanos <= 0) throw new IllegalArgumentException("callTimeoutNanos must be positive");
        if (maxQueuedCalls < 1 || maxQueuedCalls > MAX_QUEUED_CALLS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxQueuedCalls must be in [1, " + MAX_QUEUED_CALLS_LIMIT + "], got " + maxQueuedCalls);
        }
    }

    /**
     * Defaults for a LAN: first retransmission after 250 ms (half the agreement nodes' default
     * request timeout, so that every node watches the request before the leader is suspected),
     * doubling up to 4 s; calls time out after 10 s; 1024 calls queued at most.
     */
    public static ClientConfig defaults() {
        // The first wait is a second: long enough that a loaded cluster is not flooded with
        // retransmissions (every copy costs the nodes a check), short enough to route around a dead leader.
        return new ClientConfig(ms(1_000), 2.0, ms(4_000), ms(10_000), 1024);
    }

    public ClientConfig withRetransmit(long afterNanos, double factor, long maxNanos) {
        return new ClientConfig(afterNanos, factor, maxNanos, callTimeoutNanos, maxQueuedCalls);
    }

    public ClientConfig withCallTimeout(long nanos) {
        return new ClientConfig(retransmitAfterNanos, backoffFactor, retransmitMaxNanos, nanos, maxQueuedCalls);
    }

    public ClientConfig withMaxQueuedCalls(int calls) {
        return new ClientConfig(retransmitAfterNanos, backoffFactor, retransmitMaxNanos, callTimeoutNanos, calls);
    }

    public Duration callTimeout() {
        return Duration.ofNanos(callTimeoutNanos);
    }

    /** The wait after one of {@code previousNanos}: multiplied by the factor, capped (no overflow). */
    long nextRetransmitWait(long previousNanos) {
        double next = previousNanos * backoffFactor;
        return next >= retransmitMaxNanos ? retransmitMaxNanos : Math.max(previousNanos, (long) next);
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
