package io.bulwark.runtime.node;

import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.step.ProtocolCore;
import io.bulwark.firewall.FilterConfig;
import io.bulwark.firewall.FilterNode;
import io.bulwark.firewall.threshold.ShoupThresholdVerifier;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.storage.WalStats;
import java.util.List;

/**
 * A {@link FilterNode} of the privacy firewall. Filters keep no durable state, so there is no
 * log and nothing to recover: everything a filter holds can be had again from its neighbours.
 * A restarted filter learns the ordered slots again from the row below (its heartbeat
 * DECISION-QUERY, from its own first missing slot; the core jumps its window forward when the
 * row below no longer retains the early slots), and the replies from the row above (execution
 * nodes and filters re-send a slot's shares or replies while a request of it is retransmitted).
 * Forgetting what it passed down can make a restarted filter pass a certified slot down a second
 * time: the same bytes (threshold signatures are unique), which clients and agreement nodes
 * already accept twice. The data directory is unused.
 */
public final class FilterCore implements HostedCore {
    private final FilterNode node;
    private final WalStats noLog = new WalStats();
    private long reportedJumps;

    private FilterCore(FilterNode node) {
        this.node = node;
    }

    /**
     * @param signatures the agreement nodes' public keys (decision signatures), ideally the host's
     *                   cache that I/O threads pre-verify into
     */
    public static FilterCore open(ClusterConfig config, int self, FilterConfig filter, SignatureVerifier signatures) {
        if (!config.spec().isFilterNode(self)) throw new IllegalArgumentException("node-" + self + " is not a filter");
        return new FilterCore(new FilterNode(config.spec(), filter, self, signatures,
                new ShoupThresholdVerifier(config.thresholdPublicKey())));
    }

    public FilterNode node() {
        return node;
    }

    @Override
    public String role() {
        return "filter";
    }

    @Override
    public ProtocolCore core() {
        return node;
    }

    @Override
    public long persist(List<Object> records) {
        if (!records.isEmpty()) throw new IllegalStateException("a filter persists nothing, got " + records.size() + " record(s)");
        return 0;
    }

    @Override
    public void afterBatch() {
        // no log to compact
    }

    @Override
    public String status() {
        return "row=" + node.row() + " next-slot=" + node.nextSlot() + " passed up=" + node.orderedPassedUp() + " down="
                + node.repliesPassedDown() + " certificates sent/resent=" + node.certificatesSent() + "/" + node.certificatesResent()
                + " executed-certificates=" + node.executedCertificatesSent() + " combined=" + node.combinations()
                + " queries sent/answered=" + node.queriesSent() + "/" + node.queriesAnswered() + " dropped=" + node.droppedTotal()
                + (node.droppedTotal() > 0 ? " " + node.drops() : "");
    }

    @Override
    public String notableChange() {
        long jumps = node.windowJumps();
        if (jumps == reportedJumps) return null;
        reportedJumps = jumps;
        return "caught up by jumping to slot " + node.nextSlot() + " (" + node.skippedSlots() + " slot(s) skipped in all: the row below no"
                + " longer retains them)";
    }

    @Override
    public WalStats walStats() {
        return noLog;
    }

    @Override
    public long nextSlot() {
        return node.nextSlot();
    }

    @Override
    public void close() {
        // nothing durable
    }
}
