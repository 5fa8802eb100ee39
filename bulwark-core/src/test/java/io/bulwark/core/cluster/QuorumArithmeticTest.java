package io.bulwark.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quorum sizes of Parameterized FaB Paxos against the intersection arguments its safety
 * and liveness proofs use, for every f in 0..12 and t in 0..f. Each property is stated in
 * terms of the sizes a {@link FabQuorums} holds, so a wrong size in the code fails here
 * whatever formula produced it.
 */
class QuorumArithmeticTest {

    static Stream<Arguments> faultBounds() {
        return IntStream.rangeClosed(0, 12).boxed()
                .flatMap(f -> IntStream.rangeClosed(0, f).mapToObj(t -> Arguments.of(f, t)));
    }

    static Stream<Arguments> faultBoundsWithFaults() {
        return faultBounds().filter(a -> (int) a.get()[0] >= 1);
    }

    private static int ceilDiv2(int x) {
        return Math.ceilDiv(x, 2);
    }

    // ------------------------------------------------------------------ the sizes

    @ParameterizedTest(name = "f={0} t={1}")
    @MethodSource("faultBounds")
    void sizesMatchTheirClosedForms(int f, int t) {
        FabQuorums q = FabQuorums.of(f, t);
        int a = 3 * f + 2 * t + 1;

        assertThat(q.f()).isEqualTo(f);
        assertThat(q.t()).isEqualTo(t);
        assertThat(q.acceptors()).isEqualTo(a);
        assertThat(q.fast()).isEqualTo(a - t).isEqualTo(ceilDiv2(a + 3 * f + 1));
        assertThat(q.commit()).isEqualTo(ceilDiv2(a + f + 1)).isEqualTo(2 * f + t + 1);
        assertThat(q.report()).isEqualTo(a - f);
        assertThat(q.support()).isEqualTo(f + t + 1);
        assertThat(q.proof()).isEqualTo(f + 1);
    }

    @Test
    void classicFabWithTEqualToFHasFiveFPlusOneAcceptorsAndLearnsAtFourFPlusOne() {
        for (int f = 0; f <= 12; f++) {
            FabQuorums q = FabQuorums.of(f, f);
            assertThat(q.acceptors()).isEqualTo(5 * f + 1);
            assertThat(q.fast()).isEqualTo(4 * f + 1);
        }
    }

    // ------------------------------------------------------------------ the properties the proofs need

    /**
     * Which of the proof obligations {@code q} violates; empty when it satisfies all of them.
     * Shared by the tests of correct and of mutated sizes.
     */
    static List<String> violations(FabQuorums q) {
        int a = q.acceptors(), f = q.f(), t = q.t();
        List<String> v = new ArrayList<>();
        // (i) A value learned on the fast path is reported by at least `support` correct acceptors in
        // every progress certificate: of the fast quorum, at most a - report are not in the certificate
        // and at most f of the rest lie.
        if (q.fast() + q.report() - a - f < q.support()) v.add("(i) fast ∩ report has fewer than support correct");
        // (ii) A value that was not fast-learned can be vouched for only by the acceptors outside a
        // fast quorum (a - fast, all possibly correct) plus the f faulty ones: that must stay below support.
        if ((a - q.fast()) + f >= q.support()) v.add("(ii) a value outside a fast quorum can reach support");
        // (iii) Two commit quorums share f + 1 acceptors, so at least one correct one.
        if (2 * q.commit() - a < f + 1) v.add("(iii) two commit quorums share fewer than f+1");
        // (iv) A commit quorum and a progress certificate share a correct acceptor.
        if (q.commit() + q.report() - a < f + 1) v.add("(iv) commit ∩ report may hold no correct acceptor");
        // (v) Correct acceptors sign one accept per (pn, slot): two values cannot both get `commit`
        // signed accepts in one view, since each needs commit - f correct ones, out of a - f.
        if (2 * (q.commit() - f) <= a - f) v.add("(v) two values can both get a commit certificate");
        // (vi) Liveness: every quorum is reachable with the nodes that may be silent absent.
        if (q.fast() > a - t) v.add("(vi) fast quorum unreachable with t silent");
        if (q.commit() > a - f) v.add("(vi) commit quorum unreachable with f silent");
        if (q.report() > a - f) v.add("(vi) report quorum unreachable with f silent");
        if (q.support() > q.report() - f) v.add("(vi) support unreachable inside a certificate with f liars");
        // proof: f + 1 matching statements include a correct node, and are obtainable from the correct ones.
        if (q.proof() < f + 1) v.add("proof may be all faulty");
        if (q.proof() > a - f) v.add("proof unreachable with f silent");
        return v;
    }

    @ParameterizedTest(name = "f={0} t={1}")
    @MethodSource("faultBounds")
    void everyIntersectionPropertyHolds(int f, int t) {
        assertThat(violations(FabQuorums.of(f, t))).isEmpty();
    }

