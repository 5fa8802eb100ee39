package io.bulwark.sim;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.sim.execution.ExecutionFaultCatalogue;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchTraceTest {
    @Test
    void trace() throws Exception {
        long seed = Long.getLong("seed", 130);
        String which = System.getProperty("leaks", "all");
        List<ExecutionFault> leaks = which.equals("all") ? ExecutionFaultCatalogue.leaks() : List.of(ExecutionFaultCatalogue.byName(which));
        NonInterferencePlan plan = new NonInterferencePlan(new ClusterSpec(1, 1, 1, 1), SimPlan.simulatorConfig(1, 1), true,
                leaks, 4, 1_000 * NetworkProfile.MS, NonInterferenceCheck.Scope.OUTSIDE);
        try (PrintStream out = new PrintStream("/tmp/trace-" + seed + ".txt")) {
            NonInterferencePlan.Run run = plan.forSeed(seed, out);
            NonInterferenceCheck.Result r = NonInterferenceCheck.check(run.options(), run.secretA(), run.secretB(), plan.scope());
            out.println(r.describe());
            System.out.println(run.label() + " " + SimPlan.describeFaults(run.options()) + " " + r.describe());
        }
    }
}
