package io.bulwark.sim.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.NetworkProfile;
import io.bulwark.sim.SimResult;
import io.bulwark.sim.Simulation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every strategy of the catalogue, run by the largest number of faulty nodes the cluster
 * tolerates (f, all running it), must leave the protocol safe and live, on a well-behaved and
 * on a chaotic network. And the adversaries must have teeth: with a quorum one too small, the
 * equivocating leader must break agreement.
 *
 * <p>{@code -Dbulwark.sim.seeds=N} runs N seeds per combination instead of the default few.
 */
class StrategyCatalogueTest {
    private static final long MS = NetworkProfile.MS;
    private static final int SEEDS = Integer.getInteger("bulwark.sim.seeds", 4);
    private static final int MUTATION_SEEDS = 200;

    private static final int CLIENTS = 4;
    /**
     * Clients keep submitting for a second: with a faulty first leader the first view change
     * comes at about 520 ms (client timeout + request timeout), and the new leader's regime,
     * fast path included, must see traffic too.
     */
    private static final long CLIENT_ACTIVE = 1_000 * MS;
    private static final long LIVENESS_BOUND = 20_000 * MS;
    private static final long SETTLE = 500 * MS;
    private static final long CLIENT_TIMEOUT = 300 * MS;
    private static final int OPERATION_BYTES = 16;

    private record Shape(int f, int t) {
        ClusterSpec spec() {
            return ClusterSpec.agreementOnly(f, t);
        }

        @Override
        public String toString() {
            return "f=" + f + " t=" + t;
        }
    }

    private record Network(String name, NetworkProfile profile) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Shape> SHAPES = List.of(new Shape(1, 1), new Shape(2, 1));

    private static final List<Network> NETWORKS = List.of(
            new Network("stable", NetworkProfile.stable()),
            new Network("chaotic", new NetworkProfile(300 * MS, MS, 14 * MS / 10, 30 * MS, 0.1, 0.05, 0.3, 100 * MS, 0.3)));

    static FabConfig config(int f, int t) {
        return io.bulwark.sim.SimPlan.simulatorConfig(f, t); // the simulator's timing and windows, as every campaign uses
    }

