package io.bulwark.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.cluster.ClusterSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The simulator itself: determinism, the fault-free fast path, and a hostile network without Byzantine nodes. */
class SimulationTest {
    private static final long MS = NetworkProfile.MS;

    static SimPlan plan(int f, int t, boolean network) {
        return new SimPlan(ClusterSpec.agreementOnly(f, t), SimPlan.simulatorConfig(f, t), network, false, List.of(), 4,
                300 * MS, 16);
    }

    static String describe(SimResult r) {
        return "seed " + r.seed() + ": " + r.safetyViolations() + " " + r.livenessViolations() + " " + r.fastPathViolations()
                + " — replay: ./bulwark sim --seed " + r.seed() + " --trace";
    }

    @Test
    void oneSeedReplaysOneRunExactly() {
        SimPlan plan = plan(1, 1, true);
        SimResult first = new Simulation(plan.forSeed(17, null).options()).run();
        SimResult second = new Simulation(plan.forSeed(17, null).options()).run();
        assertThat(second).isEqualTo(first);
        SimResult other = new Simulation(plan.forSeed(18, null).options()).run();
        assertThat(other.messages()).isNotEqualTo(first.messages());
    }

    @Test
    void theTraceOfASeedIsIdenticalAcrossRuns() {
        SimPlan plan = plan(1, 1, true);
        assertThat(trace(plan, 5)).isEqualTo(trace(plan, 5)).contains("delivered slot 0");
    }

    private static String trace(SimPlan plan, long seed) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new Simulation(plan.forSeed(seed, out).options()).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "f={0} t={1}")
    @CsvSource({"1,1", "1,0", "2,1", "2,2"})
    void withoutFaultsEverySlotIsDecidedInTwoMessageDelays(int f, int t) {
        SimResult r = new Simulation(plan(f, t, false).forSeed(1, null).options()).run();
        assertThat(r.ok()).as(describe(r)).isTrue();
        assertThat(r.requestsCompleted()).isEqualTo(r.requestsSubmitted()).isGreaterThan(100);
        assertThat(r.fastPathSlots()).isGreaterThan(100);
        assertThat(r.fastPathDelaysMin()).isEqualTo(2);
        assertThat(r.fastPathDelaysMax()).isEqualTo(2);
    }

    @ParameterizedTest(name = "f={0} t={1}")
    @CsvSource({"1,1", "1,0", "2,1"})
    void aHostileNetworkWithCrashesNeverBreaksSafetyAndHealsAfterGst(int f, int t) {
        SimPlan plan = plan(f, t, true);
        for (long seed = 1; seed <= 15; seed++) {
            SimResult r = new Simulation(plan.forSeed(seed, null).options()).run();
            assertThat(r.ok()).as(describe(r)).isTrue();
            assertThat(r.requestsCompleted()).isEqualTo(r.requestsSubmitted());
        }
    }
}
