package io.bulwark.runtime.net;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Principal;
import java.util.function.Predicate;

/**
 * Who may talk to whom (docs/firewall.md, "Topology"). Without a firewall every node talks to
 * every node and every client. With one, the filter rows are the only path between the
 * execution cluster and the outside world:
 *
 * <pre>
 *   agreement node   agreement nodes, filter row 0, clients
 *   filter row r     rows r-1 and r+1 (row 0: agreement nodes and clients instead of row -1;
 *                    row h: execution nodes instead of row h+1)
 *   execution node   execution nodes, filter row h: nothing else
 *   client           agreement nodes, filter row 0
 * </pre>
 *
 * The relation is symmetric. The transports enforce it in both directions: they never dial a
 * peer outside it, refuse its connections, and drop (and count) any frame to or from it, so a
 * faulty execution node cannot reach a client or an agreement node even if its core tries.
 */
public final class Topology {
    private Topology() {}

    /** Whether {@code a} and {@code b} may exchange messages in a cluster of shape {@code spec}. */
    public static boolean linked(ClusterSpec spec, Principal a, Principal b) {
        if (a.kind() == Principal.Kind.CLIENT && b.kind() == Principal.Kind.CLIENT) return false;
        if (!spec.firewall()) return true;
        return reaches(spec, a, b) && reaches(spec, b, a);
    }

    /** The peers {@code self} may talk to. */
    public static Predicate<Principal> peersOf(ClusterSpec spec, Principal self) {
        return peer -> linked(spec, self, peer);
    }

    /** One direction of the table; {@link #linked} asks both, so the table needs no exact symmetry here. */
    private static boolean reaches(ClusterSpec spec, Principal from, Principal to) {
        if (from.kind() == Principal.Kind.CLIENT) {
            return to.kind() == Principal.Kind.NODE && (isAgreement(spec, to) || isFilterInRow(spec, to, 0));
        }
        int id = (int) from.id();
        if (spec.isAgreementNode(id)) {
            return to.kind() == Principal.Kind.CLIENT || isAgreement(spec, to) || isFilterInRow(spec, to, 0);
        }
        if (spec.isExecutionNode(id)) {
            return to.kind() == Principal.Kind.NODE && (isExecution(spec, to) || isFilterInRow(spec, to, spec.h()));
        }
        if (spec.isFilterNode(id)) {
            int row = spec.filterRow(id);
            if (row == 0 && (to.kind() == Principal.Kind.CLIENT || isAgreement(spec, to))) return true;
            if (row == spec.h() && isExecution(spec, to)) return true;
            return isFilterInRow(spec, to, row - 1) || isFilterInRow(spec, to, row + 1);
        }
        return false; // not a node of this cluster
    }

    private static boolean isAgreement(ClusterSpec spec, Principal p) {
        return p.kind() == Principal.Kind.NODE && p.id() <= Integer.MAX_VALUE && spec.isAgreementNode((int) p.id());
    }

    private static boolean isExecution(ClusterSpec spec, Principal p) {
        return p.kind() == Principal.Kind.NODE && p.id() <= Integer.MAX_VALUE && spec.isExecutionNode((int) p.id());
    }

    private static boolean isFilterInRow(ClusterSpec spec, Principal p, int row) {
        if (row < 0 || row > spec.h()) return false;
        if (p.kind() != Principal.Kind.NODE || p.id() > Integer.MAX_VALUE || !spec.isFilterNode((int) p.id())) return false;
        return spec.filterRow((int) p.id()) == row;
    }
}
