package io.bulwark.cli;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.NonInterferenceCampaign;
import io.bulwark.sim.NonInterferenceCheck;
import io.bulwark.sim.NonInterferencePlan;
import io.bulwark.sim.SimCampaign;
import io.bulwark.sim.SimPlan;
import io.bulwark.sim.SimResult;
import io.bulwark.sim.Simulation;
import io.bulwark.sim.strategy.StrategyCatalogue;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FilterFault;
import io.bulwark.sim.filter.FilterFaultCatalogue;
import io.bulwark.sim.execution.ExecutionFaultCatalogue;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bulwark sim}: seeded runs of the deterministic simulator with checkers. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {
            "Runs the FaB agreement cluster (with --g an execution cluster, with --h a privacy firewall) in the",
            "deterministic simulator under network and Byzantine faults, checking agreement, validity, liveness,",
            "the two-step fast path and linearizability on every run; with --noninterference, that the outside",
            "world cannot tell two secrets apart.",
            "Each seed is one reproducible run; a failing run prints the command that replays it."
        })
public final class SimCommand implements Callable<Integer> {
    enum Protocol { fab, pbft }

    enum Fault { network, byzantine }

    @Spec
    CommandSpec spec;

    @Option(names = "--protocol", defaultValue = "fab", description = "Agreement protocol: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--f", defaultValue = "1", description = "Byzantine agreement nodes tolerated (default ${DEFAULT-VALUE}).")
    int f;

    @Option(names = "--t", defaultValue = "1", description = "Slow nodes the fast path survives, 0 <= t <= f (default ${DEFAULT-VALUE}).")
    int t;

    @Option(names = "--g", defaultValue = "-1", description = "Byzantine execution nodes tolerated: 2g+1 execution nodes run"
            + " the key-value store and clients' histories are checked for linearizability; -1 (default) for an"
            + " agreement cluster alone.")
    int g;

    @Option(names = "--h", defaultValue = "-1", description = "Byzantine filter nodes tolerated: a privacy firewall of (h+1)^2"
            + " filters between the execution nodes and the outside world (needs --g); -1 (default) for none.")
    int h;

    @Option(names = "--execution-strategy", description = "Make every faulty execution node run this strategy (see --list-strategies).")
    String executionStrategy;

    @Option(names = "--filter-strategy", description = "With --h: make every faulty filter run this strategy (see --list-strategies).")
    String filterStrategy;

    @Option(names = "--noninterference", description = "Run the non-interference check instead: each seed twice, with two"
            + " different secrets in the store and g execution nodes that know it running leak strategies (see"
            + " --list-strategies); what clients and agreement nodes receive must be identical (needs --g).")
    boolean noninterference;

    @Option(names = "--observe", defaultValue = "outside", description = "With --noninterference: whose inputs are compared:"
            + " outside (clients and agreement nodes, stream by stream; default), clients, strict (outside, and each"
            + " recipient's whole arrival order).")
    String observe;

