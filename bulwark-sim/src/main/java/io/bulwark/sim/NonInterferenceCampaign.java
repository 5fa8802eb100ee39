package io.bulwark.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs the non-interference check over many seeds of a {@link NonInterferencePlan}, in parallel, and sums up per label. */
public final class NonInterferenceCampaign {
    /** Totals for one label (leak strategy and network). */
    public static final class Row {
        public long seeds;
        public long leaks;
        public long timingOnly;
        public long identical;
        /** Seeds in which either run broke safety or liveness (the run's own checkers). */
        public long runViolations;
        public long observed;

        void add(NonInterferenceCheck.Result r) {
            seeds++;
            switch (r.verdict()) {
                case LEAK -> leaks++;
                case TIMING_ONLY -> timingOnly++;
                case IDENTICAL -> identical++;
            }
            if (!r.runsOk()) runViolations++;
            observed += r.observedA() + r.observedB();
        }
    }

    /** A seed that leaked or broke a run checker, with what it takes to replay it. */
    public record Failure(long seed, String label, String faults, NonInterferenceCheck.Result result) {}

    public record Report(Map<String, Row> rows, Row total, List<Failure> failures, long wallNanos) {}

    private NonInterferenceCampaign() {}

    public static Report run(NonInterferencePlan plan, long firstSeed, int seeds, int threads, IntConsumer progress) {
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
                    NonInterferencePlan.Run run = plan.forSeed(seed, null);
                    NonInterferenceCheck.Result r = NonInterferenceCheck.check(run.options(), run.secretA(), run.secretB(),
                            plan.scope());
                    progress.accept(done.incrementAndGet());
                    return new Object[] {run, r};
                }));
            }
            for (Future<Object[]> f : futures) {
                Object[] pair = f.get();
                NonInterferencePlan.Run run = (NonInterferencePlan.Run) pair[0];
                NonInterferenceCheck.Result r = (NonInterferenceCheck.Result) pair[1];
                rows.computeIfAbsent(run.label(), k -> new Row()).add(r);
                total.add(r);
                if (r.verdict() == NonInterferenceCheck.Verdict.LEAK || !r.runsOk()) {
                    failures.add(new Failure(run.seed(), run.label(), SimPlan.describeFaults(run.options()), r));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a check crashed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Report(rows, total, failures, System.nanoTime() - start);
    }
}
