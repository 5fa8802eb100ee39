package io.bulwark.core.cluster;

/**
 * Every quorum size of Parameterized FaB Paxos (Martin and Alvisi, "Fast Byzantine
 * Consensus", DSN 2005 / TDSC 2006), in one place, derived from f and t.
 *
 * <pre>
 *   a = 3f + 2t + 1                  acceptors (t = f gives the classic 5f + 1)
 *   fast    = ceil((a + 3f + 1) / 2) = a - t     matching ACCEPTED to learn in two steps
 *   commit  = ceil((a + f + 1) / 2)  = 2f + t + 1 signed accepts for a commit certificate,
 *                                                 and matching COMMITs to learn on the slow path
 *   report  = a - f                  = 2f + 2t + 1 signed reports in a progress certificate
 *   support = f + t + 1              votes (in reports, at or above a view) that make a value
 *                                    a candidate in recovery; one more than a value can get
 *                                    from the t correct and f faulty acceptors outside a fast quorum
 *   proof   = f + 1                  matching statements that include one correct node
 * </pre>
 *
 * Why these sizes (each is checked for every f, t in {@code QuorumArithmeticTest}):
 * <ul>
 *   <li>fast: a progress certificate holds a−f reports; of a fast quorum, at least
 *       fast + (a−f) − a − f correct acceptors are in it, which must reach {@code support};
 *       a value outside the fast quorum can have at most t + f supporters. Hence 2·fast > a + 3f.</li>
 *   <li>commit: two commit quorums share f + 1 acceptors (one correct), and a commit quorum
 *       shares at least one correct acceptor with any progress certificate.</li>
 * </ul>
 *
 * The simulator can run with a deliberately broken size ({@link #mutated}) to show that its
 * checkers catch the error.
 */
public record FabQuorums(int f, int t, int acceptors, int fast, int commit, int report, int support, int proof) {

    public FabQuorums {
        if (f < 0 || t < 0 || t > f) {
            throw new IllegalArgumentException("need 0 <= t <= f, got f=" + f + " t=" + t);
        }
        if (acceptors != 3 * f + 2 * t + 1) {
            throw new IllegalArgumentException("FaB needs a = 3f+2t+1 acceptors, got " + acceptors);
        }
        for (int q : new int[] {fast, commit, report, support, proof}) {
            if (q < 1 || q > acceptors) {
                throw new IllegalArgumentException("quorum size out of range: " + q + " of " + acceptors);
            }
        }
    }

    public static FabQuorums of(int f, int t) {
        int a = 3 * f + 2 * t + 1;
        return new FabQuorums(f, t, a, ceilHalf(a + 3 * f + 1), ceilHalf(a + f + 1), a - f, f + t + 1, f + 1);
    }

    /**
     * The same sizes with one of them shifted by {@code delta}: for demonstrating that the
     * simulator's checkers catch a wrong threshold. Never used outside {@code --mutate}.
     */
    public FabQuorums mutated(String which, int delta) {
        return switch (which) {
            case "fast" -> new FabQuorums(f, t, acceptors, fast + delta, commit, report, support, proof);
            case "commit" -> new FabQuorums(f, t, acceptors, fast, commit + delta, report, support, proof);
            case "report" -> new FabQuorums(f, t, acceptors, fast, commit, report + delta, support, proof);
            case "support" -> new FabQuorums(f, t, acceptors, fast, commit, report, support + delta, proof);
            case "proof" -> new FabQuorums(f, t, acceptors, fast, commit, report, support, proof + delta);
            default -> throw new IllegalArgumentException(
                    "unknown quorum '" + which + "'; one of fast, commit, report, support, proof");
        };
    }

    static int ceilHalf(int x) {
        return (x + 1) / 2;
    }
}
