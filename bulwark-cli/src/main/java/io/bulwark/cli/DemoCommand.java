package io.bulwark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark demo}: the main job on an embedded local default. Until the networked service
 * exists this is the simulator: a FaB cluster with f = 1, t = 1 (six agreement nodes) run over
 * many seeds with faulty nodes from the whole Byzantine catalogue and a misbehaving network.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Shows Bulwark's FaB agreement surviving Byzantine nodes and a hostile network, in the simulator.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seeds", defaultValue = "60", description = "Seeded runs (default ${DEFAULT-VALUE}).")
    int seeds;

    @Override
    public Integer call() {
        System.out.println("""
                Bulwark demo: FaB Paxos with f=1, t=1 (a = 3f+2t+1 = 6 agreement nodes) in the deterministic simulator.
                Each run gives one node a Byzantine strategy (equivocating leader, lying acceptor, forged signatures,
                replays, twins, ...) and/or a network that loses, duplicates and reorders messages, partitions nodes
                and crashes them until it stabilises. Checkers verify agreement, validity, liveness after
                stabilisation, and that a correct leader decides in exactly two message delays.
                """);
        CommandLine sim = new CommandLine(new SimCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        return sim.execute("--protocol", "fab", "--f", "1", "--t", "1", "--seeds", Integer.toString(seeds),
                "--faults", "network,byzantine");
    }
}
