package io.bulwark.sim;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.sim.execution.ExecutionFaultCatalogue;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchNiTest {
    @Test
    void explore() {
        int seeds = Integer.getInteger("seeds", 6);
        String which = System.getProperty("leaks", "none");
        List<ExecutionFault> leaks = which.equals("none") ? List.of() : which.equals("all") ? ExecutionFaultCatalogue.leaks()
                : List.of(ExecutionFaultCatalogue.byName(which));
        int h = Integer.getInteger("h", 1);
        String fs = System.getProperty("filters", "all");
        List<FilterFault> filters = fs.equals("none") ? List.of() : fs.equals("all") ? io.bulwark.sim.filter.FilterFaultCatalogue.all()
                : List.of(io.bulwark.sim.filter.FilterFaultCatalogue.byName(fs));
        NonInterferencePlan plan = new NonInterferencePlan(new ClusterSpec(1, 1, 1, h), SimPlan.simulatorConfig(1, 1),
                Boolean.parseBoolean(System.getProperty("net", "true")), leaks, filters, SimPlan.simulatorFilterConfig(), 4,
                1_000 * NetworkProfile.MS, NonInterferenceCheck.Scope.valueOf(System.getProperty("scope", "OUTSIDE")));
        int leaksFound = 0, timing = 0, bad = 0;
        for (long seed = 1; seed <= seeds; seed++) {
            long t0 = System.nanoTime();
            NonInterferenceCheck.Result r = plan.check(seed);
            if (r.verdict() == NonInterferenceCheck.Verdict.LEAK) leaksFound++;
            if (r.verdict() == NonInterferenceCheck.Verdict.TIMING_ONLY) timing++;
            if (!r.runsOk()) bad++;
            if (seeds <= 10 || Boolean.getBoolean("all") || r.verdict() == NonInterferenceCheck.Verdict.LEAK || !r.runsOk())
            System.out.println(plan.forSeed(seed, null).label() + " " + r.describe() + " ok=" + r.runsOk() + " " + r.runA().requestsCompleted() + "/"
                    + r.runA().requestsSubmitted() + " obs=" + r.observedA() + " offlink=" + r.runA().offLinkMessages() + " " + (System.nanoTime() - t0) / 1_000_000 + "ms "
                    + r.runA().safetyViolations() + r.runA().livenessViolations() + r.runA().fastPathViolations());
        }
        System.out.println("TOTAL leaks=" + leaksFound + " timing=" + timing + " bad=" + bad + " of " + seeds);
    }
}
