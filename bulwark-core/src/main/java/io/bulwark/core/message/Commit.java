package io.bulwark.core.message;

import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * Acceptor → learners on the slow path: I hold a valid commit certificate for {@code digest}
 * in {@code slot} under {@code pn}. A learner learns at the commit quorum of matching COMMITs.
 */
public record Commit(long pn, long slot, Digest digest) implements Message {
    public Commit {
        Objects.requireNonNull(digest, "digest");
        Sequences.check(pn, "pn");
        Sequences.check(slot, "slot");
    }
}
