package io.bulwark.sim;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
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
 * @param networkFaults   draw a chaotic network (loss, duplication, reordering, partitions, crashes before GST) in half the seeds
 * @param leakStrategies  strategies for the faulty execution nodes; seed s runs strategy s mod n on all of them
 */
public record NonInterferencePlan(ClusterSpec spec, FabConfig config, boolean networkFaults, List<ExecutionFault> leakStrategies,
        int clients, long clientActiveNanos, NonInterferenceCheck.Scope scope) {

    private static final long MS = NetworkProfile.MS;

    public NonInterferencePlan {
        if (spec.g() < 0) throw new IllegalArgumentException("the check needs an execution cluster (g >= 0)");
        leakStrategies = List.copyOf(leakStrategies);
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
        NetworkProfile net = NetworkProfile.stable();
        if (networkFaults && r.nextBoolean()) {
            long gst = (100 + r.nextInt(400)) * MS;
            net = new NetworkProfile(gst, MS, 14 * MS / 10, (5 + r.nextInt(36)) * MS, r.nextDouble() * 0.15,
                    r.nextDouble() * 0.1, r.nextDouble() * 0.4, (50 + r.nextInt(150)) * MS, r.nextDouble() * 0.3);
            label += "+network";
        }
        Bytes secretA = SimSecrets.value(seed, 0);
        Bytes secretB = SimSecrets.value(seed, 1);
        Simulation.ExecutionSetup execution = new Simulation.ExecutionSetup(SimPlan.simulatorExecutionConfig(), faults, 4, 0.5,
                secretA, Simulation.Workload.SCHEDULED);
        Simulation.Options options = new Simulation.Options(spec, config, seed, net, List.of(), clients, clientActiveNanos,
                30_000 * MS, 2_000 * MS, 300 * MS, 16, trace, execution);
        return new Run(seed, label, options, secretA, secretB);
    }

    /** Runs seed {@code seed}'s check. */
    public NonInterferenceCheck.Result check(long seed) {
        Run run = forSeed(seed, null);
        return NonInterferenceCheck.check(run.options(), run.secretA(), run.secretB(), scope);
    }
}
