package io.bulwark.agreement;

import io.bulwark.core.message.Batch;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.CommitCertificate;

/**
 * Facts an agreement node writes durably before sending the messages that depend on them.
 * Replaying them in order through {@link AgreementNode#recover} rebuilds a node that keeps
 * every promise it made before it crashed.
 */
public sealed interface Persisted {
    /**
     * Whether a message of the same step may depend on this record, so it must be on disk
     * before any of them is sent. Only what the learner delivered is not a promise to anyone:
     * a node that loses it re-learns it from its peers, so hosts may write it without waiting.
     */
    default boolean isPromise() {
        return true;
    }

    /** The acceptor will not vote under a proposal number below {@code pn}. */
    record Promised(long pn) implements Persisted {}

    /** The acceptor accepted a NewView for {@code pn}: it is in normal operation there. */
    record EnteredView(long pn) implements Persisted {}

    /** The acceptor voted {@code batch} for {@code slot} under {@code pn}. */
    record Voted(long slot, long pn, Batch batch) implements Persisted {}

    /** The acceptor holds a commit certificate (and its batch) for the slot. */
    record Certified(CommitCertificate certificate, Batch batch) implements Persisted {}

    /** The log up to the certificate's slot is stable; everything below may be forgotten. */
    record Stable(CheckpointCertificate certificate) implements Persisted {}

    /** The learner delivered {@code batch} for {@code slot}. */
    record Delivered(long slot, Batch batch) implements Persisted {
        @Override
        public boolean isPromise() {
            return false;
        }
    }

    /**
     * Written by a host that compacts its log, in place of everything before it: the learner
     * had delivered every slot below {@code nextSlot}, with log hash {@code logHash}, and each
     * client's last decided request was as listed. Records after it continue from there.
     */
    record Compacted(long nextSlot, io.bulwark.core.crypto.Digest logHash, java.util.List<ClientTable.Entry> clients)
            implements Persisted {
        public Compacted {
            clients = java.util.List.copyOf(clients);
        }
    }
}
