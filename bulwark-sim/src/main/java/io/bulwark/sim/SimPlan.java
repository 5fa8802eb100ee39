package io.bulwark.sim;

import io.bulwark.agreement.FabConfig;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.firewall.FilterConfig;
import io.bulwark.core.cluster.ClusterSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns (campaign settings, seed) into one run's {@link Simulation.Options}: which nodes are
 * faulty and how, and how the network misbehaves. A pure function of its inputs, so that
 * {@code --seed S} replays exactly the run that seed S was in a campaign.
 *
 * @param networkFaults    draw a chaotic network (loss, duplication, reordering, partitions, crashes before GST)
 * @param byzantineFaults  draw faulty nodes
 * @param strategies       strategies to draw from; one strategy means "all faulty nodes run it"
 * @param clientActiveNanos virtual time during which clients submit requests
 */
public record SimPlan(ClusterSpec spec, FabConfig config, boolean networkFaults, boolean byzantineFaults,
        List<ByzantineStrategy> strategies, List<ExecutionFault> executionStrategies, List<FilterFault> filterStrategies,
        int clients, long clientActiveNanos, int operationBytes) {

    /** Without faulty filters. */
    public SimPlan(ClusterSpec spec, FabConfig config, boolean networkFaults, boolean byzantineFaults,
            List<ByzantineStrategy> strategies, List<ExecutionFault> executionStrategies, int clients, long clientActiveNanos,
            int operationBytes) {
        this(spec, config, networkFaults, byzantineFaults, strategies, executionStrategies, List.of(), clients,
                clientActiveNanos, operationBytes);
    }

    /** An agreement-only plan (no execution cluster). */
    public SimPlan(ClusterSpec spec, FabConfig config, boolean networkFaults, boolean byzantineFaults,
            List<ByzantineStrategy> strategies, int clients, long clientActiveNanos, int operationBytes) {
        this(spec, config, networkFaults, byzantineFaults, strategies, List.of(), clients, clientActiveNanos, operationBytes);
    }

    private static final long MS = NetworkProfile.MS;

    /** Timeouts suited to the simulated LAN (about a millisecond per message). */
    public static FabConfig simulatorConfig(int f, int t) {
        return FabConfig.defaults(f, t)
                .withTimes(200 * MS, 200 * MS, 3_200 * MS, 10 * MS, 20 * MS)
                .withWindows(8, 64, 32, 256, 8_192);
    }

    /** Execution checkpoints often enough that runs of a few hundred slots certify several. */
    public static ExecutionConfig simulatorExecutionConfig() {
        return ExecutionConfig.defaults().withCheckpointInterval(16);
    }

    /**
     * Filter settings for the simulated LAN: 20 ms heartbeats (in step with the agreement and
     * execution nodes), certificates released at once.
     */
    public static FilterConfig simulatorFilterConfig() {
        return FilterConfig.defaults().withHeartbeatNanos(20 * MS);
    }

    /** What one seed does: the primary strategy (for tables), the faults and the network. */
    public record Run(long seed, String label, Simulation.Options options) {}

    public Run forSeed(long seed, PrintStream trace) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        boolean byzantine = byzantineFaults && spec.f() > 0 && !strategies.isEmpty() && (!networkFaults || r.nextInt(4) != 0);
        boolean network = networkFaults && (!byzantine || r.nextInt(4) != 0);

        List<Simulation.Fault> faults = new ArrayList<>();
        String label = "none";
        if (byzantine) {
            ByzantineStrategy primary = strategies.get((int) Math.floorMod(seed, (long) strategies.size()));
            label = primary.name();
            int count = 1 + r.nextInt(spec.f());
            List<Integer> ids = new ArrayList<>();
            // The first leader is node 0: make it faulty in half the runs, so leader strategies lead.
            if (r.nextBoolean()) ids.add(0);
            while (ids.size() < count) {
                int id = r.nextInt(spec.agreementNodes());
                if (!ids.contains(id)) ids.add(id);
            }
            for (int i = 0; i < ids.size(); i++) {
                ByzantineStrategy s = i == 0 || strategies.size() == 1 || r.nextBoolean()
                        ? primary
                        : strategies.get(r.nextInt(strategies.size()));
                faults.add(new Simulation.Fault(ids.get(i), s));
            }
        }
        Simulation.ExecutionSetup execution = null;
        if (spec.executionNodes() > 0) {
            List<Simulation.ExecutionFaultAt> executionFaults = new ArrayList<>();
            if (byzantineFaults && spec.g() > 0 && !executionStrategies.isEmpty() && r.nextInt(3) != 0) {
                int count = 1 + r.nextInt(spec.g());
                List<Integer> ids = new ArrayList<>();
                while (ids.size() < count) {
                    int id = spec.agreementNodes() + r.nextInt(spec.executionNodes());
                    if (!ids.contains(id)) ids.add(id);
                }
                for (int id : ids) {
                    executionFaults.add(new Simulation.ExecutionFaultAt(id, executionStrategies.get(r.nextInt(executionStrategies.size()))));
                }
                String names = executionFaults.stream().map(f -> f.fault().name()).distinct().sorted()
                        .reduce((x, y) -> x + "," + y).orElse("");
                label = label.equals("none") ? names : label + "+" + names;
            }
            List<Simulation.FilterFaultAt> filterFaults = new ArrayList<>();
            if (byzantineFaults && spec.h() > 0 && !filterStrategies.isEmpty() && r.nextInt(3) != 0) {
                int count = 1 + r.nextInt(spec.h());
                List<Integer> ids = new ArrayList<>();
                while (ids.size() < count) {
                    int id = spec.filterNode(r.nextInt(spec.h() + 1), r.nextInt(spec.h() + 1));
                    if (!ids.contains(id)) ids.add(id);
                }
                for (int id : ids) {
                    filterFaults.add(new Simulation.FilterFaultAt(id, filterStrategies.get(r.nextInt(filterStrategies.size()))));
                }
                String names = filterFaults.stream().map(f -> f.fault().name()).distinct().sorted()
                        .reduce((x, y) -> x + "," + y).orElse("");
                label = label.equals("none") ? names : label + "+" + names;
            }
            execution = new Simulation.ExecutionSetup(simulatorExecutionConfig(), executionFaults, 4, 0.5)
                    .withSecret(SimSecrets.value(seed, 0))
                    .withFilters(simulatorFilterConfig(), filterFaults);
        }
        NetworkProfile net = NetworkProfile.stable();
        if (network) {
            long gst = (100 + r.nextInt(400)) * MS;
            net = new NetworkProfile(gst, MS, 14 * MS / 10, (5 + r.nextInt(36)) * MS, r.nextDouble() * 0.15,
                    r.nextDouble() * 0.1, r.nextDouble() * 0.4, (50 + r.nextInt(150)) * MS, r.nextDouble() * 0.3);
            label = label.equals("none") ? "network" : label + "+network";
        }
        Simulation.Options options = new Simulation.Options(spec, config, seed, net, List.copyOf(faults), clients,
                clientActiveNanos, 30_000 * MS, 2_000 * MS, 300 * MS, operationBytes, trace, execution);
        return new Run(seed, label, options);
    }

    /** The faults of a run in words, for reports: "n0=equivocating-leader n3=silent". */
    public static String describeFaults(Simulation.Options o) {
        StringBuilder b = new StringBuilder();
        for (Simulation.Fault f : o.faults()) {
            if (!b.isEmpty()) b.append(' ');
            b.append('n').append(f.node()).append('=').append(f.strategy().name());
        }
        if (o.execution() != null) {
            for (Simulation.ExecutionFaultAt f : o.execution().faults()) {
                if (!b.isEmpty()) b.append(' ');
                b.append('n').append(f.node()).append('=').append(f.fault().name());
            }
            for (Simulation.FilterFaultAt f : o.execution().filterFaults()) {
                if (!b.isEmpty()) b.append(' ');
                b.append('n').append(f.node()).append('=').append(f.fault().name());
            }
        }
        return b.isEmpty() ? "no faulty nodes" : b.toString();
    }
}
