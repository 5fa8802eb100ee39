package io.bulwark.execution;

import io.bulwark.core.message.WireLimits;

/**
 * Tunables of an execution node. Times are in nanoseconds of the host's clock (virtual time in
 * the simulator). Every value that bounds memory is here.
 *
 * @param checkpointInterval         K: a checkpoint after every slot s with (s + 1) mod K = 0; the
 *                                   same on every execution node (checkpoints must line up). The
 *                                   agreement leader proposes at most its {@code executionWindowSlots}
 *                                   beyond the last certified execution checkpoint, so K must be well
 *                                   below that window (at most half of it), or ordering stalls
 * @param trackedSlots               slots above the next one to execute that the embedded learner
 *                                   tracks votes for (faulty acceptors cannot make it hold more); in
 *                                   firewall mode, the ORDERED slots buffered above the next one
 * @param heartbeatNanos             period of gap checks, state-transfer checks and checkpoint re-sends
 * @param stateTransferPatience      heartbeats without delivery progress, while a certified checkpoint
 *                                   at or above the next slot is known, before asking a peer for state
 *                                   (and between two such requests)
 * @param checkpointsPerPeer         uncertified checkpoints kept per execution node (own states included)
 * @param checkpointResendHeartbeats every how many heartbeats the latest own checkpoint is re-sent,
 *                                   so that a node that missed it (cut off, restarted) can still
 *                                   learn that a certified checkpoint exists
 * @param shareRetentionSlots        firewall mode: REPLY-SHAREs of this many latest slots are kept to
 *                                   re-send when a filter forwards a client's retransmission (a
 *                                   nudge); a nudge for an older slot goes unanswered
 * @param shareRetentionBytes        firewall mode: and at most about this many bytes of them (sealed
 *                                   results plus shares); the latest share is always kept
 * @param recentReplySlots           firewall mode: the sealed replies of this many latest slots go into
 *                                   each checkpoint state (and at most {@link ExecutionState#RECENT_REPLY_BYTES_MAX}
 *                                   of them), so that a node that installs it by state transfer can still
 *                                   sign shares for slots it skipped. Part of the state, so the same on
 *                                   every execution node; at least the agreement cluster's
 *                                   {@code firewallExecutionWindowSlots}, which bounds how far ordering
 *                                   runs ahead of the slots whose replies are certified
 */
public record ExecutionConfig(
        int checkpointInterval,
        int trackedSlots,
        long heartbeatNanos,
        int stateTransferPatience,
        int checkpointsPerPeer,
        int checkpointResendHeartbeats,
        int shareRetentionSlots,
        long shareRetentionBytes,
        int recentReplySlots) {

    public static final int SHARE_RETENTION_SLOTS = 1024;
    public static final long SHARE_RETENTION_BYTES = 128L << 20;
    public static final int RECENT_REPLY_SLOTS = 64;

    public ExecutionConfig {
        if (checkpointInterval < 1) throw new IllegalArgumentException("checkpointInterval < 1");
        if (trackedSlots < 1 || trackedSlots > WireLimits.REPORT_SLOTS_MAX) throw new IllegalArgumentException("trackedSlots");
        if (heartbeatNanos <= 0) throw new IllegalArgumentException("heartbeatNanos must be positive");
        if (stateTransferPatience < 1) throw new IllegalArgumentException("stateTransferPatience < 1");
        if (checkpointsPerPeer < 1 || checkpointsPerPeer > 64) throw new IllegalArgumentException("checkpointsPerPeer not in [1, 64]");
        if (checkpointResendHeartbeats < 1) throw new IllegalArgumentException("checkpointResendHeartbeats < 1");
        if (shareRetentionSlots < 1) throw new IllegalArgumentException("shareRetentionSlots < 1");
        if (shareRetentionBytes < 0) throw new IllegalArgumentException("shareRetentionBytes < 0");
        if (recentReplySlots < 1 || recentReplySlots > WireLimits.QUERY_SLOTS_MAX) {
            throw new IllegalArgumentException("recentReplySlots not in [1, " + WireLimits.QUERY_SLOTS_MAX + "]");
        }
    }

    /** With the default {@value #RECENT_REPLY_SLOTS} recent-reply slots. */
    public ExecutionConfig(int checkpointInterval, int trackedSlots, long heartbeatNanos, int stateTransferPatience,
            int checkpointsPerPeer, int checkpointResendHeartbeats, int shareRetentionSlots, long shareRetentionBytes) {
        this(checkpointInterval, trackedSlots, heartbeatNanos, stateTransferPatience, checkpointsPerPeer,
                checkpointResendHeartbeats, shareRetentionSlots, shareRetentionBytes, RECENT_REPLY_SLOTS);
    }

    /** With the default share retention ({@value #SHARE_RETENTION_SLOTS} slots, 128 MiB). */
    public ExecutionConfig(int checkpointInterval, int trackedSlots, long heartbeatNanos, int stateTransferPatience,
            int checkpointsPerPeer, int checkpointResendHeartbeats) {
        this(checkpointInterval, trackedSlots, heartbeatNanos, stateTransferPatience, checkpointsPerPeer,
                checkpointResendHeartbeats, SHARE_RETENTION_SLOTS, SHARE_RETENTION_BYTES);
    }

    /** Defaults for a LAN or loopback, in step with the agreement defaults (K = 64, 20 ms heartbeats). */
    public static ExecutionConfig defaults() {
        return new ExecutionConfig(64, 256, ms(20), 10, 4, 16);
    }

    public ExecutionConfig withCheckpointInterval(int k) {
        return new ExecutionConfig(k, trackedSlots, heartbeatNanos, stateTransferPatience, checkpointsPerPeer,
                checkpointResendHeartbeats, shareRetentionSlots, shareRetentionBytes, recentReplySlots);
    }

    public ExecutionConfig withStateTransfer(int patience, int resendHeartbeats) {
        return new ExecutionConfig(checkpointInterval, trackedSlots, heartbeatNanos, patience, checkpointsPerPeer,
                resendHeartbeats, shareRetentionSlots, shareRetentionBytes, recentReplySlots);
    }

    public ExecutionConfig withShareRetention(int slots, long bytes) {
        return new ExecutionConfig(checkpointInterval, trackedSlots, heartbeatNanos, stateTransferPatience,
                checkpointsPerPeer, checkpointResendHeartbeats, slots, bytes, recentReplySlots);
    }

    public ExecutionConfig withRecentReplySlots(int slots) {
        return new ExecutionConfig(checkpointInterval, trackedSlots, heartbeatNanos, stateTransferPatience,
                checkpointsPerPeer, checkpointResendHeartbeats, shareRetentionSlots, shareRetentionBytes, slots);
    }

    public static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
