package io.bulwark.sim;

/**
 * How the simulated network misbehaves before the global stabilisation time (GST), and the
 * bound it keeps after. After GST every message between up nodes arrives, once, within
 * {@code [stableLatencyMinNanos, stableLatencyMaxNanos]}.
 *
 * @param gstNanos               virtual time at which the network stabilises
 * @param chaoticLatencyMaxNanos latency before GST is uniform in [stable min, this]
 * @param lossProbability        before GST
 * @param duplicateProbability   before GST
 * @param partitionProbability   chance per partition epoch (before GST) that a random minority is cut off
 * @param partitionEpochNanos    length of a partition epoch
 * @param crashProbability       chance that a correct node crashes (and later restarts) before GST
 */
public record NetworkProfile(
        long gstNanos,
        long stableLatencyMinNanos,
        long stableLatencyMaxNanos,
        long chaoticLatencyMaxNanos,
        double lossProbability,
        double duplicateProbability,
        double partitionProbability,
        long partitionEpochNanos,
        double crashProbability) {

    public static final long MS = 1_000_000L;

    /** A well-behaved network from the start: the regime in which the fast path is checked. */
    public static NetworkProfile stable() {
        return new NetworkProfile(0, 1 * MS, 14 * MS / 10, 14 * MS / 10, 0, 0, 0, 100 * MS, 0);
    }

    public boolean chaotic() {
        return gstNanos > 0;
    }
}