    @ParameterizedTest(name = "f={0} t={1}")
    @MethodSource("faultBounds")
    void propertiesHoldAsStatedInTheBrief(int f, int t) {
        // The same properties spelled out once more, literally, as a cross-check of violations().
        FabQuorums q = FabQuorums.of(f, t);
        int a = q.acceptors();
        assertThat(q.fast() + q.report() - a - f).as("(i)").isGreaterThanOrEqualTo(q.support());
        assertThat(t + f).as("(ii)").isLessThan(q.support());
        assertThat(2 * q.commit() - a).as("(iii)").isGreaterThanOrEqualTo(f + 1);
        assertThat(q.commit() + q.report() - a).as("(iv)").isGreaterThanOrEqualTo(f + 1);
        assertThat(2 * (q.commit() - f)).as("(v)").isGreaterThan(a - f);
        assertThat(q.fast()).as("(vi) fast").isLessThanOrEqualTo(a - t);
        assertThat(q.commit()).as("(vi) commit").isLessThanOrEqualTo(a - f);
        assertThat(q.report()).as("(vi) report").isLessThanOrEqualTo(a - f);
    }

    @ParameterizedTest(name = "f={0} t={1}")
    @MethodSource("faultBounds")
    void fastQuorumIsTheSmallestSizeSatisfyingTheFastPathProperties(int f, int t) {
        // Tightness: the proofs need 2*fast > a + 3f, so one less must fail (i) or (ii).
        FabQuorums q = FabQuorums.of(f, t);
        assertThat(2 * q.fast()).isGreaterThan(q.acceptors() + 3 * f);
        assertThat(2 * (q.fast() - 1)).isLessThanOrEqualTo(q.acceptors() + 3 * f);
        assertThat(2 * q.commit()).isGreaterThan(q.acceptors() + f);
        assertThat(2 * (q.commit() - 1)).isLessThanOrEqualTo(q.acceptors() + f);
    }

    // ------------------------------------------------------------------ mutations are detectable

    @ParameterizedTest(name = "f={0} t={1}")
    @MethodSource("faultBoundsWithFaults")
    void fastQuorumOneTooSmallBreaksPropertyOneOrTwo(int f, int t) {
        FabQuorums mutated = FabQuorums.of(f, t).mutated("fast", -1);

        assertThat(violations(mutated)).anySatisfy(v -> assertThat(v).matches("\\((i|ii)\\) .*"));
    }

    /** Mutations that the arithmetic alone must catch for every f ≥ 1, t ≤ f. */
    static Stream<Arguments> detectableMutations() {
        List<Arguments> out = new ArrayList<>();
        String[][] mutations = {{"fast", "-1"}, {"fast", "1"}, {"commit", "-1"}, {"report", "-1"}, {"report", "1"},
                {"support", "-1"}, {"support", "1"}, {"proof", "-1"}};
        faultBoundsWithFaults().forEach(ft -> {
            for (String[] m : mutations) out.add(Arguments.of(m[0], Integer.parseInt(m[1]), ft.get()[0], ft.get()[1]));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0}{1} f={2} t={3}")
    @MethodSource("detectableMutations")
    void everyOffByOneMutationIsRejectedOrViolatesAProperty(String which, int delta, int f, int t) {
        FabQuorums mutated;
        try {
            mutated = FabQuorums.of(f, t).mutated(which, delta);
        } catch (IllegalArgumentException outOfRange) {
            return; // a size outside [1, a] is rejected outright, which also counts as detected
        }
        assertThat(violations(mutated)).as("%s%+d at f=%d t=%d", which, delta, f, t).isNotEmpty();
    }

    @Test
    void mutatedChangesExactlyTheNamedSize() {
        FabQuorums q = FabQuorums.of(3, 2);
        assertThat(q.mutated("fast", -1)).isEqualTo(new FabQuorums(3, 2, q.acceptors(), q.fast() - 1, q.commit(),
                q.report(), q.support(), q.proof()));
        assertThat(q.mutated("commit", 1).commit()).isEqualTo(q.commit() + 1);
        assertThat(q.mutated("report", -1).report()).isEqualTo(q.report() - 1);
        assertThat(q.mutated("support", 1).support()).isEqualTo(q.support() + 1);
        assertThat(q.mutated("proof", 1).proof()).isEqualTo(q.proof() + 1);
        assertThat(q.mutated("fast", 0)).isEqualTo(q);
        assertThatIllegalArgumentException().isThrownBy(() -> q.mutated("acceptors", 1));
    }

    // ------------------------------------------------------------------ constructor validation

    @Test
    void rejectsInconsistentFaultBoundsAndSizes() {
        assertThatIllegalArgumentException().isThrownBy(() -> FabQuorums.of(-1, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> FabQuorums.of(1, -1));
        assertThatIllegalArgumentException().isThrownBy(() -> FabQuorums.of(1, 2));
        FabQuorums q = FabQuorums.of(2, 1);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FabQuorums(2, 1, q.acceptors() + 1, q.fast(), q.commit(), q.report(), q.support(), q.proof()));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FabQuorums(2, 1, q.acceptors(), 0, q.commit(), q.report(), q.support(), q.proof()));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new FabQuorums(2, 1, q.acceptors(), q.acceptors() + 1, q.commit(), q.report(), q.support(), q.proof()));
        assertThatIllegalArgumentException().isThrownBy(() -> FabQuorums.of(0, 0).mutated("fast", -1));
    }
}
