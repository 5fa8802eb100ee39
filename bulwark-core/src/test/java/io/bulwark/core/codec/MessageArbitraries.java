package io.bulwark.core.codec;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.*;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for every message record. They cover the whole range each record's
 * constructor accepts (not just "typical" values), because every constructible message must
 * encode to something the decoder accepts. Collections are kept small so a property run stays
 * fast; the codec's size limits are tested separately.
 */
public final class MessageArbitraries {
    private MessageArbitraries() {}

    static Arbitrary<Long> sequence() {
        return Arbitraries.longs().between(0, WireLimits.SEQUENCE_MAX);
    }

    static Arbitrary<Long> anyNonNegativeLong() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    static Arbitrary<Integer> node() {
        return Arbitraries.integers().between(0, WireLimits.NODES_MAX - 1);
    }

    static Arbitrary<Bytes> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength).map(Bytes::copyOf);
    }

    static Arbitrary<Bytes> signature() {
        return Arbitraries.oneOf(bytes(8),
                Arbitraries.bytes().array(byte[].class).ofSize(64).map(Bytes::copyOf),
                Arbitraries.bytes().array(byte[].class).ofSize(WireLimits.SIGNATURE_BYTES_MAX).map(Bytes::copyOf));
    }

    static Arbitrary<Digest> digest() {
        return Arbitraries.bytes().array(byte[].class).ofSize(Digest.LENGTH).map(b -> new Digest(Bytes.copyOf(b)));
    }

    /**
     * Request authenticators: none (the common encoding), whole vectors of 16-byte tags for a
     * few nodes or for the most the wire format allows, and odd lengths (the record accepts any
     * length up to the limit, so the codec must carry them exactly).
     */
    static Arbitrary<Bytes> authenticator() {
        Arbitrary<Bytes> tags = Arbitraries.integers().between(1, 7)
                .flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(16 * n)).map(Bytes::copyOf);
        Arbitrary<Bytes> max = Arbitraries.bytes().array(byte[].class).ofSize(Request.AUTHENTICATOR_BYTES_MAX).map(Bytes::copyOf);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Bytes.EMPTY)),
                net.jqwik.api.Tuple.of(4, tags),
                net.jqwik.api.Tuple.of(1, max),
                net.jqwik.api.Tuple.of(1, bytes(40)));
    }

    public static Arbitrary<Request> request() {
        return Combinators.combine(anyNonNegativeLong(), sequence(), bytes(24), signature(), authenticator())
                .as(Request::new);
    }

    /** Every time a {@link Batch} accepts. */
    static Arbitrary<Long> batchTime() {
        return sequence();
    }

    public static Arbitrary<Batch> batch() {
        return Combinators.combine(batchTime(), request().list().ofMaxSize(3)).as(Batch::new);
    }

    public static Arbitrary<Propose> propose() {
        return Combinators.combine(sequence(), sequence(), batch()).as(Propose::new);
    }

    public static Arbitrary<Accepted> accepted() {
        return Combinators.combine(sequence(), sequence(), digest()).as(Accepted::new);
    }

    public static Arbitrary<Commit> commit() {
        return Combinators.combine(sequence(), sequence(), digest()).as(Commit::new);
    }

    public static Arbitrary<SignedAccept> signedAccept() {
        return Combinators.combine(node(), sequence(), sequence(), digest(), signature()).as(SignedAccept::new);
    }

    public static Arbitrary<Checkpoint> checkpoint() {
        return Combinators.combine(node(), sequence(), digest(), signature()).as(Checkpoint::new);
    }

    public static Arbitrary<DecisionQuery> decisionQuery() {
        return Combinators.combine(sequence(), Arbitraries.integers().between(1, WireLimits.QUERY_SLOTS_MAX))
                .as(DecisionQuery::new);
    }

    public static Arbitrary<Decided> decided() {
        return Combinators.combine(sequence(), batch()).as(Decided::new);
    }

    public static Arbitrary<Reply> reply() {
        return Combinators.combine(anyNonNegativeLong(), sequence(), sequence(), bytes(24)).as(Reply::new);
    }

    public static Arbitrary<ExecutionCheckpoint> executionCheckpoint() {
        return Combinators.combine(node(), sequence(), digest(), signature()).as(ExecutionCheckpoint::new);
    }

    public static Arbitrary<StateRequest> stateRequest() {
        return sequence().map(StateRequest::new);
    }

    /** Every certificate entry names the snapshot's slot (the record requires it); entries need not agree otherwise. */
    public static Arbitrary<StateSnapshot> stateSnapshot() {
        return sequence().flatMap(slot -> {
            Arbitrary<ExecutionCheckpoint> entry = Combinators.combine(node(), digest(), signature())
                    .as((sender, d, sig) -> new ExecutionCheckpoint(sender, slot, d, sig));
            return Combinators.combine(bytes(64), entry.list().ofMaxSize(3)).as((state, cert) -> new StateSnapshot(slot, state, cert));
        });
    }

    static Arbitrary<CheckpointCertificate> checkpointCertificate(long maxSlot) {
        return Combinators.combine(Arbitraries.longs().between(0, maxSlot), digest(), checkpoint().list().ofMaxSize(3))
                .as(CheckpointCertificate::new);
    }

    static Arbitrary<CommitCertificate> commitCertificate(long slot) {
        return Combinators.combine(sequence(), digest(), signedAccept().list().ofMaxSize(3))
                .as((pn, d, accepts) -> new CommitCertificate(pn, slot, d, accepts));
    }

    /** 0: vote only, 1: commit certificate only, 2: both. */
    static Arbitrary<SlotReport> slotReport(long slot) {
        Arbitrary<Vote> vote = Combinators.combine(sequence(), batch()).as(Vote::new);
        return Arbitraries.integers().between(0, 2).flatMap(kind -> switch (kind) {
            case 0 -> vote.map(v -> new SlotReport(slot, v, null, null));
            case 1 -> Combinators.combine(commitCertificate(slot), batch()).as((cc, b) -> new SlotReport(slot, null, cc, b));
            default -> Combinators.combine(vote, commitCertificate(slot), batch()).as((v, cc, b) -> new SlotReport(slot, v, cc, b));
        });
    }

    /** Strictly increasing slots in {@code [from, SEQUENCE_MAX]}, at most {@code max} of them. */
    static Arbitrary<List<Long>> increasingSlots(long from, int max) {
        Arbitrary<Long> slot = Arbitraries.oneOf(
                Arbitraries.longs().between(from, Math.min(WireLimits.SEQUENCE_MAX, from + 50)),
                Arbitraries.longs().between(from, WireLimits.SEQUENCE_MAX));
        return slot.set().ofMaxSize(max).map(s -> new ArrayList<>(new TreeSet<>(s)));
    }

    static Arbitrary<List<SlotReport>> slotReports(long from) {
        return increasingSlots(from, 3).flatMap(slots -> {
            List<Arbitrary<SlotReport>> each = new ArrayList<>();
            for (long s : slots) each.add(slotReport(s));
            return Combinators.combine(each).as(list -> list);
        });
    }

    public static Arbitrary<ViewChange> viewChange() {
        Arbitrary<CheckpointCertificate> stable =
                checkpointCertificate(WireLimits.SEQUENCE_MAX - 1).injectNull(0.4);
        return stable.flatMap(cc -> Combinators.combine(node(), sequence(),
                        slotReports(cc == null ? 0 : cc.slot() + 1), signature())
                .as((sender, pn, reports, sig) -> new ViewChange(sender, pn, cc, reports, sig)));
    }

    static Arbitrary<List<Proposal>> proposals() {
        return increasingSlots(0, 3).flatMap(slots -> {
            List<Arbitrary<Proposal>> each = new ArrayList<>();
            for (long s : slots) each.add(batch().map(b -> new Proposal(s, b)));
            return Combinators.combine(each).as(list -> list);
        });
    }

    public static Arbitrary<NewView> newView() {
        return Combinators.combine(sequence(), viewChange().list().ofMaxSize(2), proposals()).as(NewView::new);
    }

    static Arbitrary<ReplyLeaf> replyLeaf() {
        return Combinators.combine(anyNonNegativeLong(), sequence(), bytes(40)).as(ReplyLeaf::new);
    }

    public static Arbitrary<Ordered> ordered() {
        Arbitrary<DecisionSignature> sig = Combinators.combine(node(), signature()).as(DecisionSignature::new);
        return Combinators.combine(sequence(), batch(), sig.list().ofMaxSize(3)).as(Ordered::new);
    }

    public static Arbitrary<ReplyShare> replyShare() {
        return Combinators.combine(sequence(), replyLeaf().list().ofMaxSize(3), bytes(64)).as(ReplyShare::new);
    }

    public static Arbitrary<SlotReplies> slotReplies() {
        return Combinators.combine(sequence(), replyLeaf().list().ofMaxSize(3), bytes(64)).as(SlotReplies::new);
    }

    public static Arbitrary<ReplyCertificate> replyCertificate() {
        return Arbitraries.integers().between(1, 9).flatMap(count -> Combinators.combine(sequence(), replyLeaf(),
                Arbitraries.integers().between(0, count - 1), digest().list().ofMaxSize(4), bytes(64))
                .as((slot, leaf, index, path, sig) -> new ReplyCertificate(slot, leaf, index, count, path, sig)));
    }

    public static Arbitrary<ExecutedCertificate> executedCertificate() {
        return Combinators.combine(sequence(), digest(), bytes(64)).as(ExecutedCertificate::new);
    }

    public static Arbitrary<FilterIncarnation> filterIncarnation() {
        return Arbitraries.longs().map(FilterIncarnation::new);
    }

    public static Arbitrary<Message> message() {
        return Arbitraries.oneOf(List.of(request(), propose(), accepted(), signedAccept(), commit(), viewChange(), newView(),
                checkpoint(), decisionQuery(), decided(), reply(), executionCheckpoint(), stateRequest(), stateSnapshot(),
                ordered(), replyShare(), slotReplies(), replyCertificate(), executedCertificate(), filterIncarnation()));
    }

    static Set<Class<?>> messageTypes() {
        return Set.of(Request.class, Propose.class, Accepted.class, SignedAccept.class, Commit.class, ViewChange.class,
                NewView.class, Checkpoint.class, DecisionQuery.class, Decided.class, Reply.class, ExecutionCheckpoint.class,
                StateRequest.class, StateSnapshot.class, Ordered.class, ReplyShare.class, SlotReplies.class,
                ReplyCertificate.class, ExecutedCertificate.class, FilterIncarnation.class);
    }
}
