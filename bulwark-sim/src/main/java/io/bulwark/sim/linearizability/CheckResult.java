package io.bulwark.sim.linearizability;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * What {@link LinearizabilityChecker#check} found.
 *
 * @param verdict     {@link Verdict#NOT_LINEARIZABLE} if any partition has a violation, else
 *                    {@link Verdict#UNKNOWN} if any partition ran out of steps, else
 *                    {@link Verdict#LINEARIZABLE}
 * @param violations  one per partition (key, or keys joined by scans) that cannot be linearized,
 *                    ordered by smallest key
 * @param undecided   partitions whose search hit the step limit
 * @param partitions  how many partitions the history split into
 * @param steps       search steps spent in total (minimization included)
 */
public record CheckResult(Verdict verdict, List<Violation> violations, List<Undecided> undecided, int partitions, long steps) {

    public enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

    /**
     * Operations on {@code keys} that cannot be ordered.
     *
     * @param keys        the witness's keys: one for a single-key violation; more when scans over
     *                    several keys are part of it; empty for a scan over a range holding no key
     *                    of the history
     * @param operations  the completed operations of the witness: even with the other reads left
     *                    out and each other write allowed to take effect or not (within its own
     *                    interval, or at any time after its invocation if it never returned),
     *                    these cannot be put in one order that respects real time and explains
     *                    every result. When {@code minimal}, relaxing any one of them the same way
     *                    makes the rest linearizable
     * @param minimal     whether the witness was shrunk all the way (false if the shrinking budget
     *                    ran out or an attempt was undecided: then it may hold more than needed)
     * @param explanation a readable account: the witness, and how far an ordering of it gets
     */
    public record Violation(List<Bytes> keys, List<History.Operation> operations, boolean minimal, String explanation) {
        public Violation {
            keys = List.copyOf(keys);
            operations = List.copyOf(operations);
            Objects.requireNonNull(explanation, "explanation");
        }

        @Override
        public String toString() {
            return explanation;
        }
    }

    /** A partition the search gave up on after {@code steps} steps. */
    public record Undecided(List<Bytes> keys, int operations, long steps) {
        public Undecided {
            keys = List.copyOf(keys);
        }
    }

    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        violations = List.copyOf(violations);
        undecided = List.copyOf(undecided);
    }

    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(verdict.toString())
                .append(" (").append(partitions).append(" partitions, ").append(steps).append(" steps)");
        for (Violation v : violations) sb.append('\n').append(v.explanation());
        for (Undecided u : undecided) {
            sb.append("\nundecided: keys ").append(u.keys().stream().map(OperationFormat::bytes).toList())
                    .append(", ").append(u.operations()).append(" operations, gave up after ").append(u.steps()).append(" steps");
        }
        return sb.toString();
    }
}
