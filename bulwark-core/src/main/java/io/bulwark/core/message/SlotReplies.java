package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * Filter → the next row down: the replies of {@code slot} with the execution cluster's combined
 * threshold signature over {@code WireCodec.slotRepliesSignedBytes(slot, ReplyMerkleTree.root(slot, replies))}.
 * Unique: the same bytes whichever execution nodes signed.
 */
public record SlotReplies(long slot, List<ReplyLeaf> replies, Bytes signature) implements Message {
    public SlotReplies {
        Objects.requireNonNull(signature, "signature");
        Sequences.check(slot, "slot");
        replies = List.copyOf(replies);
        if (replies.size() > WireLimits.BATCH_REQUESTS_MAX) throw new IllegalArgumentException("too many replies");
        if (signature.length() > WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
