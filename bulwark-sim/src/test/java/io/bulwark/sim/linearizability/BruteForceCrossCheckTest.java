package io.bulwark.sim.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import io.bulwark.kv.KvStateMachine;
import io.bulwark.sim.linearizability.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker against the definition, on thousands of small random histories: a brute-force
 * search over every order (and every subset of pending operations) that respects real time,
 * executed on the real {@link KvStateMachine}. Results are drawn at random from a small domain,
 * so both answers are common. Agreement here checks the search, the partitioning, the handling
 * of pending and refused operations, and that the model has the store's semantics.
 */
class BruteForceCrossCheckTest {
    private static final String[] KEYS = {"a", "b"};
    private static final String[] VALUES = {"1", "2"};

    private static String pick(Random r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String valueOrNull(Random r) {
        return r.nextInt(3) == 0 ? null : pick(r, VALUES);
    }

    private static KvOperation randomOperation(Random r, boolean scans) {
        int kind = r.nextInt(scans ? 11 : 10);
        String k = pick(r, KEYS);
        return switch (kind) {
            case 0, 1, 2 -> Kv.put(k, pick(r, VALUES));
            case 3, 4, 5 -> Kv.get(k);
            case 6 -> Kv.del(k);
            case 7, 8, 9 -> Kv.cas(k, valueOrNull(r), valueOrNull(r));
            default -> Kv.scan("a", r.nextBoolean() ? null : (r.nextBoolean() ? "b" : "c"), 1 + r.nextInt(2));
        };
    }

    private static KvResult randomResult(Random r, KvOperation op) {
        if (!(op instanceof KvOperation.Get || op instanceof KvOperation.Scan) && r.nextInt(12) == 0) {
            return new KvResult.Error(KvErrorCode.STORE_FULL, "full");
        }
        return switch (op) {
            case KvOperation.Put p -> Kv.ok();
            case KvOperation.Get g -> KvResult.Value.of(Kv.b(valueOrNull(r)));
            case KvOperation.Delete d -> Kv.deleted(r.nextBoolean());
            case KvOperation.CompareAndSet c -> Kv.casResult(r.nextBoolean(), valueOrNull(r));
            case KvOperation.Scan s -> {
                List<String> kv = new ArrayList<>();
                for (String k : KEYS) {
                    if (s.contains(Kv.b(k)) && r.nextBoolean() && kv.size() / 2 < s.limit()) {
                        kv.add(k);
                        kv.add(pick(r, VALUES));
                    }
                }
                boolean truncated = kv.size() / 2 == s.limit() && r.nextBoolean();
                yield Kv.entries(truncated, kv.toArray(new String[0]));
            }
        };
    }

    private static History randomHistory(Random r, int n, boolean scans) {
        History.Builder h = History.builder();
        for (int i = 0; i < n; i++) {
            KvOperation op = randomOperation(r, scans);
            long inv = r.nextInt(12);
            if (r.nextInt(7) == 0) {
                h.pending(i, inv, op);
            } else {
                h.completed(i, inv, inv + r.nextInt(7), op, randomResult(r, op));
            }
        }
        return h.build();
    }

    /**
     * An operation for the brute force: required ({@code observed != null}: placed, with this
     * result), pending ({@code observed == null}, {@code ret == NEVER}: placed after its
     * invocation or not at all) or optional ({@code observed == null}, a real {@code ret}: placed
     * within its interval or not at all).
     */
    record BfOp(KvOperation op, KvResult observed, long inv, long ret) {}

    /** The history as the definition reads it: refused operations had no effect. */
    static List<BfOp> asDefined(History h) {
        List<BfOp> ops = new ArrayList<>();
        for (History.Operation o : h.operations()) {
            if (o.result() instanceof KvResult.Error e) {
                if (e.code() != KvErrorCode.UNEXPECTED_REPLY) continue;
                ops.add(new BfOp(o.operation(), null, o.invokedAt(), History.NEVER));
            } else {
                ops.add(new BfOp(o.operation(), o.result(), o.invokedAt(), o.returnedAt()));
            }
        }
        return ops;
    }

    static boolean bruteForce(History h) {
        return bruteForce(asDefined(h));
    }

    /** Is there an order of the required and some of the other operations, respecting real time, that the store explains? */
    static boolean bruteForce(List<BfOp> ops) {
        return search(ops, new boolean[ops.size()], new boolean[ops.size()], new KvStateMachine());
    }

    private static boolean search(List<BfOp> ops, boolean[] placed, boolean[] dropped, KvStateMachine sm) {
        boolean done = true;
        for (int i = 0; i < ops.size(); i++) {
            if (!placed[i] && ops.get(i).observed() != null) done = false;
        }
        if (done) return true;
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i] || dropped[i]) continue;
            BfOp o = ops.get(i);
            // everything that returned before o was invoked comes first: required ones must be
            // placed already, optional ones not placed yet are dropped for good
            boolean ready = true;
            List<Integer> drops = new ArrayList<>();
            for (int j = 0; j < ops.size(); j++) {
                if (j == i || placed[j] || dropped[j] || ops.get(j).ret() >= o.inv()) continue;
                if (ops.get(j).observed() != null) ready = false;
                else drops.add(j);
            }
            if (!ready) continue;
            Bytes before = sm.snapshot();
            KvResult actual = sm.apply(0, o.op());
            if (o.observed() == null || actual.equals(o.observed())) {
                placed[i] = true;
                drops.forEach(j -> dropped[j] = true);
                if (search(ops, placed, dropped, sm)) return true;
                drops.forEach(j -> dropped[j] = false);
                placed[i] = false;
            }
            sm.restore(before);
        }
        return false;
    }

    private void crossCheck(long seed, int histories, int maxOps, boolean scans) {
        Random r = new Random(seed);
        int linearizable = 0;
        for (int t = 0; t < histories; t++) {
            History h = randomHistory(r, 1 + r.nextInt(maxOps), scans);
            boolean expected = bruteForce(h);
            CheckResult result = LinearizabilityChecker.check(h);
            assertThat(result.verdict()).as("%s%n%s", h, result)
                    .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
            if (expected) linearizable++;
            else assertThat(result.violations()).allSatisfy(v -> assertThat(v.operations()).isNotEmpty());
        }
        // both answers must be well represented, or the comparison says little
        assertThat(linearizable).isBetween(histories / 10, histories - histories / 10);
    }

    /** Raise with -Dlinearizability.bruteforce.histories=100000 to search harder locally. */
    private static final int HISTORIES = Integer.getInteger("linearizability.bruteforce.histories", 3000);
    private static final long SEED = Long.getLong("linearizability.bruteforce.seed", 20240601);
    private static final int MAX_OPS = Integer.getInteger("linearizability.bruteforce.maxops", 7);

    @Test
    void singleKeyOperationsAgreeWithBruteForce() {
        crossCheck(SEED, HISTORIES, MAX_OPS, false);
    }

    @Test
    void withScansAgreeWithBruteForce() {
        crossCheck(SEED + 1, HISTORIES, MAX_OPS, true);
    }

    /**
     * Each violation's witness (its completed operations, every other read left out and every
     * other write made optional or pending) is still not linearizable by brute force, and
     * relaxing any one of its operations the same way makes it linearizable (minimality).
     */
    @Test
    void witnessesAreSoundAndMinimal() {
        Random r = new Random(SEED + 2);
        int checked = 0;
        for (int t = 0; t < HISTORIES / 2; t++) {
            History h = randomHistory(r, 2 + r.nextInt(MAX_OPS - 1), true);
            CheckResult result = LinearizabilityChecker.check(h);
            for (CheckResult.Violation v : result.violations()) {
                assertThat(v.minimal()).isTrue();
                List<Integer> witness = v.operations().stream().map(History.Operation::id).toList();
                assertThat(bruteForce(relaxAllBut(h, witness, -1))).as("%s%n%s", h, v).isFalse();
                for (int drop : witness) {
                    assertThat(bruteForce(relaxAllBut(h, witness, drop))).as("%s%n%s without #%d", h, v, drop).isTrue();
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(HISTORIES / 10);
    }

    /** Keeps the results of {@code keep} (but {@code drop}); other reads go, other writes become optional. */
    private static List<BfOp> relaxAllBut(History h, List<Integer> keep, int drop) {
        List<BfOp> out = new ArrayList<>();
        for (History.Operation o : h.operations()) {
            if (o.result() instanceof KvResult.Error e && e.code() != KvErrorCode.UNEXPECTED_REPLY) continue;
            boolean unknown = o.pending() || o.result() instanceof KvResult.Error;
            if (keep.contains(o.id()) && o.id() != drop) {
                out.add(new BfOp(o.operation(), o.result(), o.invokedAt(), o.returnedAt()));
            } else if (!(o.operation() instanceof KvOperation.Get || o.operation() instanceof KvOperation.Scan)) {
                out.add(new BfOp(o.operation(), null, o.invokedAt(), unknown ? History.NEVER : o.returnedAt()));
            }
        }
        return out;
    }
}
