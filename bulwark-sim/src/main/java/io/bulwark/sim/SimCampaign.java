package io.bulwark.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs many seeds of a {@link SimPlan} and sums them up per label (strategy and network).
 * Each run is single-threaded and deterministic; runs go in parallel on {@code threads}.
 */
public final class SimCampaign {
    /** Totals for one label. */
    public static final class Row {
        public long runs;
        public long decided;
        public long safety;
        public long liveness;
        public long fastPathViolations;
        public long fastPathSlots;
        public int fastPathDelaysMax = -1;
        public int fastPathDelaysMin = Integer.MAX_VALUE;
        public long messages;

        void add(SimResult r) {
            runs++;
            decided += r.decidedSlots();
            safety += r.safetyViolations().size();
            liveness += r.livenessViolations().size();
            fastPathViolations += r.fastPathViolations().size();
            fastPathSlots += r.fastPathSlots();
            if (r.fastPathSlots() > 0) {
                fastPathDelaysMax = Math.max(fastPathDelaysMax, r.fastPathDelaysMax());
                fastPathDelaysMin = Math.min(fastPathDelaysMin, r.fastPathDelaysMin());
            }
            messages += r.messages();
        }
    }

    /** A run that broke a checker, with what it takes to replay it. */
    public record Failure(long seed, String label, String faults, SimResult result) {}

    public record Report(Map<String, Row> rows, Row total, List<Failure> failures, long wallNanos) {}

    private SimCampaign() {}

    public static Report run(SimPlan plan, long firstSeed, int seeds, int threads, IntConsumer progress) {
        long start = System.nanoTime();
        Map<String, Row> rows = new TreeMap<>();
        Row total = new Row();
        List<Failure> failures = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<Object[]>> futures = new ArrayList<>();
            for (int i = 0; i < seeds; i++) {
                long seed = firstSeed + i;
                futures.add(pool.submit(() -> {
                    SimPlan.Run run = plan.forSeed(seed, null);
                    SimResult r;
                    try {
                        r = new Simulation(run.options()).run();
                    } catch (RuntimeException | AssertionError crash) {
                        // A core that throws is a node that crashes on some input: a bug to report, with its seed.
                        r = new SimResult(seed, 0, 0, 0, List.of("simulation crashed: " + crash), List.of(), List.of(),
                                0, -1, -1, 0, 0, 0, 0, "n/a", -1, -1, 0);
                    }
                    progress.accept(done.incrementAndGet());
                    return new Object[] {run, r};
                }));
            }
            for (Future<Object[]> f : futures) {
                Object[] pair = f.get();
                SimPlan.Run run = (SimPlan.Run) pair[0];
                SimResult r = (SimResult) pair[1];
                rows.computeIfAbsent(run.label(), k -> new Row()).add(r);
                total.add(r);
                if (!r.ok()) failures.add(new Failure(run.seed(), run.label(), SimPlan.describeFaults(run.options()), r));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a simulation run crashed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Report(rows, total, failures, System.nanoTime() - start);
    }
}
