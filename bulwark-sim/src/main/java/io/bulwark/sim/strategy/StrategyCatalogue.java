package io.bulwark.sim.strategy;

import io.bulwark.sim.ByzantineStrategy;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every Byzantine strategy the simulator knows, by name (the names {@code --strategy NAME}
 * takes). Strategies are stateless factories: one instance serves any number of runs.
 */
public final class StrategyCatalogue {
    private static final List<ByzantineStrategy> ALL = List.of(
            new Silent(),
            new CrashRecover(),
            new EquivocatingLeader(),
            new LyingAcceptor(),
            new ForgedSignatures(),
            new Replay(),
            new StaleFuturePn(),
            new GarbageBytes(),
            new StallingLeader(),
            new Twins());

    private StrategyCatalogue() {}

    /** All strategies, in catalogue order. */
    public static List<ByzantineStrategy> all() {
        return ALL;
    }

    /** The names of all strategies, in catalogue order. */
    public static List<String> names() {
        return ALL.stream().map(ByzantineStrategy::name).toList();
    }

    /** The strategy called {@code name}; throws {@link IllegalArgumentException} listing the valid names. */
    public static ByzantineStrategy byName(String name) {
        for (ByzantineStrategy s : ALL) {
            if (s.name().equals(name)) return s;
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "'; one of "
                + ALL.stream().map(ByzantineStrategy::name).collect(Collectors.joining(", ")));
    }
}
