package io.bulwark.sim;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.message.WireLimits;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.firewall.FilterConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns (campaign settings, seed) into one non-interference check: which execution nodes are the
 * colluding adversaries (exactly g of them, all knowing the secret) and which leak strategy they
 * run, the network, and the two secrets. A pure function of its inputs, so that a failing seed
 * replays exactly. Agreement nodes are all correct here: they are part of the outside world
 * whose inputs are compared, not adversaries (a faulty agreement node could only pass on what
 * it receives, and that is what the check watches).
 *
 * <p>With a firewall (h ≥ 0) exactly h filters are faulty too, colluding with the execution
 * nodes: seed s runs filter strategy (s / n) mod m on all of them (n leak strategies, m filter
 * strategies), so consecutive seeds go through every pair.
 *
 * @param networkFaults    draw a chaotic network (loss, duplication, reordering, partitions, crashes before GST) in half the seeds
 * @param leakStrategies   strategies for the faulty execution nodes; seed s runs strategy s mod n on all of them
 * @param filterStrategies strategies for the faulty filters (with a firewall)
 * @param filterConfig     the filters' settings (with a firewall)
 */
public record NonInterferencePlan(ClusterSpec spec, FabConfig config, boolean networkFaults, List<ExecutionFault> leakStrategies,
        List<FilterFault> filterStrategies, FilterConfig filterConfig, int clients, long clientActiveNanos,
        NonInterferenceCheck.Scope scope) {

    /** Without faulty filters, the simulator's filter settings. */
    public NonInterferencePlan(ClusterSpec spec, FabConfig config, boolean networkFaults, List<ExecutionFault> leakStrategies,
            int clients, long clientActiveNanos, NonInterferenceCheck.Scope scope) {
        this(spec, config, networkFaults, leakStrategies, List.of(), SimPlan.simulatorFilterConfig(), clients, clientActiveNanos,
                scope);
    }

    private static final long MS = NetworkProfile.MS;
    /** A flow-control window the runs of a check never fill (a few hundred slots at most). */
    static final int UNBINDING_WINDOW_SLOTS = 1_024;
    /** A checkpoint interval no run of a check reaches. */
    static final int NO_CHECKPOINT_INTERVAL = 1 << 20;

    public NonInterferencePlan {
        if (spec.g() < 0) throw new IllegalArgumentException("the check needs an execution cluster (g >= 0)");
        leakStrategies = List.copyOf(leakStrategies);
        filterStrategies = List.copyOf(filterStrategies);
    }

    /** One seed's check: the options of run A (run B differs only in the secret). */
    public record Run(long seed, String label, Simulation.Options options, Bytes secretA, Bytes secretB) {}

    public Run forSeed(long seed, PrintStream trace) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x4E6F6E496E746572L);
        List<Simulation.ExecutionFaultAt> faults = new ArrayList<>();
        String label = "no adversary";
        if (spec.g() > 0 && !leakStrategies.isEmpty()) {
            ExecutionFault strategy = leakStrategies.get((int) Math.floorMod(seed, (long) leakStrategies.size()));
            label = strategy.name();
            List<Integer> ids = new ArrayList<>();
            while (ids.size() < spec.g()) {
                int id = spec.agreementNodes() + r.nextInt(spec.executionNodes());
                if (!ids.contains(id)) ids.add(id);
            }
            for (int id : ids) faults.add(new Simulation.ExecutionFaultAt(id, strategy));
        }
        List<Simulation.FilterFaultAt> filterFaults = new ArrayList<>();
        if (spec.h() > 0 && !filterStrategies.isEmpty()) {
            long n = Math.max(1, leakStrategies.size());
            FilterFault strategy = filterStrategies.get((int) Math.floorMod(Math.floorDiv(seed, n), (long) filterStrategies.size()));
            label += "/" + strategy.name();
            List<Integer> ids = new ArrayList<>();
            while (ids.size() < spec.h()) {
                int id = spec.filterNode(r.nextInt(spec.h() + 1), r.nextInt(spec.h() + 1));
                if (!ids.contains(id)) ids.add(id);
            }
            for (int id : ids) filterFaults.add(new Simulation.FilterFaultAt(id, strategy));
        }
        NetworkProfile net = NetworkProfile.stable();
        if (networkFaults && r.nextBoolean()) {
            long gst = (100 + r.nextInt(400)) * MS;
            // Loss, duplication and reordering, but no partitions and no crashes: those are events in time,
            // and a message that a timing difference moves across one is delivered in one run and not the
            // other — the timing channel again, not what this check compares. (The safety and liveness
            // campaigns run the firewall with partitions and crashes.)
            net = new NetworkProfile(gst, MS, 14 * MS / 10, (5 + r.nextInt(36)) * MS, r.nextDouble() * 0.15,
                    r.nextDouble() * 0.1, 0, 100 * MS, 0);
            label += "+network";
        }
        Bytes secretA = SimSecrets.value(seed, 0);
        Bytes secretB = SimSecrets.value(seed, 1);
        // Four client identities per client host take turns on a stable network, so that each gets several
        // replies (streams whose order the check compares); with losses a call can take a retransmission
        // timeout, and the next call of a busy identity would wait for it — timing leaking into when
        // requests are sent — so there every call has an identity of its own.
        int identities = net.chaotic() ? 0 : 4;
        // Without a firewall every execution checkpoint hands the agreement nodes a digest of the state:
        // the design's known leak, which the firewall removes. Those runs take no checkpoint, so what a
        // leak strategy gets out is what shows. (NonInterferenceCheckTest shows the digest leak itself.)
        ExecutionConfig executionConfig = spec.firewall() ? SimPlan.simulatorExecutionConfig()
                : SimPlan.simulatorExecutionConfig().withCheckpointInterval(NO_CHECKPOINT_INTERVAL);
        // Flow control is a timing channel that can turn into a content channel: with a tight window
        // the moments execution certificates come back decide where the leader cuts batches, and so
        // the slot a certificate names. The check compares contents, so the window must not bind here.
        FabConfig runConfig = config.withFirewallExecutionWindow(Math.max(config.firewallExecutionWindowSlots(),
                Math.min(config.retainedSlots(), UNBINDING_WINDOW_SLOTS)));
        // Checkpoint states carry the replies of as many slots as ordering may run ahead of certified ones.
        executionConfig = executionConfig.withRecentReplySlots(Math.max(executionConfig.recentReplySlots(),
                Math.min(runConfig.firewallExecutionWindowSlots(), WireLimits.QUERY_SLOTS_MAX)));
        Simulation.ExecutionSetup execution = new Simulation.ExecutionSetup(executionConfig, faults, 4, 0.5,
                secretA, Simulation.Workload.SCHEDULED, identities, filterConfig, filterFaults);
        Simulation.Options options = new Simulation.Options(spec, runConfig, seed, net, List.of(), clients, clientActiveNanos,
                30_000 * MS, 2_000 * MS, 300 * MS, 16, trace, execution);
        return new Run(seed, label, options, secretA, secretB);
    }

    /** Runs seed {@code seed}'s check. */
    public NonInterferenceCheck.Result check(long seed) {
        Run run = forSeed(seed, null);
        return NonInterferenceCheck.check(run.options(), run.secretA(), run.secretB(), scope);
    }
}
