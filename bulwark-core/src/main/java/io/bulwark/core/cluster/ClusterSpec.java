package io.bulwark.core.cluster;

import java.util.stream.IntStream;

/**
 * The shape of a Bulwark cluster: how many faults of each kind it tolerates, and from that,
 * how many nodes of each role it has and which node ids they get.
 *
 * <p>Node ids are dense and cluster-wide: agreement nodes first ({@code 0 .. a-1}), then
 * execution nodes ({@code a .. a+2g}), then filter nodes row by row. The agreement cluster
 * has {@code 3f+2t+1} nodes under FaB.
 *
 * @param f Byzantine agreement nodes tolerated
 * @param t agreement nodes that may be slow or silent without losing the two-step fast path (0 ≤ t ≤ f)
 * @param g Byzantine execution nodes tolerated (2g+1 execution nodes); -1 with no execution cluster
 *          (the agreement nodes are then the only learners)
 * @param h Byzantine filter nodes tolerated ((h+1)² filters); -1 with no firewall
 */
public record ClusterSpec(int f, int t, int g, int h) {
    /** Upper bounds that keep every loop and allocation over nodes bounded. */
    public static final int F_MAX = 20;
    public static final int G_MAX = 20;
    public static final int H_MAX = 5;

    public ClusterSpec {
        if (f < 0 || f > F_MAX) throw new IllegalArgumentException("f must be in [0, " + F_MAX + "], got " + f);
        if (t < 0 || t > f) throw new IllegalArgumentException("t must be in [0, f=" + f + "], got " + t);
        if (g < -1 || g > G_MAX) throw new IllegalArgumentException("g must be in [-1, " + G_MAX + "], got " + g);
        if (h >= 0 && g < 0) throw new IllegalArgumentException("a firewall needs an execution cluster (g >= 0)");
        if (h < -1 || h > H_MAX) throw new IllegalArgumentException("h must be in [-1, " + H_MAX + "], got " + h);
    }

    /** An agreement cluster alone (learners are the agreement nodes). */
    public static ClusterSpec agreementOnly(int f, int t) {
        return new ClusterSpec(f, t, -1, -1);
    }

    public FabQuorums quorums() {
        return FabQuorums.of(f, t);
    }

    public int agreementNodes() {
        return 3 * f + 2 * t + 1;
    }

    public int executionNodes() {
        return g < 0 ? 0 : 2 * g + 1;
    }

    public boolean firewall() {
        return h >= 0;
    }

    public int filterNodes() {
        return firewall() ? (h + 1) * (h + 1) : 0;
    }

    public int totalNodes() {
        return agreementNodes() + executionNodes() + filterNodes();
    }

    public boolean isAgreementNode(int nodeId) {
        return nodeId >= 0 && nodeId < agreementNodes();
    }

    public IntStream agreementNodeIds() {
        return IntStream.range(0, agreementNodes());
    }

    public boolean isExecutionNode(int nodeId) {
        return nodeId >= agreementNodes() && nodeId < agreementNodes() + executionNodes();
    }

    public IntStream executionNodeIds() {
        return IntStream.range(agreementNodes(), agreementNodes() + executionNodes());
    }

    /** Filters per row (and rows): h + 1. */
    public int filterRows() {
        return firewall() ? h + 1 : 0;
    }

    public boolean isFilterNode(int nodeId) {
        int first = agreementNodes() + executionNodes();
        return nodeId >= first && nodeId < first + filterNodes();
    }

    /**
     * The filter in {@code row} (0 next to the agreement cluster, h next to the execution
     * cluster) and {@code column}.
     */
    public int filterNode(int row, int column) {
        if (!firewall() || row < 0 || row > h || column < 0 || column > h) {
            throw new IllegalArgumentException("no filter at row " + row + ", column " + column);
        }
        return agreementNodes() + executionNodes() + row * (h + 1) + column;
    }

    /** The row of filter {@code nodeId}. */
    public int filterRow(int nodeId) {
        if (!isFilterNode(nodeId)) throw new IllegalArgumentException("not a filter: " + nodeId);
        return (nodeId - agreementNodes() - executionNodes()) / (h + 1);
    }

    /** The leader (proposer) of proposal number {@code pn}: round-robin over agreement nodes. */
    public int leaderOf(long pn) {
        return (int) Math.floorMod(pn, (long) agreementNodes());
    }
}
