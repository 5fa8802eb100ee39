package io.bulwark.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.sim.strategy.StrategyCatalogue;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The campaigns CI runs on every build: hundreds of seeds over the whole Byzantine catalogue
 * with a hostile network, zero violations allowed; and the same campaign with a broken quorum
 * size, which the checkers must catch.
 */
class SimCampaignTest {
    private static final long MS = NetworkProfile.MS;

    static SimPlan plan(int f, int t, FabQuorums quorums) {
        return new SimPlan(ClusterSpec.agreementOnly(f, t), SimPlan.simulatorConfig(f, t).withQuorums(quorums), true, true,
                StrategyCatalogue.all(), 4, 300 * MS, 16);
    }

    static String failures(SimCampaign.Report report, int f, int t) {
        return report.failures().stream()
                .map(x -> "seed " + x.seed() + " (" + x.faults() + "): " + x.result().safetyViolations() + " "
                        + x.result().livenessViolations() + " " + x.result().fastPathViolations()
                        + "\n  replay: ./bulwark sim --protocol fab --f " + f + " --t " + t + " --seed " + x.seed() + " --trace")
                .collect(Collectors.joining("\n"));
    }

    @ParameterizedTest(name = "f={0} t={1}: {2} seeds")
    @CsvSource({"1,1,300", "2,1,150", "1,0,100", "2,2,60"})
    void everyStrategyAndAHostileNetworkLeaveNoViolation(int f, int t, int seeds) {
        SimCampaign.Report report = SimCampaign.run(plan(f, t, FabQuorums.of(f, t)), 1, seeds, 2, done -> {});
        assertThat(report.failures()).as(failures(report, f, t)).isEmpty();
        assertThat(report.total().runs).isEqualTo(seeds);
        assertThat(report.total().decided).isGreaterThan(seeds * 10L);
        assertThat(report.total().fastPathSlots).as("runs where the fast path is promised").isGreaterThan(0);
        assertThat(report.total().fastPathDelaysMin).isEqualTo(2);
        assertThat(report.total().fastPathDelaysMax).isEqualTo(2);
    }

    /** The equivocating leader is the adversary that exploits a quorum one too small; it must win within 250 seeds (support-1, the hardest, first at seed 130). */
    @ParameterizedTest(name = "{0}{1} with f=1 t=1 is caught")
    @CsvSource({"fast,-1", "commit,-1", "support,-1", "report,-1"})
    void aBrokenQuorumSizeIsCaughtWithin250Seeds(String quorum, int delta) {
        SimPlan plan = new SimPlan(ClusterSpec.agreementOnly(1, 1),
                SimPlan.simulatorConfig(1, 1).withQuorums(FabQuorums.of(1, 1).mutated(quorum, delta)), true, true,
                java.util.List.of(StrategyCatalogue.byName("equivocating-leader")), 4, 300 * MS, 16);
        SimCampaign.Report report = SimCampaign.run(plan, 1, 250, 2, done -> {});
        assertThat(report.total().safety).as("safety violations with %s%+d", quorum, delta).isGreaterThan(0);
    }
}
