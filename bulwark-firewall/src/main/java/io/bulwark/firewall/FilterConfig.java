package io.bulwark.firewall;

import io.bulwark.core.message.WireLimits;

/**
 * Tunables of a filter ({@link FilterNode}). Times are in nanoseconds of the host's clock
 * (virtual time in the simulator). Every value that bounds memory is here.
 *
 * @param heartbeatNanos       period of the catch-up check (DECISION-QUERY down) and the unit of
 *                             every rate limit (one answered query per node above, one forwarded
 *                             retransmission per client, per heartbeat)
 * @param retainedSlots        ORDERED messages kept after passing them up: answers to DECISION-QUERY
 *                             from above, and the batches against which replies are checked (a)(b).
 *                             Must cover the agreement cluster's execution window (slots ordered but
 *                             not yet executed), or replies to the oldest of them are dropped
 * @param trackedSlots         the window [first missing slot, + trackedSlots) in which ORDERED is
 *                             accepted (row 0: signatures collected); at most {@code retainedSlots}
 * @param querySlots           slots asked for by one DECISION-QUERY
 * @param releaseIntervalNanos row 0 releases certificates only at multiples of this interval of its
 *                             clock (docs/firewall.md, Timing); 0 releases them at once
 * @param clientsMax           clients with per-client state (last request passed up, last certificate
 *                             sent, rate limit); the least recently used is forgotten beyond it
 */
public record FilterConfig(
        long heartbeatNanos,
        int retainedSlots,
        int trackedSlots,
        int querySlots,
        long releaseIntervalNanos,
        int clientsMax) {

    /** Upper bound on retainedSlots: each retained slot holds a batch and its replies. */
    public static final int RETAINED_SLOTS_MAX = 1 << 16;
    public static final int CLIENTS_MAX = 1 << 22;

    public FilterConfig {
        if (heartbeatNanos <= 0) throw new IllegalArgumentException("heartbeatNanos must be positive");
        if (retainedSlots < 1 || retainedSlots > RETAINED_SLOTS_MAX) {
            throw new IllegalArgumentException("retainedSlots not in [1, " + RETAINED_SLOTS_MAX + "]: " + retainedSlots);
        }
        if (trackedSlots < 1 || trackedSlots > retainedSlots) {
            throw new IllegalArgumentException("trackedSlots not in [1, retainedSlots=" + retainedSlots + "]: " + trackedSlots);
        }
        if (querySlots < 1 || querySlots > WireLimits.QUERY_SLOTS_MAX) {
            throw new IllegalArgumentException("querySlots not in [1, " + WireLimits.QUERY_SLOTS_MAX + "]: " + querySlots);
        }
        if (releaseIntervalNanos < 0) throw new IllegalArgumentException("releaseIntervalNanos must not be negative");
        if (clientsMax < 1 || clientsMax > CLIENTS_MAX) {
            throw new IllegalArgumentException("clientsMax not in [1, " + CLIENTS_MAX + "]: " + clientsMax);
        }
    }

    /** 100 ms heartbeats, 1024 retained slots, a 256-slot window, 64-slot queries, immediate release, 65536 clients. */
    public static FilterConfig defaults() {
        return new FilterConfig(ms(100), 1024, 256, 64, 0, 1 << 16);
    }

    public FilterConfig withHeartbeatNanos(long nanos) {
        return new FilterConfig(nanos, retainedSlots, trackedSlots, querySlots, releaseIntervalNanos, clientsMax);
    }

    /** Retained slots and the acceptance window (tracked ≤ retained). */
    public FilterConfig withSlots(int retained, int tracked) {
        return new FilterConfig(heartbeatNanos, retained, tracked, querySlots, releaseIntervalNanos, clientsMax);
    }

    public FilterConfig withQuerySlots(int slots) {
        return new FilterConfig(heartbeatNanos, retainedSlots, trackedSlots, slots, releaseIntervalNanos, clientsMax);
    }

    public FilterConfig withReleaseIntervalNanos(long nanos) {
        return new FilterConfig(heartbeatNanos, retainedSlots, trackedSlots, querySlots, nanos, clientsMax);
    }

    public FilterConfig withClientsMax(int clients) {
        return new FilterConfig(heartbeatNanos, retainedSlots, trackedSlots, querySlots, releaseIntervalNanos, clients);
    }

    public static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
