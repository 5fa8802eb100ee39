package io.bulwark.sim.linearizability;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Checks a {@link History} of key-value operations for linearizability against the semantics of
 * {@link io.bulwark.kv.KvStateMachine} (allow-all policy, empty initial store).
 *
 * <h2>Method</h2>
 * <ol>
 *   <li><b>Clean-up.</b> Operations the store refused ({@link KvResult.Error} with a store code)
 *       had no effect and are dropped; so are pending reads (no effect, nothing observed). An
 *       error {@code UNEXPECTED_REPLY} is client-side and counts as pending.
 *   <li><b>Partitioning (P-compositionality).</b> A history of single-key operations on a map is
 *       linearizable iff each key's sub-history is (Herlihy &amp; Wing's locality, as used by
 *       Horn &amp; Kroening's P-compositionality), so each key is checked on its own. A scan reads
 *       a range: it joins into one partition every key of the history in its range (and the
 *       partition is checked against a multi-key model), so locality still applies between
 *       partitions. Keys that no operation writes are absent throughout.
 *   <li><b>Search.</b> Each partition runs the Wing &amp; Gong search with Lowe's memoization of
 *       (linearized set as a bitset, model state) — see {@link WglSearch}. Pending operations may
 *       take effect anywhere after their invocation, or never.
 *   <li><b>Bounds.</b> Linearizability checking is NP-complete; each partition's search stops
 *       after {@link Limits#maxStepsPerPartition} steps and is then reported as undecided
 *       ({@link CheckResult.Verdict#UNKNOWN} unless another partition has a violation).
 *   <li><b>Explanation.</b> For a partition that is not linearizable, the witness is shrunk.
 *       First the history is cut where the search got stuck (operations invoked later dropped,
 *       those returning later made pending): linearizability is prefix-closed, so a
 *       non-linearizable prefix is a witness. Then completed operations are relaxed, reads
 *       first: a relaxed read is dropped, a relaxed write may take effect within its interval
 *       or not at all (its result ignored). Once the reads are done, a witness whose joining
 *       scans are gone is split by keys again and one group that still violates is kept. A
 *       relaxation is kept if the history stays
 *       non-linearizable; chunks of halving size are tried first, as in delta debugging, so that
 *       long histories shrink in few searches, and the last pass goes one at a time. Relaxing
 *       only adds behaviours, so the shrunk witness still proves the original history wrong,
 *       and none of its completed operations can be relaxed alone. Shrinking is bounded by
 *       {@link Limits#maxMinimizationSteps}; one attempt gets a twentieth of it, or twice the
 *       steps of the last search that showed a violation if that is more.
 * </ol>
 * Deterministic: the same history always gives the same result.
 */
public final class LinearizabilityChecker {

    /**
     * Bounds on the work of one check.
     *
     * @param maxStepsPerPartition search steps before a partition is declared undecided (memory
     *                             grows with the steps taken: one remembered configuration per
     *                             backtrack, a bitset over the partition's operations each)
     * @param maxMinimizationSteps search steps, per violating partition, spent shrinking its
     *                             witness (0: report every completed operation of the partition);
     *                             one attempt gets at most a twentieth of it, or twice what the
     *                             last successful search took if that is more
     */
    public record Limits(long maxStepsPerPartition, long maxMinimizationSteps) {
        public static final Limits DEFAULTS = new Limits(1_000_000, 2_000_000);

        public Limits {
            if (maxStepsPerPartition < 1) throw new IllegalArgumentException("maxStepsPerPartition " + maxStepsPerPartition);
            if (maxMinimizationSteps < 0) throw new IllegalArgumentException("maxMinimizationSteps " + maxMinimizationSteps);
        }
    }

    private LinearizabilityChecker() {}

    public static CheckResult check(History history) {
        return check(history, Limits.DEFAULTS);
    }

    public static CheckResult check(History history, Limits limits) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(limits, "limits");

        // 1. clean-up
        List<Relevant> relevant = new ArrayList<>();
        for (History.Operation o : history.operations()) {
            KvResult observed = o.result();
            if (observed instanceof KvResult.Error e) {
                if (e.code() != KvErrorCode.UNEXPECTED_REPLY) continue; // refused: no effect
                observed = null;
            }
            if (observed == null && isRead(o.operation())) continue;
            relevant.add(new Relevant(o, observed));
        }

        // 2. partitions: union-find over the history's keys, scans join their ranges
        TreeSet<Bytes> universe = new TreeSet<>();
        for (Relevant r : relevant) {
            Bytes key = singleKey(r.source.operation());
            if (key != null) universe.add(key);
            if (r.observed instanceof KvResult.ScanResult s) {
                for (Map.Entry<Bytes, Bytes> e : s.entries()) universe.add(e.getKey());
            }
        }
        List<Bytes> keys = new ArrayList<>(universe);
        Map<Bytes, Integer> index = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) index.put(keys.get(i), i);
        int[] parent = new int[keys.size()];
        for (int i = 0; i < parent.length; i++) parent[i] = i;

        // nextOpen[i]: the smallest j >= i such that keys j-1 and j are not joined yet (path-compressed),
        // so that overlapping scans cost about the number of keys, not keys times scans
        int[] nextOpen = new int[keys.size() + 1];
        for (int i = 0; i < nextOpen.length; i++) nextOpen[i] = i;
        Map<Relevant, Integer> anchor = new HashMap<>(); // op -> some key index in its partition, or -1
        for (Relevant r : relevant) {
            if (r.source.operation() instanceof KvOperation.Scan scan) {
                int lo = ceilingIndex(universe, index, scan.fromInclusive(), keys.size());
                int hi = scan.toExclusive() == null ? keys.size() : ceilingIndex(universe, index, scan.toExclusive(), keys.size());
                for (int i = lo + 1 < hi ? find(nextOpen, lo + 1) : hi; i < hi; i = find(nextOpen, i + 1)) {
                    union(parent, i - 1, i);
                    nextOpen[i] = i + 1;
                }
                anchor.put(r, hi > lo ? lo : -1);
            } else {
                anchor.put(r, index.get(singleKey(r.source.operation())));
            }
        }
        Map<Integer, Partition> byRoot = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            byRoot.computeIfAbsent(find(parent, i), root -> new Partition()).keys.add(keys.get(i));
        }
        List<Partition> keyless = new ArrayList<>();
        for (Relevant r : relevant) {
            int a = anchor.get(r);
            if (a < 0) {
                Partition p = new Partition();
                p.ops.add(r);
                keyless.add(p);
            } else {
                byRoot.get(find(parent, a)).ops.add(r);
            }
        }
        List<Partition> partitions = new ArrayList<>(byRoot.values()); // ordered by smallest key
        partitions.addAll(keyless);

        // 3.-5. search each partition
        List<CheckResult.Violation> violations = new ArrayList<>();
        List<CheckResult.Undecided> undecided = new ArrayList<>();
        long steps = 0;
        for (Partition p : partitions) {
            if (p.ops.isEmpty()) continue;
            KvModel model = new KvModel(p.keys);
            List<WglSearch.Op> ops = new ArrayList<>(p.ops.size());
            for (Relevant r : p.ops) ops.add(r.searchOp());
            WglSearch.Outcome outcome = WglSearch.run(model, ops, limits.maxStepsPerPartition());
            steps += outcome.steps();
            switch (outcome.kind()) {
                case LINEARIZABLE -> { }
                case STEP_LIMIT -> undecided.add(new CheckResult.Undecided(p.keys, p.ops.size(), outcome.steps()));
                case NOT_LINEARIZABLE -> {
                    Shrunk shrunk = shrink(model, p, outcome, limits);
                    steps += shrunk.steps;
                    violations.add(explain(p, shrunk));
                }
            }
        }
        CheckResult.Verdict verdict = !violations.isEmpty() ? CheckResult.Verdict.NOT_LINEARIZABLE
                : !undecided.isEmpty() ? CheckResult.Verdict.UNKNOWN
                : CheckResult.Verdict.LINEARIZABLE;
        return new CheckResult(verdict, violations, undecided, (int) partitions.stream().filter(p -> !p.ops.isEmpty()).count(), steps);
    }

    // ------------------------------------------------------------------------------ partitions

    /** An operation that matters to the check, with its observed result (null: unknown). */
    private static final class Relevant {
        final History.Operation source;
        final KvResult observed;

        Relevant(History.Operation source, KvResult observed) {
            this.source = source;
            this.observed = observed;
        }

        WglSearch.Op searchOp() {
            return new WglSearch.Op(source.operation(), observed, source.invokedAt(),
                    observed == null ? History.NEVER : source.returnedAt());
        }
    }

    private static final class Partition {
        final List<Bytes> keys = new ArrayList<>();
        final List<Relevant> ops = new ArrayList<>();
    }

    private static Bytes singleKey(KvOperation op) {
        return switch (op) {
            case KvOperation.Put p -> p.key();
            case KvOperation.Get g -> g.key();
            case KvOperation.Delete d -> d.key();
            case KvOperation.CompareAndSet c -> c.key();
            case KvOperation.Scan s -> null;
        };
    }

    /** Index of the first key {@code >= bound}, or {@code size} if none. */
    private static int ceilingIndex(TreeSet<Bytes> universe, Map<Bytes, Integer> index, Bytes bound, int size) {
        Bytes k = universe.ceiling(bound);
        return k == null ? size : index.get(k);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }

    // ------------------------------------------------------------------------------ witness

    /**
     * The shrunk witness: {@code ops[i]} is the (possibly relaxed) operation for
     * {@code partition.ops[i]}, or null if dropped; {@code outcome} is the search result on it.
     */
    private record Shrunk(KvModel model, WglSearch.Op[] ops, WglSearch.Outcome outcome, boolean minimal, long steps) {}

    private static Shrunk shrink(KvModel model, Partition p, WglSearch.Outcome first, Limits limits) {
        int n = p.ops.size();
        WglSearch.Op[] current = new WglSearch.Op[n];
        for (int i = 0; i < n; i++) current[i] = p.ops.get(i).searchOp();
        if (limits.maxMinimizationSteps() == 0) return new Shrunk(model, current, first, false, 0);
        Shrinker s = new Shrinker(model, current, first, limits);

        // First cut the history at the return of the operation the search got stuck on: drop what
        // was invoked later, make pending what returned later. Linearizability is prefix-closed
        // (a linearization of the whole, cut there, is one of the prefix), so if the prefix is
        // not linearizable it is a witness too.
        if (first.blocking() >= 0) {
            long cut = current[first.blocking()].ret();
            WglSearch.Op[] prefix = new WglSearch.Op[n];
            for (int i = 0; i < n; i++) {
                WglSearch.Op o = current[i];
                if (o.call() > cut) continue;
                if (o.pending() || o.ret() <= cut) {
                    prefix[i] = o;
                } else if (!isRead(o.operation())) {
                    prefix[i] = new WglSearch.Op(o.operation(), null, o.call(), History.NEVER);
                }
            }
            s.tryReplace(prefix);
        }

        // Then relax completed operations, reads (cheap to drop) before writes: all of them at
        // once, then in chunks of halving size as in delta debugging, ending with one at a time.
        for (boolean reads : new boolean[] {true, false}) {
            if (!reads) s.splitByKeys();
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                WglSearch.Op o = s.current[i];
                if (o != null && o.required() && isRead(o.operation()) == reads) candidates.add(i);
            }
            candidates.sort(Comparator.comparingLong(i -> s.current[i].call()));
            for (int size = candidates.size(); size >= 1; size = size == 1 ? 0 : (size + 1) / 2) {
                for (int from = 0; from < candidates.size(); from += size) {
                    WglSearch.Op[] attempt = s.current.clone();
                    boolean changed = false;
                    for (int k = from; k < Math.min(candidates.size(), from + size); k++) {
                        int i = candidates.get(k);
                        WglSearch.Op o = attempt[i];
                        if (o == null || !o.required()) continue;
                        attempt[i] = relaxed(o);
                        changed = true;
                    }
                    if (changed && !s.tryReplace(attempt) && size == 1 && s.lastUndecided) s.minimal = false;
                    if (s.budget <= 0) {
                        s.minimal = false;
                        return s.result();
                    }
                }
            }
        }
        return s.result();
    }

    /**
     * The relaxation of a completed operation: a read is dropped, a write becomes optional (it
     * may take effect within its interval, or not at all).
     */
    private static WglSearch.Op relaxed(WglSearch.Op o) {
        return isRead(o.operation()) ? null : new WglSearch.Op(o.operation(), null, o.call(), o.ret());
    }

    /** State of one witness shrinking: the current witness and what it cost. */
    private static final class Shrinker {
        KvModel model;
        final long maxStepsPerPartition;
        final long perAttempt;
        WglSearch.Op[] current;
        WglSearch.Outcome outcome;
        long budget;
        long spent;
        boolean minimal = true;
        boolean lastUndecided;

        Shrinker(KvModel model, WglSearch.Op[] current, WglSearch.Outcome outcome, Limits limits) {
            this.model = model;
            this.current = current;
            this.outcome = outcome;
            this.budget = limits.maxMinimizationSteps();
            this.maxStepsPerPartition = limits.maxStepsPerPartition();
            this.perAttempt = Math.max(1_000, budget / 20);
        }

        /** Steps one attempt may take: enough to redo the last successful search twice over. */
        private long attemptLimit() {
            long want = Math.max(perAttempt, 2 * outcome.steps());
            return Math.max(1, Math.min(Math.min(want, maxStepsPerPartition), budget));
        }

        /** Adopts {@code candidate} as the witness if it is still not linearizable. */
        boolean tryReplace(WglSearch.Op[] candidate) {
            int[] map = new int[candidate.length];
            WglSearch.Outcome attempt = WglSearch.run(model, compact(candidate, map), attemptLimit());
            budget -= attempt.steps();
            spent += attempt.steps();
            lastUndecided = attempt.kind() == WglSearch.Kind.STEP_LIMIT;
            if (attempt.kind() != WglSearch.Kind.NOT_LINEARIZABLE) return false;
            current = candidate;
            outcome = remap(attempt, map);
            return true;
        }

        /**
         * With the scans that joined keys relaxed away, the witness may fall apart into
         * independent groups of keys (P-compositionality again): keep one group that still has a
         * violation, with a model of just its keys, which makes the searches that follow cheaper.
         */
        void splitByKeys() {
            List<Bytes> keys = model.keys();
            if (keys.size() < 2) return;
            Map<Bytes, Integer> index = new HashMap<>();
            for (int k = 0; k < keys.size(); k++) index.put(keys.get(k), k);
            int[] parent = new int[keys.size()];
            for (int k = 0; k < parent.length; k++) parent[k] = k;
            int[] anchor = new int[current.length];
            for (int i = 0; i < current.length; i++) {
                WglSearch.Op o = current[i];
                anchor[i] = -1;
                if (o == null) continue;
                if (o.operation() instanceof KvOperation.Scan scan) {
                    int first = -1;
                    for (int k = 0; k < keys.size(); k++) {
                        if (!scan.contains(keys.get(k))) continue;
                        if (first < 0) first = k;
                        else union(parent, first, k);
                    }
                    anchor[i] = first;
                } else {
                    anchor[i] = index.get(singleKey(o.operation()));
                }
            }
            Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < current.length; i++) {
                if (current[i] == null) continue;
                int root = anchor[i] < 0 ? -1 - i : find(parent, anchor[i]);
                groups.computeIfAbsent(root, r -> new ArrayList<>()).add(i);
            }
            if (groups.size() < 2) return;
            for (Map.Entry<Integer, List<Integer>> g : groups.entrySet()) {
                if (g.getValue().stream().noneMatch(i -> current[i].required())) continue;
                List<Bytes> groupKeys = new ArrayList<>();
                if (g.getKey() >= 0) {
                    for (int k = 0; k < keys.size(); k++) if (find(parent, k) == g.getKey()) groupKeys.add(keys.get(k));
                }
                WglSearch.Op[] restricted = new WglSearch.Op[current.length];
                for (int i : g.getValue()) restricted[i] = current[i];
                KvModel previous = model;
                model = new KvModel(groupKeys);
                if (tryReplace(restricted)) return;
                model = previous;
            }
        }

        Shrunk result() {
            return new Shrunk(model, current, outcome, minimal, spent);
        }
    }

    private static boolean isRead(KvOperation op) {
        return op instanceof KvOperation.Get || op instanceof KvOperation.Scan;
    }

    /** The non-null operations, in order; {@code map[k]} = index in {@code ops} of the k-th. */
    private static List<WglSearch.Op> compact(WglSearch.Op[] ops, int[] map) {
        List<WglSearch.Op> out = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] != null) {
                map[out.size()] = i;
                out.add(ops[i]);
            }
        }
        return out;
    }

    /** Rewrites a search outcome's indices from a compacted list back to partition indices. */
    private static WglSearch.Outcome remap(WglSearch.Outcome o, int[] map) {
        int[] prefix = o.longestPrefix().clone();
        for (int k = 0; k < prefix.length; k++) prefix[k] = map[prefix[k]];
        return new WglSearch.Outcome(o.kind(), o.steps(), prefix, o.stateAfterPrefix(), o.blocking() < 0 ? -1 : map[o.blocking()]);
    }

    private static CheckResult.Violation explain(Partition p, Shrunk shrunk) {
        KvModel model = shrunk.model();
        List<Bytes> keys = model.keys();
        List<History.Operation> witness = new ArrayList<>();
        int context = 0;
        for (int i = 0; i < shrunk.ops.length; i++) {
            WglSearch.Op o = shrunk.ops[i];
            if (o == null) continue;
            if (o.required()) witness.add(p.ops.get(i).source);
            else context++;
        }
        StringBuilder sb = new StringBuilder("not linearizable: ");
        if (keys.isEmpty()) {
            sb.append("a scan over a range holding no key of the history");
        } else if (keys.size() == 1) {
            sb.append("key ").append(OperationFormat.bytes(keys.getFirst()));
        } else {
            sb.append("keys ").append(keys.stream().map(OperationFormat::bytes).toList()).append(" (joined by scans)");
        }
        sb.append(": ").append(witness.size()).append(witness.size() == 1 ? " operation" : " operations")
                .append(" of ").append(p.ops.size()).append(" cannot be ordered")
                .append(shrunk.minimal ? "" : " (witness not fully shrunk)").append('\n');
        for (History.Operation o : witness) sb.append("  ").append(o).append('\n');
        sb.append("  even with the other reads left out and each of the other ").append(context)
                .append(" writes taking effect or not (within its interval; any time after its invocation if it never returned)");
        WglSearch.Outcome out = shrunk.outcome;
        if (out.longestPrefix() != null) {
            sb.append("\n  longest order found: ");
            int shown = 12;
            int skip = Math.max(0, out.longestPrefix().length - shown);
            if (out.longestPrefix().length == 0) sb.append("(none)");
            if (skip > 0) sb.append("… ").append(skip).append(" operations, ");
            for (int k = skip; k < out.longestPrefix().length; k++) {
                int i = out.longestPrefix()[k];
                if (k > skip) sb.append(", ");
                sb.append('#').append(p.ops.get(i).source.id());
                if (shrunk.ops[i] != null && !shrunk.ops[i].required()) sb.append(" (other write)");
            }
            sb.append(", leaving ").append(model.describe(out.stateAfterPrefix()));
            if (out.blocking() >= 0) {
                History.Operation b = p.ops.get(out.blocking()).source;
                sb.append("; then #").append(b.id()).append(" (returned at ").append(b.returnedAt()).append(" with ")
                        .append(OperationFormat.result(b.result())).append(") must take effect and cannot");
            }
        }
        return new CheckResult.Violation(keys, witness, shrunk.minimal, sb.toString());
    }
}