    @Option(names = "--seeds", defaultValue = "100", description = "Number of seeded runs (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--first-seed", defaultValue = "1", description = "Seed of the first run (default ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(names = "--seed", description = "Run exactly this one seed (replays a campaign run).")
    Long seed;

    @Option(names = "--faults", split = ",", description = "Fault classes to draw: network, byzantine (default: both).")
    Set<Fault> faults;

    @Option(names = "--strategy", description = "Make every faulty node run this Byzantine strategy (see --list-strategies).")
    String strategy;

    @Option(names = "--list-strategies", description = "List the Byzantine strategies and exit.")
    boolean listStrategies;

    @Option(names = "--trace", description = "With --seed: print every message, delivery, crash and view change.")
    boolean trace;

    @Option(names = "--clients", defaultValue = "4", description = "Closed-loop clients per run (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration-ms", defaultValue = "300", description = "Virtual milliseconds during which clients submit requests (default ${DEFAULT-VALUE}).")
    long durationMs;

    @Option(names = "--threads", description = "Runs in parallel (default: available processors).")
    Integer threads;

    @Option(names = "--mutate", hidden = true, description = "Break one quorum size to show the checkers catch it, e.g. fast:-1.")
    String mutate;

    @Override
    public Integer call() {
        PrintStream out = spec.commandLine().getOut() == null ? System.out : new PrintStream(System.out, true);
        List<ByzantineStrategy> catalogue = StrategyCatalogue.all();
        if (listStrategies) {
            out.println("Agreement nodes (--strategy):");
            for (ByzantineStrategy s : catalogue) out.printf("  %-22s %s%n", s.name(), s.description());
            out.println("Execution nodes (--execution-strategy, with --g):");
            for (ExecutionFault s : ExecutionFaultCatalogue.all()) {
                if (!ExecutionFaultCatalogue.leaks().contains(s)) out.printf("  %-22s %s%n", s.name(), s.description());
            }
            out.println("Execution nodes that know the secret (--execution-strategy, with --g; what --noninterference runs):");
            for (ExecutionFault s : ExecutionFaultCatalogue.leaks()) out.printf("  %-22s %s%n", s.name(), s.description());
            out.println("Filters, colluding with the execution nodes (--filter-strategy, with --h):");
            for (FilterFault s : FilterFaultCatalogue.all()) out.printf("  %-22s %s%n", s.name(), s.description());
            return 0;
        }
        if (protocol != Protocol.fab) {
            throw new ParameterException(spec.commandLine(), "--protocol " + protocol + " is not implemented yet; use fab");
        }
        ClusterSpec cluster;
        try {
            cluster = new ClusterSpec(f, t, g, h);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (seeds < 1) throw new ParameterException(spec.commandLine(), "--seeds must be at least 1");
        if (clients < 1 || clients > 1000) throw new ParameterException(spec.commandLine(), "--clients must be in [1, 1000]");
        if (durationMs < 1 || durationMs > 600_000) throw new ParameterException(spec.commandLine(), "--duration-ms must be in [1, 600000]");
        if (trace && seed == null) throw new ParameterException(spec.commandLine(), "--trace needs --seed");
        Set<Fault> classes = faults == null ? EnumSet.allOf(Fault.class) : faults;
        List<ByzantineStrategy> strategies = catalogue;
        if (strategy != null) {
            try {
                strategies = List.of(StrategyCatalogue.byName(strategy));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<FilterFault> filterStrategies = FilterFaultCatalogue.all();
        if (filterStrategy != null) {
            if (h < 1) throw new ParameterException(spec.commandLine(), "--filter-strategy needs --h 1 or more (h faulty filters)");
            try {
                filterStrategies = List.of(FilterFaultCatalogue.byName(filterStrategy));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<ExecutionFault> executionStrategies = noninterference ? ExecutionFaultCatalogue.leaks() : ExecutionFaultCatalogue.all();
        if (executionStrategy != null) {
            if (g < 0) throw new ParameterException(spec.commandLine(), "--execution-strategy needs --g");
            try {
                executionStrategies = List.of(ExecutionFaultCatalogue.byName(executionStrategy));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        FabConfig config = SimPlan.simulatorConfig(f, t);
        if (mutate != null) {
            String[] parts = mutate.split(":");
            try {
                config = config.withQuorums(FabQuorums.of(f, t).mutated(parts[0], Integer.parseInt(parts[1])));
            } catch (RuntimeException e) {
                throw new ParameterException(spec.commandLine(), "--mutate wants QUORUM:DELTA, e.g. fast:-1 (" + e.getMessage() + ")");
            }
            System.err.println("warning: quorum sizes deliberately broken: " + config.quorums());
        }
        if (noninterference) {
            if (g < 0) throw new ParameterException(spec.commandLine(), "--noninterference needs --g (an execution cluster)");
            NonInterferenceCheck.Scope scope;
            try {
                scope = NonInterferenceCheck.Scope.valueOf(observe.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--observe must be outside, clients or strict");
            }
            boolean byzantine = classes.contains(Fault.byzantine);
            NonInterferencePlan plan = new NonInterferencePlan(cluster, config, classes.contains(Fault.network),
                    byzantine ? executionStrategies : List.of(), byzantine ? filterStrategies : List.of(),
                    SimPlan.simulatorFilterConfig(), clients, durationMs * 1_000_000L, scope);
            return seed != null ? checkOne(plan, out) : checkCampaign(plan, out);
        }
        SimPlan plan = new SimPlan(cluster, config, classes.contains(Fault.network), classes.contains(Fault.byzantine),
                strategies, executionStrategies, filterStrategies, clients, durationMs * 1_000_000L, 16);
        return seed != null ? runOne(plan, out) : runCampaign(plan, out);
    }

    private int runOne(SimPlan plan, PrintStream out) {
        SimPlan.Run run = plan.forSeed(seed, trace ? out : null);
        out.printf("seed %d: %s, %s, network %s%n", seed, run.label(), SimPlan.describeFaults(run.options()),
                run.options().network().chaotic() ? "chaotic until GST=" + run.options().network().gstNanos() / 1_000_000 + "ms" : "stable");
        SimResult r = new Simulation(run.options()).run();
        printViolations(out, r);
        if (g >= 0) {
            out.printf("key-value history: %d calls, %d answered, %s; replies %s message delays after PROPOSE%n",
                    r.requestsSubmitted(), r.requestsCompleted(), r.linearizability(),
                    delays(r.replyDelaysMax() < 0 ? 0 : 1, r.replyDelaysMin(), r.replyDelaysMax()));
        }
        out.printf("SIM runs=1 decided=%d safety_violations=%d liveness_violations=%d fast_path_delays=%s%n",
                r.decidedSlots(), r.safetyViolations().size(), r.livenessViolations().size(),
                delays(r.fastPathSlots(), r.fastPathDelaysMin(), r.fastPathDelaysMax()));
        return r.ok() ? 0 : 1;
    }

    private int runCampaign(SimPlan plan, PrintStream out) {
        int parallel = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
        // Progress on stderr: one rewritten line on a terminal, a line per 10% in logs.
        boolean terminal = System.console() != null;
        int step = Math.max(1, seeds / (terminal ? 100 : 10));
        long started = System.nanoTime();
        SimCampaign.Report report = SimCampaign.run(plan, firstSeed, seeds, parallel, done -> {
            if (done % step == 0 || done == seeds) {
                synchronized (System.err) {
                    System.err.printf(terminal ? "\r  %d/%d runs (%.0f s)" : "  %d/%d runs (%.0f s)%n", done, seeds,
                            (System.nanoTime() - started) / 1e9);
                    if (terminal && done == seeds) System.err.println();
                }
            }
        });
        out.printf("%n%-48s %6s %9s %7s %9s %10s %8s%n", "faults", "runs", "decided", "safety", "liveness", "fast-slots", "delays");
        for (Map.Entry<String, SimCampaign.Row> e : report.rows().entrySet()) {
            SimCampaign.Row row = e.getValue();
            out.printf("%-48s %6d %9d %7d %9d %10d %8s%n", e.getKey(), row.runs, row.decided, row.safety, row.liveness,
                    row.fastPathSlots, delays(row.fastPathSlots, row.fastPathDelaysMin, row.fastPathDelaysMax));
        }
        double seconds = report.wallNanos() / 1e9;
        out.printf("%n%d runs in %.1f s (%.1f seeds/s on %d threads), %d messages simulated%n", report.total().runs, seconds,
                report.total().runs / seconds, parallel, report.total().messages);
        for (SimCampaign.Failure failure : report.failures()) {
            out.printf("%nFAILED seed %d (%s; %s):%n", failure.seed(), failure.label(), failure.faults());
            printViolations(out, failure.result());
            out.printf("  replay: ./bulwark sim --protocol fab --f %d --t %d%s%s%s%s --seed %d --trace%n", f, t,
                    (g >= 0 ? " --g " + g + (executionStrategy == null ? "" : " --execution-strategy " + executionStrategy) : "")
                            + (h >= 0 ? " --h " + h + (filterStrategy == null ? "" : " --filter-strategy " + filterStrategy) : ""),
                    faults == null ? "" : " --faults " + String.join(",", faults.stream().map(Enum::name).sorted().toList()),
                    strategy == null ? "" : " --strategy " + strategy, mutate == null ? "" : " --mutate " + mutate,
                    failure.seed());
        }
        SimCampaign.Row total = report.total();
        long fastPathViolations = total.fastPathViolations;
        out.printf("SIM runs=%d decided=%d safety_violations=%d liveness_violations=%d fast_path_delays=%s%n", total.runs,
                total.decided, total.safety, total.liveness,
                delays(total.fastPathSlots, total.fastPathDelaysMin, total.fastPathDelaysMax));
        return total.safety == 0 && total.liveness == 0 && fastPathViolations == 0 ? 0 : 1;
    }

    private String replay() {
        return "./bulwark sim --noninterference --f " + f + " --t " + t + " --g " + g + (h >= 0 ? " --h " + h : "")
                + (executionStrategy == null ? "" : " --execution-strategy " + executionStrategy)
                + (filterStrategy == null ? "" : " --filter-strategy " + filterStrategy)
                + (faults == null ? "" : " --faults " + String.join(",", faults.stream().map(Enum::name).sorted().toList()))
                + " --observe " + observe + " --clients " + clients + " --duration-ms " + durationMs;
    }

    private int checkOne(NonInterferencePlan plan, PrintStream out) {
        NonInterferencePlan.Run run = plan.forSeed(seed, trace ? out : null);
        out.printf("seed %d: %s, %s, network %s, secrets %s / %s%n", seed, run.label(), SimPlan.describeFaults(run.options()),
                run.options().network().chaotic() ? "chaotic until GST=" + run.options().network().gstNanos() / 1_000_000 + "ms" : "stable",
                new String(run.secretA().toByteArray(), java.nio.charset.StandardCharsets.UTF_8),
                new String(run.secretB().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
        NonInterferenceCheck.Result r = NonInterferenceCheck.check(run.options(), run.secretA(), run.secretB(), plan.scope());
        out.println(r.describe());
        out.println("run A:");
        printViolations(out, r.runA());
        out.println("run B:");
        printViolations(out, r.runB());
        out.printf("NONINTERFERENCE seeds=1 leaks=%d timing_only=%d identical=%d run_violations=%d observed=%d%n",
                r.verdict() == NonInterferenceCheck.Verdict.LEAK ? 1 : 0, r.verdict() == NonInterferenceCheck.Verdict.TIMING_ONLY ? 1 : 0,
                r.verdict() == NonInterferenceCheck.Verdict.IDENTICAL ? 1 : 0, r.runsOk() ? 0 : 1, r.observedA() + r.observedB());
        return r.verdict() != NonInterferenceCheck.Verdict.LEAK && r.runsOk() ? 0 : 1;
    }

    private int checkCampaign(NonInterferencePlan plan, PrintStream out) {
        int parallel = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
        boolean terminal = System.console() != null;
        int step = Math.max(1, seeds / (terminal ? 100 : 10));
        long started = System.nanoTime();
        NonInterferenceCampaign.Report report = NonInterferenceCampaign.run(plan, firstSeed, seeds, parallel, done -> {
            if (done % step == 0 || done == seeds) {
                synchronized (System.err) {
                    System.err.printf(terminal ? "\r  %d/%d seeds (%.0f s)" : "  %d/%d seeds (%.0f s)%n", done, seeds,
                            (System.nanoTime() - started) / 1e9);
                    if (terminal && done == seeds) System.err.println();
                }
            }
        });
        out.printf("%n%-40s %6s %6s %12s %10s %15s%n", "leak strategy", "seeds", "leaks", "timing-only", "identical", "run-violations");
        for (Map.Entry<String, NonInterferenceCampaign.Row> e : report.rows().entrySet()) {
            NonInterferenceCampaign.Row row = e.getValue();
            out.printf("%-40s %6d %6d %12d %10d %15d%n", e.getKey(), row.seeds, row.leaks, row.timingOnly, row.identical,
                    row.runViolations);
        }
        NonInterferenceCampaign.Row total = report.total();
        double seconds = report.wallNanos() / 1e9;
        out.printf("%n%d seeds (%d runs) in %.1f s on %d threads, %d outside messages compared%n", total.seeds, 2 * total.seeds,
                seconds, parallel, total.observed);
        int shown = 0;
        for (NonInterferenceCampaign.Failure failure : report.failures()) {
            if (shown++ == 5) {
                out.printf("%n... %d more%n", report.failures().size() - 5);
                break;
            }
            out.printf("%nFAILED seed %d (%s; %s):%n  %s%n", failure.seed(), failure.label(), failure.faults(),
                    failure.result().describe());
            printViolations(out, failure.result().runA());
            printViolations(out, failure.result().runB());
            out.printf("  replay: %s --seed %d%n", replay(), failure.seed());
        }
        out.printf("NONINTERFERENCE seeds=%d leaks=%d timing_only=%d identical=%d run_violations=%d%n", total.seeds, total.leaks,
                total.timingOnly, total.identical, total.runViolations);
        return total.leaks == 0 && total.runViolations == 0 ? 0 : 1;
    }

    private static String delays(long slots, int min, int max) {
        if (slots == 0) return "none";
        return min == max ? Integer.toString(max) : min + ".." + max;
    }

    private static void printViolations(PrintStream out, SimResult r) {
        for (String v : r.safetyViolations()) out.println("  SAFETY   " + v);
        for (String v : r.livenessViolations()) out.println("  LIVENESS " + v);
        for (String v : r.fastPathViolations()) out.println("  FASTPATH " + v);
    }
}
