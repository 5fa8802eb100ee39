package io.bulwark.sim.linearizability;

import static io.bulwark.sim.linearizability.Kv.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvResult;
import io.bulwark.sim.linearizability.CheckResult.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written histories with known answers. */
class LinearizabilityCheckerTest {

    private static CheckResult check(History.Builder h) {
        return LinearizabilityChecker.check(h.build());
    }

    private static void assertLinearizable(History.Builder h) {
        CheckResult r = check(h);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.violations()).isEmpty();
    }

    private static CheckResult.Violation assertViolation(History.Builder h) {
        CheckResult r = check(h);
        assertThat(r.verdict()).as(r.toString()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.violations()).hasSize(1);
        return r.violations().getFirst();
    }

    private static List<Integer> ids(CheckResult.Violation v) {
        return v.operations().stream().map(History.Operation::id).toList();
    }

    @Test
    void emptyAndSequentialHistoriesAreLinearizable() {
        assertLinearizable(History.builder());
        assertLinearizable(History.builder()
                .completed(1, 0, 1, get("x"), absent())
                .completed(1, 2, 3, put("x", "1"), ok())
                .completed(1, 4, 5, get("x"), val("1"))
                .completed(1, 6, 7, cas("x", "1", "2"), casResult(true, "2"))
                .completed(1, 8, 9, cas("x", "1", "3"), casResult(false, "2"))
                .completed(1, 10, 11, del("x"), deleted(true))
                .completed(1, 12, 13, del("x"), deleted(false))
                .completed(1, 14, 15, get("x"), absent()));
    }

    @Test
    void staleReadAfterACompletedWriteIsCaught() {
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(2, 2, 3, put("x", "2"), ok())
                .completed(3, 4, 5, get("x"), val("1")));
        assertThat(v.keys()).containsExactly(b("x"));
        // the first write could as well not have happened: the second one completed before the
        // read began, and the read did not see it
        assertThat(ids(v)).containsExactly(1, 2);
        assertThat(v.minimal()).isTrue();
        assertThat(v.explanation()).contains("key \"x\"").contains("#2").contains("get(\"x\")");
    }

    @Test
    void aReadOverlappingTheWriteMaySeeEitherValue() {
        assertLinearizable(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(2, 2, 10, put("x", "2"), ok())
                .completed(3, 3, 4, get("x"), val("1"))
                .completed(4, 5, 6, get("x"), val("2"))
                .completed(5, 7, 8, get("x"), val("2")));
        // but once a read saw the new value, a later read cannot see the old one
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(2, 2, 10, put("x", "2"), ok())
                .completed(3, 3, 4, get("x"), val("2"))
                .completed(4, 5, 6, get("x"), val("1")));
        // the two reads alone: whether or not the writes happened (within their intervals), the
        // old value cannot come back after the new one was seen
        assertThat(ids(v)).containsExactly(2, 3);
    }

    @Test
    void touchingIntervalsCountAsConcurrent() {
        assertLinearizable(History.builder()
                .completed(1, 0, 5, put("x", "1"), ok())
                .completed(2, 5, 6, get("x"), absent()));
        assertViolation(History.builder()
                .completed(1, 0, 5, put("x", "1"), ok())
                .completed(2, 6, 7, get("x"), absent()));
    }

    @Test
    void aValueNobodyWroteIsCaughtWithTheReadAlone() {
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(1, 2, 3, put("x", "2"), ok())
                .completed(2, 0, 9, get("x"), val("3")));
        assertThat(ids(v)).containsExactly(2);
    }

    @Test
    void lostUpdateIsCaught() {
        // x=0; A: cas 0→1 ok; B: cas 1→2 ok; then a read sees 1: B's update was lost
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(0, 0, 1, put("x", "0"), ok())
                .completed(1, 10, 20, cas("x", "0", "1"), casResult(true, "1"))
                .completed(2, 30, 40, cas("x", "1", "2"), casResult(true, "2"))
                .completed(3, 50, 60, get("x"), val("1")));
        // the put and the first cas may as well be pending: the second cas and the read are the witness
        assertThat(ids(v)).containsExactly(2, 3);
        assertThat(v.minimal()).isTrue();
    }

    @Test
    void twoConcurrentWritesReadBackInconsistentlyAreCaught() {
        // both writes are over before either read begins, yet the reads disagree
        assertViolation(History.builder()
                .completed(1, 0, 10, put("x", "1"), ok())
                .completed(2, 0, 10, put("x", "2"), ok())
                .completed(3, 11, 12, get("x"), val("1"))
                .completed(4, 11, 12, get("x"), val("2")));
        // one reader alternating between them after both writes completed
        assertViolation(History.builder()
                .completed(1, 0, 10, put("x", "1"), ok())
                .completed(2, 0, 10, put("x", "2"), ok())
                .completed(3, 11, 12, get("x"), val("1"))
                .completed(3, 13, 14, get("x"), val("2")));
        // consistent reads of either winner are fine
        assertLinearizable(History.builder()
                .completed(1, 0, 10, put("x", "1"), ok())
                .completed(2, 0, 10, put("x", "2"), ok())
                .completed(3, 11, 12, get("x"), val("1"))
                .completed(4, 11, 12, get("x"), val("1")));
    }

    @Test
    void casSucceedingTwiceFromTheSameExpectedValueIsCaught() {
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(0, 0, 1, put("x", "0"), ok())
                .completed(1, 2, 5, cas("x", "0", "1"), casResult(true, "1"))
                .completed(2, 3, 6, cas("x", "0", "2"), casResult(true, "2")));
        assertThat(ids(v)).contains(1, 2);
        // one of them failing is fine, whichever it is, as long as it reports the winner's value
        assertLinearizable(History.builder()
                .completed(0, 0, 1, put("x", "0"), ok())
                .completed(1, 2, 5, cas("x", "0", "1"), casResult(false, "2"))
                .completed(2, 3, 6, cas("x", "0", "2"), casResult(true, "2")));
        assertViolation(History.builder()
                .completed(0, 0, 1, put("x", "0"), ok())
                .completed(1, 2, 5, cas("x", "0", "1"), casResult(false, "0"))
                .completed(2, 3, 6, cas("x", "0", "2"), casResult(true, "2")));
        // create-if-absent twice
        assertViolation(History.builder()
                .completed(1, 0, 5, cas("x", null, "a"), casResult(true, "a"))
                .completed(2, 0, 5, cas("x", null, "b"), casResult(true, "b")));
    }

    @Test
    void deleteResultsAreChecked() {
        assertViolation(History.builder().completed(1, 0, 1, del("x"), deleted(true)));
        assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(1, 2, 3, del("x"), deleted(false)));
        assertLinearizable(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(1, 2, 3, del("x"), deleted(true))
                .completed(2, 2, 3, del("x"), deleted(false))
                .completed(1, 4, 5, get("x"), absent()));
        // two deletes of one existing key cannot both find it
        assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(1, 2, 3, del("x"), deleted(true))
                .completed(2, 2, 3, del("x"), deleted(true)));
    }

    @Test
    void aResultOfTheWrongKindCannotBeLinearized() {
        assertViolation(History.builder().completed(1, 0, 1, get("x"), ok()));
        assertViolation(History.builder().completed(1, 0, 1, put("x", "1"), absent()));
    }

    // ------------------------------------------------------------------------------ pending

    @Test
    void aPendingWriteMayTakeEffectAnyTimeAfterItsInvocation() {
        assertLinearizable(History.builder()
                .pending(1, 0, put("x", "1"))
                .completed(2, 5, 6, get("x"), absent())
                .completed(2, 7, 8, get("x"), val("1"))
                .completed(2, 100, 101, get("x"), val("1")));
    }

    @Test
    void aPendingWriteMayNeverTakeEffect() {
        assertLinearizable(History.builder()
                .pending(1, 0, put("x", "1"))
                .completed(2, 100, 101, get("x"), absent()));
        assertLinearizable(History.builder()
                .completed(0, 0, 1, put("x", "0"), ok())
                .pending(1, 2, cas("x", "0", "1"))
                .completed(2, 100, 101, cas("x", "0", "2"), casResult(true, "2")));
    }

    @Test
    void aPendingWriteTakesEffectAtMostOnceAndNotBeforeItsInvocation() {
        // seen, then gone, then seen again: one put cannot explain both
        assertViolation(History.builder()
                .pending(1, 0, put("x", "1"))
                .completed(2, 5, 6, get("x"), val("1"))
                .completed(2, 7, 8, get("x"), absent())
                .completed(2, 9, 10, get("x"), val("1")));
        CheckResult.Violation v = assertViolation(History.builder()
                .completed(2, 0, 1, get("x"), val("1"))
                .pending(1, 5, put("x", "1")));
        assertThat(ids(v)).containsExactly(0);
    }

    @Test
    void pendingReadsAreIgnored() {
        assertLinearizable(History.builder()
                .pending(1, 0, get("x"))
                .pending(1, 0, scan("", null, 10))
                .completed(2, 1, 2, put("x", "1"), ok()));
    }

    @Test
    void refusedOperationsHadNoEffectButUnexpectedRepliesAreUnknown() {
        KvResult full = new KvResult.Error(KvErrorCode.STORE_FULL, "full");
        assertLinearizable(History.builder()
                .completed(1, 0, 1, put("x", "1"), full)
                .completed(2, 2, 3, get("x"), absent()));
        assertViolation(History.builder()
                .completed(1, 0, 1, put("x", "1"), full)
                .completed(2, 2, 3, get("x"), val("1")));
        KvResult unexpected = new KvResult.Error(KvErrorCode.UNEXPECTED_REPLY, "garbled");
        assertLinearizable(History.builder()
                .completed(1, 0, 1, put("x", "1"), unexpected)
                .completed(2, 2, 3, get("x"), val("1")));
        assertLinearizable(History.builder()
                .completed(1, 0, 1, put("x", "1"), unexpected)
                .completed(2, 2, 3, get("x"), absent()));
    }

    // ------------------------------------------------------------------------------ partitions

    @Test
    void keysAreCheckedIndependentlyAndTheBadKeyIsNamed() {
        CheckResult r = check(History.builder()
                .completed(1, 0, 1, put("a", "1"), ok())
                .completed(1, 0, 1, put("b", "1"), ok())
                .completed(2, 2, 3, get("a"), val("1"))
                .completed(2, 2, 3, get("b"), absent())
                .completed(3, 0, 3, put("c", "9"), ok()));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.partitions()).isEqualTo(3);
        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.keys()).containsExactly(b("b"));
            assertThat(ids(v)).containsExactly(1, 3);
        });
    }

    @Test
    void everyBadKeyGetsItsOwnViolation() {
        CheckResult r = check(History.builder()
                .completed(1, 0, 1, get("b"), val("?"))
                .completed(1, 0, 1, get("a"), val("?")));
        assertThat(r.violations()).extracting(CheckResult.Violation::keys)
                .containsExactly(List.of(b("a")), List.of(b("b")));
    }

    // ------------------------------------------------------------------------------ scans

    @Test
    void scansAreReadsOfARange() {
        History.Builder base = History.builder()
                .completed(1, 0, 1, put("a", "1"), ok())
                .completed(1, 2, 3, put("b", "2"), ok())
                .completed(1, 2, 3, put("z", "9"), ok());
        assertLinearizable(copy(base).completed(2, 4, 5, scan("a", "c", 10), entries(false, "a", "1", "b", "2")));
        assertLinearizable(copy(base).completed(2, 4, 5, scan("a", "c", 1), entries(true, "a", "1")));
        // the store may stop early for its byte budget, and then says truncated
        assertLinearizable(copy(base).completed(2, 4, 5, scan("a", null, 10), entries(true, "a", "1")));
        assertLinearizable(copy(base).completed(2, 4, 5, scan("c", "d", 10), entries(false)));

        CheckResult.Violation missing = assertViolation(copy(base).completed(2, 4, 5, scan("a", "c", 10), entries(false, "a", "1")));
        assertThat(missing.keys()).containsExactly(b("a"), b("b"));
        assertViolation(copy(base).completed(2, 4, 5, scan("a", "c", 10), entries(false, "b", "2")));
        assertViolation(copy(base).completed(2, 4, 5, scan("a", "c", 1), entries(false, "a", "1")));
        assertViolation(copy(base).completed(2, 4, 5, scan("a", "c", 10), entries(true, "a", "1", "b", "2")));
        assertViolation(copy(base).completed(2, 4, 5, scan("a", "c", 10), entries(false, "a", "1", "b", "2", "bb", "3")));
        assertViolation(copy(base).completed(2, 4, 5, scan("c", "d", 10), entries(false, "c", "0")));
        CheckResult.Violation ghost = assertViolation(History.builder()
                .completed(2, 4, 5, scan("c", "d", 10), entries(false, "c", "0")));
        assertThat(ghost.keys()).containsExactly(b("c"));
    }

    @Test
    void aScanSeesWritesInRealTimeOrder() {
        // a was written before b; a scan concurrent with both may see a alone, never b alone
        History.Builder base = History.builder()
                .completed(1, 0, 2, put("a", "1"), ok())
                .completed(1, 3, 5, put("b", "2"), ok());
        assertLinearizable(copy(base).completed(2, 1, 6, scan("a", "c", 10), entries(false, "a", "1")));
        assertLinearizable(copy(base).completed(2, 1, 6, scan("a", "c", 10), entries(false)));
        assertViolation(copy(base).completed(2, 1, 6, scan("a", "c", 10), entries(false, "b", "2")));
    }

    @Test
    void scansWithNoKeyInRangeArePartitionsOfTheirOwn() {
        CheckResult r = check(History.builder()
                .completed(1, 0, 1, put("a", "1"), ok())
                .completed(2, 0, 1, scan("x", "y", 5), entries(false))
                .completed(3, 0, 1, scan("m", null, 5), entries(false)));
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(r.partitions()).isEqualTo(3);
    }

    private static History.Builder copy(History.Builder b) {
        History.Builder c = History.builder();
        for (History.Operation o : b.build().operations()) {
            if (o.pending()) c.pending(o.clientId(), o.invokedAt(), o.operation());
            else c.completed(o.clientId(), o.invokedAt(), o.returnedAt(), o.operation(), o.result());
        }
        return c;
    }

    // ------------------------------------------------------------------------------ limits, shape

    @Test
    void aSearchThatRunsOutOfStepsIsUnknown() {
        History.Builder h = History.builder();
        for (int i = 0; i < 12; i++) h.completed(i, 0, 100, put("x", "v" + i), ok());
        for (int i = 0; i < 12; i++) h.completed(20 + i, 50, 100, get("x"), val("v" + (11 - i)));
        h.completed(40, 0, 1, put("y", "1"), ok());
        CheckResult r = LinearizabilityChecker.check(h.build(), new LinearizabilityChecker.Limits(50, 1000));
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.undecided()).singleElement().satisfies(u -> {
            assertThat(u.keys()).containsExactly(b("x"));
            assertThat(u.operations()).isEqualTo(24);
        });
        assertThat(r.toString()).contains("undecided");
    }

    @Test
    void concurrentWritersWithReadersOfEveryValueAreDecidedWithinTheDefaultBound() {
        // each read sees a different write, so the writes must be ordered around the reads: with
        // 8 writers that is within the default bound (with 12 it is not: that is the unknown case)
        History.Builder h = History.builder();
        for (int i = 0; i < 8; i++) h.completed(i, 0, 100, put("x", "v" + i), ok());
        for (int i = 0; i < 8; i++) h.completed(20 + i, 50, 100, get("x"), val("v" + (7 - i)));
        CheckResult r = LinearizabilityChecker.check(h.build());
        assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
        h.completed(40, 101, 102, get("x"), val("v3")); // after everything: must be the last write
        assertThat(LinearizabilityChecker.check(h.build()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        h.completed(41, 103, 104, get("x"), val("v4"));
        assertThat(LinearizabilityChecker.check(h.build()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aViolationOutranksAnUnknown() {
        History.Builder h = History.builder();
        for (int i = 0; i < 12; i++) h.completed(i, 0, 100, put("x", "v" + i), ok());
        for (int i = 0; i < 12; i++) h.completed(20 + i, 50, 100, get("x"), val("v" + (i % 3)));
        h.completed(40, 0, 1, get("y"), val("1"));
        CheckResult r = LinearizabilityChecker.check(h.build(), new LinearizabilityChecker.Limits(30, 1000));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.undecided()).hasSize(1);
    }

    @Test
    void largeWitnessesAreReportedWholeWhenMinimizingIsOff() {
        History.Builder h = History.builder()
                .completed(1, 0, 1, put("x", "1"), ok())
                .completed(2, 2, 3, put("x", "2"), ok())
                .completed(3, 4, 5, get("x"), val("1"));
        CheckResult r = LinearizabilityChecker.check(h.build(), new LinearizabilityChecker.Limits(1000, 0));
        assertThat(r.violations()).singleElement().satisfies(v -> {
            assertThat(v.minimal()).isFalse();
            assertThat(ids(v)).containsExactly(0, 1, 2);
        });
    }

    @Test
    void historiesValidateTheirOperations() {
        assertThatThrownBy(() -> History.builder().completed(1, 5, 4, get("x"), absent()))
                .isInstanceOf(IllegalArgumentException.class);
        History.Builder b = History.builder();
        int id = b.invoke(1, 0, put("x", "1"));
        int other = b.invoke(2, 1, get("x"));
        b.complete(id, 3, ok());
        assertThatThrownBy(() -> b.complete(id, 4, ok())).isInstanceOf(IllegalStateException.class);
        History h = b.build();
        assertThat(h.operations().get(id).pending()).isFalse();
        assertThat(h.operations().get(other).pending()).isTrue();
        assertThat(h.operations().get(other).returnedAt()).isEqualTo(History.NEVER);
        assertThat(h.toString()).contains("#1 client 2 [1, never] get(\"x\") → ?");
        assertThat(History.of(h.operations()).size()).isEqualTo(2);
        assertThatThrownBy(() -> History.of(List.of(h.operations().get(1)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LinearizabilityChecker.Limits(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCheckIsDeterministic() {
        History.Builder h = History.builder()
                .completed(1, 0, 10, put("x", "1"), ok())
                .completed(2, 0, 10, put("x", "2"), ok())
                .completed(3, 11, 12, get("x"), val("1"))
                .completed(4, 11, 12, get("x"), val("2"));
        assertThat(LinearizabilityChecker.check(h.build())).isEqualTo(LinearizabilityChecker.check(h.build()));
    }
}
