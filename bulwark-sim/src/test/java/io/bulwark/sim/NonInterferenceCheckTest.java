package io.bulwark.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Reply;
import io.bulwark.sim.NonInterferenceCheck.Scope;
import io.bulwark.sim.NonInterferenceCheck.Verdict;
import io.bulwark.sim.execution.ExecutionFaultCatalogue;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The non-interference checker: it compares what it should, reports the first difference
 * precisely, stays quiet on a cluster that leaks nothing to the watched recipients, and catches
 * every leak strategy of the catalogue when no firewall stands in the way.
 */
class NonInterferenceCheckTest {
    private static final long MS = NetworkProfile.MS;
    private static final Bytes SECRET_A = Bytes.ofUtf8("Asecretsecretsec");
    private static final Bytes SECRET_B = Bytes.ofUtf8("Bsecretsecretsec");
    /** Seeds within which every leak strategy must be caught without a firewall. */
    private static final int LEAK_SEEDS = 5;

    static NonInterferencePlan plan(int g, int h, List<ExecutionFault> leaks, Scope scope) {
        return new NonInterferencePlan(new ClusterSpec(1, 1, g, h), SimPlan.simulatorConfig(1, 1), true, leaks, 4, 1_000 * MS,
                scope);
    }

    private static SimResult ok(long seed, long end) {
        return new SimResult(seed, 1, 1, 1, List.of(), List.of(), List.of(), 0, -1, -1, 0, 0, 0, end, "n/a", -1, -1, 0);
    }

    private static byte[] reply(long ts, String result) {
        return WireCodec.encode(new Reply(0, ts, ts, Bytes.ofUtf8(result)));
    }

    // ---------------------------------------------------------------- the comparison itself

    @Test
    void identicalRecordingsAreIdenticalAndShiftedArrivalsAreOnlyTiming() {
        NonInterferenceCheck.Recording a = new NonInterferenceCheck.Recording();
        NonInterferenceCheck.Recording b = new NonInterferenceCheck.Recording();
        for (NonInterferenceCheck.Recording r : List.of(a, b)) {
            r.received(10, Principal.node(7), Principal.client(0), reply(1, "x"));
            r.received(20, Principal.node(8), Principal.client(0), reply(1, "x"));
        }
        NonInterferenceCheck.Result same = NonInterferenceCheck.compare(1, a, b, SECRET_A, SECRET_B, ok(1, 100), ok(1, 100), Scope.OUTSIDE);
        assertThat(same.verdict()).isEqualTo(Verdict.IDENTICAL);
        assertThat(same.timing().compared()).isEqualTo(2);

        NonInterferenceCheck.Recording c = new NonInterferenceCheck.Recording();
        c.received(25, Principal.node(8), Principal.client(0), reply(1, "x")); // node 8's copy first, and later
        c.received(30, Principal.node(7), Principal.client(0), reply(1, "x"));
        NonInterferenceCheck.Result timing = NonInterferenceCheck.compare(1, a, c, SECRET_A, SECRET_B, ok(1, 100), ok(1, 100), Scope.OUTSIDE);
        assertThat(timing.verdict()).isEqualTo(Verdict.TIMING_ONLY);
        assertThat(timing.timing().shifted()).isEqualTo(2);
        assertThat(timing.timing().maxShiftNanos()).isEqualTo(20);
        assertThat(timing.timing().reordered()).isEqualTo(1);
        assertThat(NonInterferenceCheck.compare(1, a, c, SECRET_A, SECRET_B, ok(1, 100), ok(1, 100), Scope.STRICT).verdict())
                .as("a strict check counts the interleaving of streams too").isEqualTo(Verdict.LEAK);
    }

    @Test
    void theFirstDifferenceIsReportedWithRecipientIndexTypesAndBytes() {
        NonInterferenceCheck.Recording a = new NonInterferenceCheck.Recording();
        NonInterferenceCheck.Recording b = new NonInterferenceCheck.Recording();
        for (NonInterferenceCheck.Recording r : List.of(a, b)) {
            r.received(10, Principal.node(7), Principal.client(2), reply(1, "same"));
            r.received(11, Principal.client(2), Principal.node(0), reply(9, "request-ish"));
        }
        a.received(40, Principal.node(7), Principal.client(2), reply(2, "Asecretsecretsec"));
        b.received(40, Principal.node(7), Principal.client(2), reply(2, "Bsecretsecretsec"));
        a.received(50, Principal.node(8), Principal.node(3), new byte[] {9, 9, 9}); // later: not the first difference
        NonInterferenceCheck.Result r = NonInterferenceCheck.compare(5, a, b, SECRET_A, SECRET_B, ok(5, 100), ok(5, 100), Scope.OUTSIDE);
        assertThat(r.verdict()).isEqualTo(Verdict.LEAK);
        NonInterferenceCheck.Divergence d = r.divergence();
        assertThat(d.recipient()).isEqualTo(Principal.client(2));
        assertThat(d.sender()).isEqualTo(Principal.node(7));
        assertThat(d.type()).isEqualTo(WireCodec.REPLY);
        assertThat(d.index()).isEqualTo(1);
        assertThat(d.recipientIndexA()).isEqualTo(1);
        assertThat(d.carriesSecretA()).isTrue();
        assertThat(d.carriesSecretB()).isTrue();
        assertThat(d.describe()).contains("client-2 from node-7, REPLY #1").contains("CARRIES THE SECRET")
                .contains(java.util.HexFormat.of().formatHex("Asec".getBytes())).contains(java.util.HexFormat.of().formatHex("Bsec".getBytes()));

        // Messages after the earlier run's end are not compared.
        NonInterferenceCheck.Result cut = NonInterferenceCheck.compare(5, a, b, SECRET_A, SECRET_B, ok(5, 39), ok(5, 100), Scope.OUTSIDE);
        assertThat(cut.verdict()).isEqualTo(Verdict.IDENTICAL);
    }

