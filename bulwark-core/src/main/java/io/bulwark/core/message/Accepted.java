package io.bulwark.core.message;

import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * Acceptor → learners: I accepted the batch with {@code digest} for {@code slot} under {@code pn}.
 * The fast path: a learner that sees the fast quorum (a−t) of these, matching, learns the batch.
 * Point-to-point and MAC-authenticated; never shown to third parties.
 */
public record Accepted(long pn, long slot, Digest digest) implements Message {
    public Accepted {
        Objects.requireNonNull(digest, "digest");
        Sequences.check(pn, "pn");
        Sequences.check(slot, "slot");
    }
}
