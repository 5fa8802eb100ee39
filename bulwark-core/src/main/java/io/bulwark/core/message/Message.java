package io.bulwark.core.message;

/**
 * Everything that crosses the wire between clients and nodes. Each message is an immutable
 * value with exactly one canonical encoding ({@link io.bulwark.core.codec.WireCodec}).
 *
 * <p>Who sent a message is not part of it: the transport authenticates the sender (MACs or
 * mutual TLS on real sockets; the simulator's network stamps the true sender). Messages that
 * must convince a third party carry signatures of their own.
 */
public sealed interface Message
        permits Request, Propose, Accepted, SignedAccept, Commit, ViewChange, NewView, Checkpoint,
                DecisionQuery, Decided, Reply, ExecutionCheckpoint, StateRequest, StateSnapshot,
                Ordered, ReplyShare, SlotReplies, ReplyCertificate, ExecutedCertificate, FilterIncarnation {
}
