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

    /** Is there an order of all completed and some pending operations, respecting real time, that the store explains? */
    static boolean bruteForce(History h) {
        List<History.Operation> ops = new ArrayList<>();
        for (History.Operation o : h.operations()) {
            if (o.result() instanceof KvResult.Error) continue; // refused: no effect
            ops.add(o);
        }
        return search(ops, new boolean[ops.size()], new KvStateMachine());
    }

    private static boolean search(List<History.Operation> ops, boolean[] placed, KvStateMachine sm) {
        boolean allCompletedPlaced = true;
        for (int i = 0; i < ops.size(); i++) {
            if (!placed[i] && !ops.get(i).pending()) allCompletedPlaced = false;
        }
        if (allCompletedPlaced) return true;
        for (int i = 0; i < ops.size(); i++) {
            if (placed[i] || !ready(ops, placed, i)) continue;
            History.Operation o = ops.get(i);
            Bytes before = sm.snapshot();
            KvResult actual = sm.apply(0, o.operation());
            if (o.pending() || actual.equals(o.result())) {
                placed[i] = true;
                if (search(ops, placed, sm)) return true;
                placed[i] = false;
            }
            sm.restore(before);
        }
        return false;
    }

    /** Every operation that returned before {@code i} was invoked is already placed. */
    private static boolean ready(List<History.Operation> ops, boolean[] placed, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!placed[j] && j != i && !ops.get(j).pending() && ops.get(j).returnedAt() < ops.get(i).invokedAt()) {
                return false;
            }
        }
        return true;
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

    @Test
    void singleKeyOperationsAgreeWithBruteForce() {
        crossCheck(SEED, HISTORIES, 7, false);
    }

    @Test
    void withScansAgreeWithBruteForce() {
        crossCheck(SEED + 1, HISTORIES, 7, true);
    }

    /**
     * Each violation's witness alone (its completed operations, with every other operation of
     * the partition turned pending) is still not linearizable by brute force, and dropping any
     * one of its operations to pending makes it linearizable (minimality).
     */
    @Test
    void witnessesAreSoundAndMinimal() {
        Random r = new Random(SEED + 2);
        int checked = 0;
        for (int t = 0; t < HISTORIES / 2; t++) {
            History h = randomHistory(r, 2 + r.nextInt(6), true);
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
        assertThat(checked).isGreaterThan(300);
    }

    /** Keeps the results of {@code keep} (except {@code drop}); every other operation becomes pending. */
    private static History relaxAllBut(History h, List<Integer> keep, int drop) {
        History.Builder b = History.builder();
        for (History.Operation o : h.operations()) {
            if (keep.contains(o.id()) && o.id() != drop) b.completed(o.clientId(), o.invokedAt(), o.returnedAt(), o.operation(), o.result());
            else if (o.result() instanceof KvResult.Error e && e.code() != KvErrorCode.UNEXPECTED_REPLY) b.completed(o.clientId(), o.invokedAt(), o.returnedAt(), o.operation(), o.result());
            else b.pending(o.clientId(), o.invokedAt(), o.operation());
        }
        return b.build();
    }
}
