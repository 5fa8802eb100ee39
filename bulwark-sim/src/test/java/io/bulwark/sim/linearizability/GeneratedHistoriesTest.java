package io.bulwark.sim.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.AccessPolicy;
import io.bulwark.kv.KvConfig;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import io.bulwark.kv.KvStateMachine;
import io.bulwark.sim.linearizability.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories produced by a real sequential execution on {@link KvStateMachine}, each operation
 * given a random interval around the moment it executed (so they are linearizable by
 * construction), with clients that may time out. The checker must accept every one; then one
 * read's result is corrupted, and the checker must reject it whenever the corrupt value was
 * never written, and usually otherwise.
 */
class GeneratedHistoriesTest {

    /** A generated history: builder contents plus which operations are completed reads. */
    private record Generated(List<History.Operation> ops) {
        History history() {
            return History.of(ops);
        }
    }

    private static final class Client {
        long busyUntil = -1;
    }

    static Generated generate(Random r, int clients, int keys, int operations, boolean scans, long cap) {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxStoreBytes(cap), AccessPolicy.ALLOW_ALL);
        List<Client> cs = new ArrayList<>();
        for (int i = 0; i < clients; i++) cs.add(new Client());
        List<History.Operation> ops = new ArrayList<>();
        long point = 0; // the linearization point of the previous operation
        for (int n = 0; n < operations; n++) {
            point += 1 + r.nextInt(3);
            List<Integer> free = new ArrayList<>();
            for (int c = 0; c < clients; c++) if (cs.get(c).busyUntil < point) free.add(c);
            if (free.isEmpty()) {
                long earliest = cs.stream().mapToLong(c -> c.busyUntil).min().orElseThrow();
                point = earliest + 1;
                for (int c = 0; c < clients; c++) if (cs.get(c).busyUntil < point) free.add(c);
            }
            int c = free.get(r.nextInt(free.size()));
            Client client = cs.get(c);
            long invoked = Math.max(client.busyUntil + 1, point - r.nextInt(10));
            KvOperation op = randomOperation(r, keys, scans, sm);
            boolean pending = r.nextInt(20) == 0;
            KvResult result = null;
            if (!pending || r.nextBoolean()) {
                result = sm.apply(c, op); // takes effect at `point`
            }
            if (pending) {
                ops.add(new History.Operation(ops.size(), c, invoked, History.NEVER, op, null));
                client.busyUntil = point + 5 + r.nextInt(20); // the client times out, then goes on
            } else {
                long returned = point + r.nextInt(10);
                ops.add(new History.Operation(ops.size(), c, invoked, returned, op, result));
                client.busyUntil = returned;
            }
        }
        return new Generated(ops);
    }

    private static Bytes key(Random r, int keys) {
        return Bytes.ofUtf8("k" + r.nextInt(keys));
    }

    private static Bytes value(Random r) {
        return Bytes.ofUtf8("v" + r.nextInt(6));
    }

    private static KvOperation randomOperation(Random r, int keys, boolean scans, KvStateMachine sm) {
        Bytes k = key(r, keys);
        int kind = r.nextInt(scans ? 11 : 10);
        return switch (kind) {
            case 0, 1, 2 -> new KvOperation.Put(k, value(r));
            case 3, 4, 5 -> new KvOperation.Get(k);
            case 6 -> new KvOperation.Delete(k);
            case 7, 8, 9 -> {
                // half the time expect the current value, so that plenty of them succeed
                Bytes expected;
                if (r.nextBoolean()) {
                    expected = ((KvResult.Value) sm.apply(0, new KvOperation.Get(k))).value().orElse(null);
                } else {
                    expected = r.nextInt(4) == 0 ? null : value(r);
                }
                yield new KvOperation.CompareAndSet(k, expected, r.nextInt(5) == 0 ? null : value(r));
            }
            default -> {
                Bytes from = key(r, keys);
                Bytes to = r.nextBoolean() ? null : Bytes.ofUtf8(from.toUtf8() + "~");
                yield new KvOperation.Scan(from, to, 1 + r.nextInt(3));
            }
        };
    }

    private static List<Integer> completedGets(Generated g) {
        List<Integer> out = new ArrayList<>();
        for (History.Operation o : g.ops()) {
            if (!o.pending() && o.operation() instanceof KvOperation.Get) out.add(o.id());
        }
        return out;
    }

    private static History withResult(Generated g, int id, KvResult result) {
        List<History.Operation> ops = new ArrayList<>(g.ops());
        History.Operation o = ops.get(id);
        ops.set(id, new History.Operation(id, o.clientId(), o.invokedAt(), o.returnedAt(), o.operation(), result));
        return History.of(ops);
    }

    private void run(long seed, int histories, boolean scans) {
        Random r = new Random(seed);
        int corruptedToOtherValue = 0;
        int detected = 0;
        for (int t = 0; t < histories; t++) {
            Generated g = generate(r, 2 + r.nextInt(5), 1 + r.nextInt(4), 20 + r.nextInt(130), scans,
                    r.nextInt(4) == 0 ? 400 : KvConfig.DEFAULT_MAX_STORE_BYTES);
            CheckResult ok = LinearizabilityChecker.check(g.history());
            assertThat(ok.verdict()).as("history %d%n%s%n%s", t, g.history(), ok).isEqualTo(Verdict.LINEARIZABLE);

            List<Integer> gets = completedGets(g);
            if (gets.isEmpty()) continue;
            int victim = gets.get(r.nextInt(gets.size()));
            History.Operation o = g.ops().get(victim);
            Bytes key = ((KvOperation.Get) o.operation()).key();

            // a value never written anywhere: always a violation, on that key, involving that read
            CheckResult ghost = LinearizabilityChecker.check(withResult(g, victim, KvResult.Value.of(Bytes.ofUtf8("never written"))));
            assertThat(ghost.verdict()).as("history %d%n%s", t, ghost).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(ghost.violations()).singleElement().satisfies(v -> {
                assertThat(v.keys()).contains(key);
                assertThat(v.operations()).extracting(History.Operation::id).contains(victim);
            });

            // another value the key may hold: usually a violation
            KvResult seen = o.result();
            KvResult other;
            do {
                other = r.nextInt(7) == 0 ? KvResult.Value.absent() : KvResult.Value.of(value(r));
            } while (other.equals(seen));
            CheckResult corrupt = LinearizabilityChecker.check(withResult(g, victim, other));
            assertThat(corrupt.verdict()).as("history %d%n%s", t, corrupt).isNotEqualTo(Verdict.UNKNOWN);
            corruptedToOtherValue++;
            if (corrupt.verdict() == Verdict.NOT_LINEARIZABLE) detected++;
        }
        assertThat(corruptedToOtherValue).isGreaterThan(histories / 2);
        assertThat(detected).as("%d of %d corruptions detected", detected, corruptedToOtherValue)
                .isGreaterThan(corruptedToOtherValue * 6 / 10);
    }

    @Test
    void generatedSingleKeyHistoriesAreAcceptedAndCorruptedReadsCaught() {
        run(4242, 400, false);
    }

    @Test
    void generatedHistoriesWithScansAreAcceptedAndCorruptedReadsCaught() {
        run(1717, 300, true);
    }

    /**
     * 5000 operations from 10 clients on 8 keys, 5% of them never returning. Checking is quick
     * either way. Shrinking the witness of a corrupted read down to that read alone would take
     * more than the default budget (some 20 writes on its key never returned, and each may take
     * effect at any later time), so the report is bounded and may keep more than the read.
     */
    @Test
    void aLongBusyHistoryIsDecidedQuickly() {
        Random r = new Random(5);
        Generated g = generate(r, 10, 8, 5000, false, KvConfig.DEFAULT_MAX_STORE_BYTES);
        CheckResult result = LinearizabilityChecker.check(g.history());
        assertThat(result.verdict()).as(result.toString()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.partitions()).isEqualTo(8);

        int victim = completedGets(g).get(1000);
        History corrupted = withResult(g, victim, KvResult.Value.of(Bytes.ofUtf8("nope")));
        CheckResult bad = LinearizabilityChecker.check(corrupted);
        assertThat(bad.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(bad.violations()).singleElement().satisfies(v -> {
            assertThat(v.operations()).extracting(History.Operation::id).contains(victim);
            assertThat(v.explanation()).contains("nope");
        });

        // without shrinking the report is every completed operation on the key
        CheckResult whole = LinearizabilityChecker.check(corrupted, new LinearizabilityChecker.Limits(1_000_000, 0));
        assertThat(whole.violations()).singleElement().satisfies(v -> assertThat(v.minimal()).isFalse());
        assertThat(whole.steps()).isLessThan(1_000_000);
    }
}
