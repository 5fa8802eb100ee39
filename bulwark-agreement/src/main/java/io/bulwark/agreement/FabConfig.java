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
 * @param firewallExecutionWindowSlots the same window in firewall mode, beyond the last slot an
 *                             EXECUTED-CERTIFICATE proves executed. Smaller, because there the
 *                             execution cluster threshold-signs every slot (milliseconds each), so
 *                             its rate is bounded in slots, not requests: a leader held back by a
 *                             small window queues requests and proposes bigger batches, while a
 *                             large one keeps proposing small batches that execution works through
 *                             one signature at a time. It must still cover the slots executed during
 *                             one round trip through the filters (plus the filters' release interval),
 *                             or execution idles between certificates.
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
        int executionWindowSlots,
        int firewallExecutionWindowSlots) {

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
        if (firewallExecutionWindowSlots < pipelineSlots || firewallExecutionWindowSlots > retainedSlots) {
            throw new IllegalArgumentException("firewallExecutionWindowSlots must be in [pipelineSlots, retainedSlots]");
        }
    }

    /** Without the firewall window (it defaults to {@link #FIREWALL_EXECUTION_WINDOW_SLOTS}, capped by the execution window). */
    public FabConfig(FabQuorums quorums, int pipelineSlots, int batchRequestsMax, int checkpointInterval, int logWindowSlots,
            int retainedSlots, int pendingRequestsMax, long requestTimeoutNanos, long viewChangeTimeoutNanos,
            long viewChangeTimeoutMaxNanos, long slowPathDelayNanos, long heartbeatNanos, long batchClockSkewMillis,
            int executionWindowSlots) {
        this(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots, pendingRequestsMax,
                requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos, slowPathDelayNanos, heartbeatNanos,
                batchClockSkewMillis, executionWindowSlots,
                Math.max(pipelineSlots, Math.min(FIREWALL_EXECUTION_WINDOW_SLOTS, executionWindowSlots)));
    }

    /** Default {@link #firewallExecutionWindowSlots}: a few round trips through the filters at a few milliseconds per slot. */
    public static final int FIREWALL_EXECUTION_WINDOW_SLOTS = 16;

    /** Defaults for f, t on a LAN or loopback. */
    public static FabConfig defaults(int f, int t) {
        return new FabConfig(FabQuorums.of(f, t), 1, 512, 64, 256, 1024, 65_536,
                ms(2_000), ms(1_000), ms(8_000), ms(20), ms(20), 2_000, 512, FIREWALL_EXECUTION_WINDOW_SLOTS);
    }

    public FabConfig withQuorums(FabQuorums q) {
        return new FabConfig(q, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots,
                firewallExecutionWindowSlots);
    }

    public FabConfig withTimes(long requestTimeoutNanos, long viewChangeTimeoutNanos, long viewChangeTimeoutMaxNanos,
            long slowPathDelayNanos, long heartbeatNanos) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots,
                firewallExecutionWindowSlots);
    }

    /** The firewall execution window follows into [pipelineSlots, retainedSlots] if it falls outside. */
    public FabConfig withWindows(int pipelineSlots, int batchRequestsMax, int checkpointInterval, int logWindowSlots,
            int retainedSlots) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots,
                Math.min(retainedSlots, Math.max(pipelineSlots, firewallExecutionWindowSlots)));
    }

    public FabConfig withFirewallExecutionWindow(int firewallExecutionWindowSlots) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots,
                firewallExecutionWindowSlots);
    }

    public FabConfig withExecutionWindow(int executionWindowSlots) {
        return new FabConfig(quorums, pipelineSlots, batchRequestsMax, checkpointInterval, logWindowSlots, retainedSlots,
                pendingRequestsMax, requestTimeoutNanos, viewChangeTimeoutNanos, viewChangeTimeoutMaxNanos,
                slowPathDelayNanos, heartbeatNanos, batchClockSkewMillis, executionWindowSlots,
                firewallExecutionWindowSlots);
    }

    public static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
