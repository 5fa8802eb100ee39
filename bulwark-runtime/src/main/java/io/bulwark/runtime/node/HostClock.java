package io.bulwark.runtime.node;

/**
 * The time a host passes to its core: wall-clock nanoseconds (so that batch times agree across
 * nodes within the acceptors' skew bound), never going backwards even if the system clock does.
 * Protocol-thread confined.
 */
final class HostClock {
    private long last;

    long nowNanos() {
        long wall = System.currentTimeMillis() * 1_000_000L;
        if (wall > last) last = wall;
        return last;
    }
}
