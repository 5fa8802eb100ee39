package io.bulwark.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterSpecTest {

    @ParameterizedTest(name = "f={0} t={1} g={2} h={3}")
    @CsvSource({
        "-1, 0, -1, -1", // negative f
        "21, 0, -1, -1", // f above F_MAX
        "1, 2, -1, -1", // t > f
        "1, -1, -1, -1", // negative t
        "1, 1, -2, -1", // g below -1
        "1, 1, 21, -1", // g above G_MAX
        "1, 1, -1, 0", // firewall without an execution cluster
        "1, 1, 1, -2", // h below -1
        "1, 1, 1, 6", // h above H_MAX
    })
    void rejectsInvalidFaultBounds(int f, int t, int g, int h) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ClusterSpec(f, t, g, h));
    }

    @ParameterizedTest(name = "f={0} t={1} g={2} h={3}")
    @CsvSource({"0, 0, -1, -1", "1, 0, -1, -1", "1, 1, 0, -1", "20, 20, 20, 5", "2, 1, 1, 0"})
    void acceptsBoundaryFaultBounds(int f, int t, int g, int h) {
        assertThat(new ClusterSpec(f, t, g, h).f()).isEqualTo(f);
    }

    @Test
    void nodeCountsFollowFromTheFaultBounds() {
        ClusterSpec spec = new ClusterSpec(2, 1, 3, 2);
        assertThat(spec.agreementNodes()).isEqualTo(3 * 2 + 2 * 1 + 1);
        assertThat(spec.executionNodes()).isEqualTo(7);
        assertThat(spec.firewall()).isTrue();
        assertThat(spec.filterNodes()).isEqualTo(9);
        assertThat(spec.totalNodes()).isEqualTo(9 + 7 + 9);
        assertThat(spec.quorums()).isEqualTo(FabQuorums.of(2, 1));
        assertThat(spec.quorums().acceptors()).isEqualTo(spec.agreementNodes());

        ClusterSpec bare = ClusterSpec.agreementOnly(1, 1);
        assertThat(bare).isEqualTo(new ClusterSpec(1, 1, -1, -1));
        assertThat(bare.agreementNodes()).isEqualTo(6);
        assertThat(bare.executionNodes()).isZero();
        assertThat(bare.firewall()).isFalse();
        assertThat(bare.filterNodes()).isZero();
        assertThat(bare.totalNodes()).isEqualTo(6);
    }

    @Test
    void agreementNodesHoldTheFirstIds() {
        ClusterSpec spec = new ClusterSpec(1, 0, 1, -1);
        assertThat(spec.agreementNodeIds().toArray()).containsExactly(0, 1, 2, 3);
        assertThat(spec.isAgreementNode(0)).isTrue();
        assertThat(spec.isAgreementNode(3)).isTrue();
        assertThat(spec.isAgreementNode(4)).isFalse();
        assertThat(spec.isAgreementNode(-1)).isFalse();
    }

    @Test
    void leaderRotatesRoundRobinOverAgreementNodes() {
        ClusterSpec spec = ClusterSpec.agreementOnly(1, 1);
        int a = spec.agreementNodes();

        assertThat(IntStream.range(0, 2 * a).map(pn -> spec.leaderOf(pn)).toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5);
        for (long pn = 0; pn < 100; pn++) {
            assertThat(spec.leaderOf(pn + a)).isEqualTo(spec.leaderOf(pn));
            assertThat(spec.isAgreementNode(spec.leaderOf(pn))).isTrue();
        }
    }

    @Test
    void leaderOfLargeProposalNumbersStaysInRange() {
        ClusterSpec spec = new ClusterSpec(2, 1, -1, -1); // 9 agreement nodes
        assertThat(spec.leaderOf(Long.MAX_VALUE)).isEqualTo((int) (Long.MAX_VALUE % 9));
        assertThat(spec.leaderOf(Long.MAX_VALUE / 4)).isEqualTo((int) ((Long.MAX_VALUE / 4) % 9));
        assertThat(spec.leaderOf(-1)).isBetween(0, 8);
    }

    @Test
    void singleNodeClusterAlwaysLeads() {
        ClusterSpec spec = ClusterSpec.agreementOnly(0, 0);
        assertThat(spec.agreementNodes()).isEqualTo(1);
        assertThat(spec.leaderOf(0)).isZero();
        assertThat(spec.leaderOf(12345)).isZero();
    }

    @org.junit.jupiter.api.Test
    void filtersAreLaidOutRowByRowAfterTheExecutionNodes() {
        ClusterSpec spec = new ClusterSpec(1, 1, 1, 1); // 6 agreement, 3 execution, 2 rows of 2 filters
        org.assertj.core.api.Assertions.assertThat(spec.filterRows()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThat(spec.filterNode(0, 0)).isEqualTo(9);
        org.assertj.core.api.Assertions.assertThat(spec.filterNode(1, 1)).isEqualTo(12);
        org.assertj.core.api.Assertions.assertThat(spec.filterRow(11)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(spec.isFilterNode(8)).isFalse();
        org.assertj.core.api.Assertions.assertThat(spec.isExecutionNode(8)).isTrue();
        org.assertj.core.api.Assertions.assertThat(spec.executionNodeIds().toArray()).containsExactly(6, 7, 8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> spec.filterNode(2, 0)).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThat(ClusterSpec.agreementOnly(1, 1).filterRows()).isZero();
    }
}
