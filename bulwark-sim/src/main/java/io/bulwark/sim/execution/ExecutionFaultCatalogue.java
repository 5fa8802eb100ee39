package io.bulwark.sim.execution;

import io.bulwark.sim.ExecutionFault;
import java.util.List;
import java.util.stream.Collectors;

/** Every execution-node strategy the simulator knows, by name. */
public final class ExecutionFaultCatalogue {
    private ExecutionFaultCatalogue() {}

    private static final List<ExecutionFault> LEAKS = List.of(new LeakInReply(), new LeakUnsolicited(), new LeakBySigning(),
            new LeakMalformed(), new LeakByReplay(), new LeakByOrder());

    private static final List<ExecutionFault> ALL;

    static {
        List<ExecutionFault> all = new java.util.ArrayList<>(List.of(new SilentExecutor(), new WrongResults(),
                new WrongDigests(), new SlowExecutor(), new LyingStateTransfer()));
        all.addAll(LEAKS);
        ALL = List.copyOf(all);
    }

    /** Every strategy, the leaking ones last. */
    public static List<ExecutionFault> all() {
        return ALL;
    }

    /**
     * The strategies of nodes that know the secret and try to get it to the outside world: through
     * reply contents, unsolicited messages, the choice of whether and when to sign, malformed
     * messages, replays and ordering. The non-interference check runs these.
     */
    public static List<ExecutionFault> leaks() {
        return LEAKS;
    }

    public static ExecutionFault byName(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown execution strategy '" + name + "'; one of: "
                        + all().stream().map(ExecutionFault::name).collect(Collectors.joining(", "))));
    }
}
