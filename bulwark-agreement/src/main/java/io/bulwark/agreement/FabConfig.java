package io.bulwark.agreement;

import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.message.WireLimits;

/**
 * Tunables of an agreement node. Times are in nanoseconds of the host's clock (virtual time in
 * the simulator). Every queue and window is bounded by a value here.
 *
 * @param quorums              sizes from {@link FabQuorums#of}; the simulator may pass a mutated copy
 * @param pipelineSlots        slots a leader keeps in flight (proposed, not yet decided)
 * @param batchRequestsMax     requests per batch
 * @param checkpointInterval   slots between log checkpoints
 * @param logWindowSlots       slots above the stable checkpoint an acceptor will vote in
 * @param retainedSlots        delivered batches a learner keeps to answer peers that fell behind
 * @param pendingRequestsMax   requests a leader queues before it starts refusing new ones
 * @param requestTimeoutNanos  how long a known request may wait undecided before the leader is suspected
 * @param viewChangeTimeoutNanos first wait for a NewView; doubles after each failed leader change
 * @param viewChangeTimeoutMaxNanos cap on that doubling
 * @param slowPathDelayNanos   how long an acceptor waits for the fast path before signing its accept
 * @param heartbeatNanos       period of retransmission, gap checks and timeout checks
 * @param batchClockSkewMillis how far a proposed batch time may be from an acceptor's clock
 * @param executionWindowSlots with an execution cluster: slots a leader may propose beyond the
 *                             last checkpoint the execution cluster certified (flow control: a slow
 *                             execution cluster slows ordering instead of exhausting memory)
 */
public record FabConfig(
        FabQuorums quorums,
        int pipelineSlots,
        int batchRequestsMax,
        int checkpointInterval,
        int logWindowSlots,
        int retainedSlots,
        int pendingRequestsMax,
        long requestTimeoutNanos,
        long viewChangeTimeoutNanos,
        long viewChangeTimeoutMaxNanos,
        long slowPathDelayNanos,
        long heartbeatNanos,
        long batchClockSkewMillis,
        int executionWindowSlots) {

    public FabConfig {
        if (pipelineSlots < 1) throw new IllegalArgumentException("pipelineSlots < 1");
        if (batchRequestsMax < 1 || batchRequestsMax > WireLimits.BATCH_REQUESTS_MAX) throw new IllegalArgumentException("batchRequestsMax");
        if (checkpointInterval < 1) throw new IllegalArgumentException("checkpointInterval < 1");
        // The window must leave room for a checkpoint to become stable while the pipeline runs.
        if (logWindowSlots < pipelineSlots + 2 * checkpointInterval) throw new IllegalArgumentException("logWindowSlots too small");
        if (logWindowSlots > WireLimits.REPORT_SLOTS_MAX) throw new IllegalArgumentException("logWindowSlots exceeds report limit");
        if (retainedSlots < logWindowSlots) throw new IllegalArgumentException("retainedSlots < logWindowSlots");
        if (requestTimeoutNanos <= 0 || viewChangeTimeoutNanos <= 0 || slowPathDelayNanos <= 0 || heartbeatNanos <= 0) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (viewChangeTimeoutMaxNanos < viewChangeTimeoutNanos) throw new IllegalArgumentException("viewChangeTimeoutMaxNanos < base");
        if (executionWindowSlots < pipelineSlots || executionWindowSlots > retainedSlots) {
            // Beyond retainedSlots a slow execution node could no longer fetch what it misses.
            throw new IllegalArgumentException("executionWindowSlots must be in [pipelineSlots, retainedSlots]");
        }
    }

    /** Defaults for f, t on a LAN or loopback. */
    public static FabConfig defaults(int f, int t) {
        return new FabConfig(FabQuorums.of(f, t), 1, 512, 64, 256, 1024, 65_536,
                ms(2_000), ms(1_000), ms(8_000), ms(20), ms(20), 2_000, 512);
    }

    public FabConfig withQuorums(FabQuorums q) {
        return new FabConfig(q, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots);
    }

    public FabConfig withTimes(long requestTimeoutNanos, long viewChangeTimeoutNanos, long viewChangeTimeoutMaxNanos,
            long slowPathDelayNanos, long heartbeatNanos) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots);
    }

    public FabConfig withWindows(int pipelineSlots, int batchRequestsMax, int checkpointInterval, int logWindowSlots,
            int retainedSlots) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots);
    }

    public FabConfig withExecutionWindow(int executionWindowSlots) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots);
    }

    public static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
