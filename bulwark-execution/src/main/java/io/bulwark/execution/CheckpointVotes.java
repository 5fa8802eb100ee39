package io.bulwark.execution;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.ExecutionCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Signed execution checkpoints not yet part of a certificate, at most {@code perNode} per
 * execution node (its highest slots; a node's first checkpoint for a slot counts, a second one
 * is ignored). A faulty node can only fill its own buffer, so it cannot push out the
 * checkpoints of correct nodes, and a node that is far behind still collects the checkpoints
 * of the nodes ahead of it, which is how it learns that it needs state transfer.
 */
final class CheckpointVotes {
    private final int firstNode;
    private final int perNode;
    private final List<TreeMap<Long, ExecutionCheckpoint>> byNode = new ArrayList<>();

    CheckpointVotes(int firstNode, int nodes, int perNode) {
        this.firstNode = firstNode;
        this.perNode = perNode;
        for (int i = 0; i < nodes; i++) byNode.add(new TreeMap<>());
    }

    boolean has(int node, long slot) {
        return byNode.get(node - firstNode).containsKey(slot);
    }

    /** Records {@code c}; returns how many distinct nodes now hold the same (slot, digest), or 0 if it was not kept. */
    int add(ExecutionCheckpoint c) {
        TreeMap<Long, ExecutionCheckpoint> mine = byNode.get(c.sender() - firstNode);
        if (mine.putIfAbsent(c.slot(), c) != null) return 0;
        while (mine.size() > perNode) mine.pollFirstEntry();
        if (!mine.containsKey(c.slot())) return 0;
        return matching(c.slot(), c.stateDigest()).size();
    }

    /** One checkpoint per node that signed (slot, digest), in node order. */
    List<ExecutionCheckpoint> matching(long slot, Digest digest) {
        List<ExecutionCheckpoint> out = new ArrayList<>();
        for (TreeMap<Long, ExecutionCheckpoint> m : byNode) {
            ExecutionCheckpoint c = m.get(slot);
            if (c != null && c.stateDigest().equals(digest)) out.add(c);
        }
        return out;
    }

    /** Forgets everything at or below a certified slot. */
    void forgetUpTo(long slot) {
        for (TreeMap<Long, ExecutionCheckpoint> m : byNode) m.headMap(slot, true).clear();
    }

    int size() {
        int n = 0;
        for (TreeMap<Long, ExecutionCheckpoint> m : byNode) n += m.size();
        return n;
    }
}
