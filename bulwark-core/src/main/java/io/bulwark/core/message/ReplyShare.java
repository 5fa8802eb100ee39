package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * Execution node → filter row h: the replies produced by executing {@code slot} (in batch
 * order; requests already executed or stale produce none), and this node's threshold signature
 * share over {@code WireCodec.slotRepliesSignedBytes(slot, ReplyMerkleTree.root(slot, replies))}.
 * Every slot gets one, even with no replies: the combined signature doubles as the proof that
 * the slot was executed (flow control for the agreement cluster).
 */
public record ReplyShare(long slot, List<ReplyLeaf> replies, Bytes share) implements Message {
    public ReplyShare {
        Objects.requireNonNull(share, "share");
        Sequences.check(slot, "slot");
        replies = List.copyOf(replies);
        if (replies.size() > WireLimits.BATCH_REQUESTS_MAX) throw new IllegalArgumentException("too many replies");
        if (share.length() > WireLimits.THRESHOLD_SHARE_BYTES_MAX) throw new IllegalArgumentException("share too large");
    }
}