    /**
     * f faulty nodes, node 0 (the first leader) always among them so that leader strategies
     * lead: in odd seeds the next leaders (0, 1, …), in even seeds random others.
     */
    static List<Integer> faultyNodes(ClusterSpec spec, long seed) {
        List<Integer> ids = new ArrayList<>();
        ids.add(0);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 11);
        while (ids.size() < spec.f()) {
            int id = seed % 2 == 1 ? ids.size() : r.nextInt(spec.agreementNodes());
            if (!ids.contains(id)) ids.add(id);
        }
        return ids;
    }

    static SimResult run(ClusterSpec spec, FabConfig cfg, ByzantineStrategy strategy, long seed, NetworkProfile net) {
        List<Simulation.Fault> faults = faultyNodes(spec, seed).stream()
                .map(id -> new Simulation.Fault(id, strategy))
                .toList();
        return new Simulation(new Simulation.Options(spec, cfg, seed, net, faults, CLIENTS, CLIENT_ACTIVE,
                LIVENESS_BOUND, SETTLE, CLIENT_TIMEOUT, OPERATION_BYTES, null)).run();
    }

    private static String describe(ByzantineStrategy s, Shape shape, Object net, long seed, SimResult r) {
        return s.name() + " " + shape + " " + net + " seed " + seed + " (faulty nodes "
                + faultyNodes(shape.spec(), seed) + "): safety " + r.safetyViolations() + ", liveness "
                + r.livenessViolations() + ", fast path " + r.fastPathViolations();
    }

    // ---------------------------------------------------------------- the catalogue itself

    @Test
    void namesAreUniqueKebabCaseAndEveryStrategyIsDescribed() {
        List<ByzantineStrategy> all = StrategyCatalogue.all();
        assertThat(all).hasSize(10);
        assertThat(new HashSet<>(StrategyCatalogue.names())).hasSize(all.size());
        for (ByzantineStrategy s : all) {
            assertThat(s.name()).matches("[a-z]+(-[a-z]+)*");
            assertThat(s.description()).isNotBlank().endsWith(".");
        }
        assertThat(StrategyCatalogue.names()).containsExactly("silent", "crash-recover", "equivocating-leader",
                "lying-acceptor", "forged-signatures", "replay", "stale-future-pn", "garbage-bytes",
                "stalling-leader", "twins");
    }

    @Test
    void byNameFindsEveryStrategyAndListsTheValidNamesOtherwise() {
        for (ByzantineStrategy s : StrategyCatalogue.all()) {
            assertThat(StrategyCatalogue.byName(s.name())).isSameAs(s);
        }
        assertThatThrownBy(() -> StrategyCatalogue.byName("polite"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("polite")
                .hasMessageContaining("equivocating-leader")
                .hasMessageContaining("twins");
    }

    // ---------------------------------------------------------------- safe and live against each

    @TestFactory
    Stream<DynamicTest> everyStrategyKeepsTheProtocolSafeAndLive() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ByzantineStrategy strategy : StrategyCatalogue.all()) {
            for (Shape shape : SHAPES) {
                for (Network net : NETWORKS) {
                    tests.add(DynamicTest.dynamicTest(strategy.name() + " " + shape + " " + net, () -> {
                        ClusterSpec spec = shape.spec();
                        FabConfig cfg = config(shape.f(), shape.t());
                        List<String> failures = LongStream.rangeClosed(1, SEEDS).parallel()
                                .mapToObj(seed -> {
                                    SimResult r = run(spec, cfg, strategy, seed, net.profile());
                                    return r.ok() ? null : describe(strategy, shape, net, seed, r);
                                })
                                .filter(Objects::nonNull)
                                .toList();
                        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + SEEDS + " runs failed:\n"
                                + String.join("\n", failures));
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void everyStrategyReplaysExactlyFromItsSeed() {
        Shape shape = new Shape(2, 1);
        NetworkProfile chaotic = NETWORKS.get(1).profile();
        for (ByzantineStrategy s : StrategyCatalogue.all()) {
            SimResult first = run(shape.spec(), config(2, 1), s, 7, chaotic);
            SimResult second = run(shape.spec(), config(2, 1), s, 7, chaotic);
            assertThat(second).as(s.name()).isEqualTo(first);
        }
    }

    // ---------------------------------------------------------------- the adversary has teeth

    /**
     * With one quorum one too small, f colluding equivocating leaders must make two correct
     * nodes deliver different batches for one slot within {@value #MUTATION_SEEDS} seeds: the
     * checkers (and the strategy) would miss a wrong threshold otherwise. Every threshold of
     * {@link FabQuorums} is covered; with the network on which the search is quickest.
     */
    @ParameterizedTest(name = "{0} quorum - 1, f={1} t={2}, {3} network")
    @CsvSource({
        "fast, 1, 1, stable", "fast, 2, 1, stable",
        "commit, 1, 1, stable", "commit, 2, 1, stable",
        "support, 1, 1, chaotic", "support, 2, 1, stable",
        "report, 1, 1, stable", "report, 2, 1, stable",
        "proof, 1, 1, chaotic", "proof, 2, 1, chaotic"})
    void equivocatingLeaderBreaksAgreementWhenAQuorumIsOneTooSmall(String quorum, int f, int t, String network) {
        ClusterSpec spec = ClusterSpec.agreementOnly(f, t);
        FabConfig broken = config(f, t).withQuorums(FabQuorums.of(f, t).mutated(quorum, -1));
        ByzantineStrategy strategy = StrategyCatalogue.byName("equivocating-leader");
        Network net = NETWORKS.stream().filter(n -> n.name().equals(network)).findFirst().orElseThrow();
        Shape shape = new Shape(f, t);
        String caught = null;
        int tried = 0;
        for (long seed = 1; seed <= MUTATION_SEEDS && caught == null; seed++) {
            tried++;
            SimResult r = run(spec, broken, strategy, seed, net.profile());
            if (!r.safetyViolations().isEmpty()) {
                caught = describe(strategy, shape, net + ", " + quorum + " quorum - 1", seed, r);
            }
        }
        System.out.println(caught == null
                ? "NOT caught in " + tried + " seeds: " + quorum + " - 1, " + shape + ", " + net
                : "caught after " + tried + " seed(s): " + caught);
        assertThat(caught).as("no safety violation with the %s quorum one too small (%s, %s) in %d seeds", quorum, shape,
                net, MUTATION_SEEDS).isNotNull();
    }
}
