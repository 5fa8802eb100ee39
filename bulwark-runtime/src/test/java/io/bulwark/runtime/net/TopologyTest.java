package io.bulwark.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Principal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {
    private static Principal n(int id) {
        return Principal.node(id);
    }

    private static final Principal CLIENT = Principal.client(3);

    @Test
    void firewallLinksFollowTheTable() {
        // f=1 t=1: agreement 0..5; g=1: execution 6..8; h=1: filters row 0 = 9, 10, row 1 = 11, 12
        ClusterSpec spec = new ClusterSpec(1, 1, 1, 1);
        int[] agreement = {0, 1, 2, 3, 4, 5};
        int[] execution = {6, 7, 8};
        int[] row0 = {9, 10};
        int[] row1 = {11, 12};
        for (int a : agreement) {
            assertThat(linkedTo(spec, n(a))).as("agreement node %d", a)
                    .containsExactlyInAnyOrder(concat(without(agreement, a), row0, "client"));
        }
        for (int e : execution) {
            assertThat(linkedTo(spec, n(e))).as("execution node %d", e).containsExactlyInAnyOrder(concat(without(execution, e), row1));
        }
        for (int f : row0) {
            assertThat(linkedTo(spec, n(f))).as("row-0 filter %d", f).containsExactlyInAnyOrder(concat(agreement, row1, "client"));
        }
        for (int f : row1) {
            assertThat(linkedTo(spec, n(f))).as("row-1 filter %d", f).containsExactlyInAnyOrder(concat(row0, execution));
        }
        assertThat(linkedTo(spec, CLIENT)).as("client").containsExactlyInAnyOrder(concat(agreement, row0));
    }

    @Test
    void middleRowsTalkOnlyToTheirNeighbours() {
        ClusterSpec spec = new ClusterSpec(0, 0, 0, 2); // agreement 0, execution 1, rows {2,3,4} {5,6,7} {8,9,10}
        assertThat(linkedTo(spec, n(6))).containsExactlyInAnyOrder("node-2", "node-3", "node-4", "node-8", "node-9", "node-10");
        assertThat(linkedTo(spec, n(2))).containsExactlyInAnyOrder("node-0", "node-5", "node-6", "node-7", "client");
        assertThat(linkedTo(spec, n(9))).containsExactlyInAnyOrder("node-1", "node-5", "node-6", "node-7");
        assertThat(linkedTo(spec, n(1))).containsExactlyInAnyOrder("node-8", "node-9", "node-10");
    }

    @Test
    void aSingleFilterRowIsBothEnds() {
        ClusterSpec spec = new ClusterSpec(0, 0, 0, 0); // agreement 0, execution 1, filter 2
        assertThat(linkedTo(spec, n(2))).containsExactlyInAnyOrder("node-0", "node-1", "client");
        assertThat(linkedTo(spec, n(1))).containsExactlyInAnyOrder("node-2");
        assertThat(Topology.linked(spec, n(0), n(1))).isFalse();
    }

    @Test
    void withoutAFirewallEveryNodeTalksToEveryone() {
        ClusterSpec spec = new ClusterSpec(1, 1, 1, -1);
        for (int a = 0; a < spec.totalNodes(); a++) {
            assertThat(Topology.linked(spec, n(a), CLIENT)).isTrue();
            for (int b = 0; b < spec.totalNodes(); b++) assertThat(Topology.linked(spec, n(a), n(b))).isTrue();
        }
        assertThat(Topology.linked(spec, CLIENT, Principal.client(4))).isFalse();
    }

    @Test
    void theRelationIsSymmetricAndUnknownNodesAreNotLinked() {
        ClusterSpec spec = new ClusterSpec(1, 0, 2, 2);
        List<Principal> all = new ArrayList<>();
        for (int i = 0; i < spec.totalNodes() + 2; i++) all.add(n(i));
        all.add(CLIENT);
        for (Principal a : all) {
            for (Principal b : all) assertThat(Topology.linked(spec, a, b)).as("%s-%s", a, b).isEqualTo(Topology.linked(spec, b, a));
            assertThat(Topology.linked(spec, a, n(spec.totalNodes()))).isFalse();
        }
    }

    private static List<String> linkedTo(ClusterSpec spec, Principal self) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < spec.totalNodes(); i++) {
            if (!n(i).equals(self) && Topology.linked(spec, self, n(i))) out.add(n(i).toString());
        }
        if (Topology.linked(spec, self, CLIENT)) out.add("client");
        return out;
    }

    private static int[] without(int[] ids, int id) {
        return java.util.Arrays.stream(ids).filter(x -> x != id).toArray();
    }

    private static String[] concat(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof int[] ids) {
                for (int i : ids) out.add(n(i).toString());
            } else {
                out.add((String) p);
            }
        }
        return out.toArray(String[]::new);
    }
}
