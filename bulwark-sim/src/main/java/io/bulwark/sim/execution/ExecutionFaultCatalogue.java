package io.bulwark.sim.execution;

import io.bulwark.sim.ExecutionFault;
import java.util.List;
import java.util.stream.Collectors;

/** Every execution-node strategy the simulator knows, by name. */
public final class ExecutionFaultCatalogue {
    private ExecutionFaultCatalogue() {}

    public static List<ExecutionFault> all() {
        return List.of(new SilentExecutor(), new WrongResults(), new WrongDigests(), new SlowExecutor(),
                new LyingStateTransfer());
    }

    public static ExecutionFault byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown execution strategy '" + name + "'; one of: "
                        + all().stream().map(ExecutionFault::name).collect(Collectors.joining(", "))));
    }
}