    @Test
    void anExtraMessageIsALeakAtTheEndOfTheShorterStream() {
        NonInterferenceCheck.Recording a = new NonInterferenceCheck.Recording();
        NonInterferenceCheck.Recording b = new NonInterferenceCheck.Recording();
        a.received(10, Principal.node(7), Principal.node(1), new byte[] {7, 2, 3});
        NonInterferenceCheck.Result r = NonInterferenceCheck.compare(5, a, b, SECRET_A, SECRET_B, ok(5, 100), ok(5, 100), Scope.OUTSIDE);
        assertThat(r.verdict()).isEqualTo(Verdict.LEAK);
        assertThat(r.divergence().type()).isEqualTo(-1);
        assertThat(r.divergence().bytesB()).isNull();
        assertThat(r.divergence().describe()).contains("node-1 from node-7, RAW #0").contains("run B received nothing more");
        assertThat(NonInterferenceCheck.compare(5, a, b, SECRET_A, SECRET_B, ok(5, 100), ok(5, 100), Scope.CLIENTS).verdict())
                .as("agreement nodes unwatched").isEqualTo(Verdict.IDENTICAL);
    }

    // ---------------------------------------------------------------- whole runs, no firewall

    @Test
    void withoutAFirewallACorrectClusterShowsTheClientsNothingOfTheSecret() {
        NonInterferencePlan plan = plan(1, -1, List.of(), Scope.CLIENTS);
        for (long seed = 1; seed <= 12; seed++) {
            NonInterferenceCheck.Result r = plan.check(seed);
            assertThat(r.verdict()).as(r.describe()).isEqualTo(Verdict.IDENTICAL);
            assertThat(r.runsOk()).as("%s %s", r.runA().safetyViolations(), r.runA().livenessViolations()).isTrue();
            assertThat(r.runA().requestsCompleted()).isEqualTo(r.runA().requestsSubmitted()).isGreaterThan(50);
            assertThat(r.timing().compared()).isGreaterThan(100);
        }
    }

    /** The separated architecture without a firewall leaks by design: execution checkpoints carry a digest of the state. */
    @Test
    void withoutAFirewallTheAgreementNodesSeeTheStateDigest() {
        NonInterferenceCheck.Result r = plan(1, -1, List.of(), Scope.OUTSIDE).check(1);
        assertThat(r.verdict()).isEqualTo(Verdict.LEAK);
        assertThat(r.divergence().type()).isEqualTo(WireCodec.EXECUTION_CHECKPOINT);
        assertThat(new ClusterSpec(1, 1, 1, -1).isAgreementNode((int) r.divergence().recipient().id())).isTrue();
    }

    @Test
    void oneSeedGivesOneVerdict() {
        NonInterferencePlan plan = plan(1, -1, ExecutionFaultCatalogue.leaks(), Scope.CLIENTS);
        for (long seed : new long[] {3, 4}) {
            assertThat(plan.check(seed).describe()).isEqualTo(plan.check(seed).describe());
        }
    }

    /**
     * Every leak strategy, run by g = 1 execution node that knows the secret, gets it to the
     * clients within a few seeds when there is no firewall — through its own channel: the first
     * difference is in what the faulty node itself sent. The cluster stays safe and live.
     */
    @TestFactory
    Stream<DynamicTest> withoutAFirewallEveryLeakStrategyIsCaught() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ExecutionFault leak : ExecutionFaultCatalogue.leaks()) {
            tests.add(DynamicTest.dynamicTest(leak.name(), () -> {
                NonInterferencePlan plan = plan(1, -1, List.of(leak), Scope.CLIENTS);
                NonInterferenceCheck.Result caught = null;
                for (long seed = 1; seed <= LEAK_SEEDS && caught == null; seed++) {
                    NonInterferenceCheck.Result r = plan.check(seed);
                    assertThat(r.runsOk()).as("seed %d: %s %s", seed, r.runA().safetyViolations(), r.runA().livenessViolations()).isTrue();
                    if (r.verdict() == Verdict.LEAK) caught = r;
                }
                assertThat(caught).as("%s not caught in %d seeds", leak.name(), LEAK_SEEDS).isNotNull();
                List<Integer> faulty = plan.forSeed(caught.seed(), null).options().execution().faults().stream()
                        .map(Simulation.ExecutionFaultAt::node).toList();
                assertThat(caught.divergence().sender()).as(caught.describe())
                        .isIn(faulty.stream().map(Principal::node).toList());
                System.out.println(leak.name() + " without a firewall: " + caught.describe());
            }));
        }
        return tests.stream();
    }
}
