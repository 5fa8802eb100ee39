package io.bulwark.core.codec;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.*;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary wire format: {@code [version u8][type u8][body]}, big-endian, fixed-width
 * integers, u32 length and count prefixes checked against {@link WireLimits}. Exactly one
 * encoding per message; the decoder rejects everything else (trailing bytes, non-0/1
 * booleans, out-of-range fields), so {@code encode(decode(b))} equals {@code b} whenever
 * decoding succeeds.
 *
 * <p>A signed message's signature covers {@code [version][type][fields before the
 * signature]}: the very bytes that are sent, so there is no second "signing format" to keep
 * in step.
 */
public final class WireCodec {
    public static final int VERSION = 1;

    /** Type tags. Never renumber: they are the wire format. */
    public static final int REQUEST = 1, PROPOSE = 2, ACCEPTED = 3, SIGNED_ACCEPT = 4, COMMIT = 5, VIEW_CHANGE = 6,
            NEW_VIEW = 7, CHECKPOINT = 8, DECISION_QUERY = 9, DECIDED = 10, REPLY = 11, EXECUTION_CHECKPOINT = 12,
            STATE_REQUEST = 13, STATE_SNAPSHOT = 14, ORDERED = 15, REPLY_SHARE = 16, SLOT_REPLIES = 17,
            REPLY_CERTIFICATE = 18, EXECUTED_CERTIFICATE = 19, FILTER_INCARNATION = 20;
    /** Tags of statements that are signed but never sent as messages of their own. */
    public static final int DECISION_STATEMENT = 100, SLOT_REPLIES_STATEMENT = 101;

    private static final int DIGEST = Digest.LENGTH;
    /** Smallest possible encodings, for rejecting counts that cannot fit before allocating lists. */
    private static final int REQUEST_BYTES_MIN = 8 + 8 + 4 + 4 + 4;
    private static final int EXECUTION_CHECKPOINT_BYTES_MIN = 4 + 8 + DIGEST + 4;
    private static final int SIGNED_ACCEPT_BYTES_MIN = 4 + 8 + 8 + DIGEST + 4;
    private static final int CHECKPOINT_BYTES_MIN = 4 + 8 + DIGEST + 4;
    private static final int SLOT_REPORT_BYTES_MIN = 8 + 1 + 1;
    private static final int VIEW_CHANGE_BYTES_MIN = 4 + 8 + 1 + 4 + 4;
    private static final int PROPOSAL_BYTES_MIN = 8 + 8 + 4;
    private static final int DECISION_SIGNATURE_BYTES_MIN = 4 + 4;
    private static final int REPLY_LEAF_BYTES_MIN = 8 + 8 + 4;

    private WireCodec() {}

    // ---------------------------------------------------------------- encoding

    public static byte[] encode(Message m) {
        WireWriter w = new WireWriter(128);
        encode(m, w);
        return w.toByteArray();
    }

    /** Appends the encoding of {@code m} to {@code w}. */
    public static void encode(Message m, WireWriter w) {
        w.u8(VERSION);
        switch (m) {
            case Request r -> {
                w.u8(REQUEST);
                writeRequest(r, w);
            }
            case Propose p -> {
                w.u8(PROPOSE);
                w.i64(p.pn()).i64(p.slot());
                writeBatch(p.batch(), w);
            }
            case Accepted a -> w.u8(ACCEPTED).i64(a.pn()).i64(a.slot()).fixed(a.digest().value());
            case SignedAccept s -> {
                w.u8(SIGNED_ACCEPT);
                writeSignedAccept(s, w);
            }
            case Commit c -> w.u8(COMMIT).i64(c.pn()).i64(c.slot()).fixed(c.digest().value());
            case ViewChange v -> {
                w.u8(VIEW_CHANGE);
                writeViewChange(v, w);
            }
            case NewView n -> {
                w.u8(NEW_VIEW);
                w.i64(n.pn());
                w.i32(n.certificate().size());
                for (ViewChange v : n.certificate()) writeViewChange(v, w);
                w.i32(n.proposals().size());
                for (Proposal p : n.proposals()) {
                    w.i64(p.slot());
                    writeBatch(p.batch(), w);
                }
            }
            case Checkpoint c -> {
                w.u8(CHECKPOINT);
                writeCheckpoint(c, w);
            }
            case DecisionQuery q -> w.u8(DECISION_QUERY).i64(q.fromSlot()).i32(q.count());
            case Decided d -> {
                w.u8(DECIDED);
                w.i64(d.slot());
                writeBatch(d.batch(), w);
            }
            case Reply r -> w.u8(REPLY).i64(r.clientId()).i64(r.timestamp()).i64(r.slot()).bytes(r.result());
            case ExecutionCheckpoint c -> {
                w.u8(EXECUTION_CHECKPOINT);
                writeExecutionCheckpoint(c, w);
            }
            case StateRequest q -> w.u8(STATE_REQUEST).i64(q.slot());
            case Ordered o -> {
                w.u8(ORDERED);
                w.i64(o.slot());
                writeBatch(o.batch(), w);
                w.i32(o.proof().size());
                for (DecisionSignature d : o.proof()) w.i32(d.sender()).bytes(d.signature());
            }
            case ReplyShare s -> {
                w.u8(REPLY_SHARE);
                w.i64(s.slot());
                writeReplyLeaves(s.replies(), w);
                w.bytes(s.share());
            }
            case SlotReplies s -> {
                w.u8(SLOT_REPLIES);
                w.i64(s.slot());
                writeReplyLeaves(s.replies(), w);
                w.bytes(s.signature());
            }
            case ReplyCertificate c -> {
                w.u8(REPLY_CERTIFICATE);
                w.i64(c.slot());
                writeReplyLeaf(c.reply(), w);
                w.i32(c.leafIndex()).i32(c.leafCount());
                w.i32(c.path().size());
                for (Digest d : c.path()) w.fixed(d.value());
                w.bytes(c.signature());
            }
            case ExecutedCertificate e -> w.u8(EXECUTED_CERTIFICATE).i64(e.slot()).fixed(e.root().value()).bytes(e.signature());
            case FilterIncarnation i -> w.u8(FILTER_INCARNATION).i64(i.incarnation());
            case StateSnapshot s -> {
                w.u8(STATE_SNAPSHOT);
                w.i64(s.slot()).bytes(s.state());
                w.i32(s.certificate().size());
                for (ExecutionCheckpoint c : s.certificate()) writeExecutionCheckpoint(c, w);
            }
        }
    }

    private static void writeReplyLeaf(ReplyLeaf l, WireWriter w) {
        w.i64(l.clientId()).i64(l.timestamp()).bytes(l.sealedResult());
    }

    private static void writeReplyLeaves(List<ReplyLeaf> leaves, WireWriter w) {
        w.i32(leaves.size());
        for (ReplyLeaf l : leaves) writeReplyLeaf(l, w);
    }

    /** What an agreement node signs when it delivers {@code slot}: [version][DECISION_STATEMENT][slot][digest]. */
    public static byte[] decisionSignedBytes(long slot, Digest digest) {
        WireWriter w = new WireWriter(48);
        header(w, DECISION_STATEMENT);
        w.i64(slot).fixed(digest.value());
        return w.toByteArray();
    }

    /** What the execution cluster threshold-signs per executed slot: [version][SLOT_REPLIES_STATEMENT][slot][Merkle root of its replies]. */
    public static byte[] slotRepliesSignedBytes(long slot, Digest root) {
        WireWriter w = new WireWriter(48);
        header(w, SLOT_REPLIES_STATEMENT);
        w.i64(slot).fixed(root.value());
        return w.toByteArray();
    }

    private static void writeExecutionCheckpointFields(int sender, long slot, Digest stateDigest, WireWriter w) {
        w.i32(sender).i64(slot).fixed(stateDigest.value());
    }

    private static void writeExecutionCheckpoint(ExecutionCheckpoint c, WireWriter w) {
        writeExecutionCheckpointFields(c.sender(), c.slot(), c.stateDigest(), w);
        w.bytes(c.signature());
    }

    public static byte[] executionCheckpointSignedBytes(int sender, long slot, Digest stateDigest) {
        WireWriter w = new WireWriter(64);
        header(w, EXECUTION_CHECKPOINT);
        writeExecutionCheckpointFields(sender, slot, stateDigest, w);
        return w.toByteArray();
    }

    public static byte[] signedBytes(ExecutionCheckpoint c) {
        return executionCheckpointSignedBytes(c.sender(), c.slot(), c.stateDigest());
    }

    private static void writeRequestFields(long clientId, long timestamp, Bytes operation, WireWriter w) {
        w.i64(clientId).i64(timestamp).bytes(operation);
    }

    private static void writeRequest(Request r, WireWriter w) {
        writeRequestFields(r.clientId(), r.timestamp(), r.operation(), w);
        w.bytes(r.signature());
        w.bytes(r.authenticator());
    }

    private static void writeBatch(Batch b, WireWriter w) {
        w.i64(b.timeMillis());
        w.i32(b.requests().size());
        for (Request r : b.requests()) writeRequest(r, w);
    }

    private static void writeSignedAcceptFields(int acceptor, long pn, long slot, Digest digest, WireWriter w) {
        w.i32(acceptor).i64(pn).i64(slot).fixed(digest.value());
    }

    private static void writeSignedAccept(SignedAccept s, WireWriter w) {
        writeSignedAcceptFields(s.acceptor(), s.pn(), s.slot(), s.digest(), w);
        w.bytes(s.signature());
    }

    private static void writeCheckpointFields(int sender, long slot, Digest logHash, WireWriter w) {
        w.i32(sender).i64(slot).fixed(logHash.value());
    }

    private static void writeCheckpoint(Checkpoint c, WireWriter w) {
        writeCheckpointFields(c.sender(), c.slot(), c.logHash(), w);
        w.bytes(c.signature());
    }

    private static void writeCheckpointCertificate(CheckpointCertificate c, WireWriter w) {
        w.i64(c.slot()).fixed(c.logHash().value());
        w.i32(c.signatures().size());
        for (Checkpoint s : c.signatures()) writeCheckpoint(s, w);
    }

    private static void writeCommitCertificate(CommitCertificate c, WireWriter w) {
        w.i64(c.pn()).i64(c.slot()).fixed(c.digest().value());
        w.i32(c.accepts().size());
        for (SignedAccept s : c.accepts()) writeSignedAccept(s, w);
    }

    private static void writeViewChangeFields(int sender, long pn, CheckpointCertificate stable, List<SlotReport> reports,
            WireWriter w) {
        w.i32(sender).i64(pn);
        w.bool(stable != null);
        if (stable != null) writeCheckpointCertificate(stable, w);
        w.i32(reports.size());
        for (SlotReport r : reports) {
            w.i64(r.slot());
            w.bool(r.vote() != null);
            if (r.vote() != null) {
                w.i64(r.vote().pn());
                writeBatch(r.vote().batch(), w);
            }
            w.bool(r.commit() != null);
            if (r.commit() != null) {
                writeCommitCertificate(r.commit(), w);
                writeBatch(r.commitBatch(), w);
            }
        }
    }

    private static void writeViewChange(ViewChange v, WireWriter w) {
        writeViewChangeFields(v.sender(), v.pn(), v.stable(), v.reports(), w);
        w.bytes(v.signature());
    }

    // ---------------------------------------------------------------- signed bytes

    private static void header(WireWriter w, int type) {
        w.u8(VERSION).u8(type);
    }

    /** The bytes a client signs for a request. */
    public static byte[] requestSignedBytes(long clientId, long timestamp, Bytes operation) {
        WireWriter w = new WireWriter(32 + operation.length());
        header(w, REQUEST);
        writeRequestFields(clientId, timestamp, operation, w);
        return w.toByteArray();
    }

    public static byte[] signedBytes(Request r) {
        return requestSignedBytes(r.clientId(), r.timestamp(), r.operation());
    }

    public static byte[] signedAcceptSignedBytes(int acceptor, long pn, long slot, Digest digest) {
        WireWriter w = new WireWriter(64);
        header(w, SIGNED_ACCEPT);
        writeSignedAcceptFields(acceptor, pn, slot, digest, w);
        return w.toByteArray();
    }

    public static byte[] signedBytes(SignedAccept s) {
        return signedAcceptSignedBytes(s.acceptor(), s.pn(), s.slot(), s.digest());
    }

    public static byte[] checkpointSignedBytes(int sender, long slot, Digest logHash) {
        WireWriter w = new WireWriter(64);
        header(w, CHECKPOINT);
        writeCheckpointFields(sender, slot, logHash, w);
        return w.toByteArray();
    }

    public static byte[] signedBytes(Checkpoint c) {
        return checkpointSignedBytes(c.sender(), c.slot(), c.logHash());
    }

    public static byte[] viewChangeSignedBytes(int sender, long pn, CheckpointCertificate stable, List<SlotReport> reports) {
        WireWriter w = new WireWriter(256);
        header(w, VIEW_CHANGE);
        writeViewChangeFields(sender, pn, stable, reports, w);
        return w.toByteArray();
    }

    public static byte[] signedBytes(ViewChange v) {
        return viewChangeSignedBytes(v.sender(), v.pn(), v.stable(), v.reports());
    }

    /** SHA-256 of the batch's canonical encoding: the value's identity in agreement. */
    public static Digest batchDigest(Batch b) {
        WireWriter w = new WireWriter(64 + 64 * b.requests().size());
        writeBatch(b, w);
        return Digest.sha256(w.buffer(), 0, w.position());
    }

    // ---------------------------------------------------------------- values outside messages

    /** Appends a batch's canonical encoding (for hosts that store batches, e.g. a write-ahead log). */
    public static void writeBatchTo(Batch b, WireWriter w) {
        writeBatch(b, w);
    }

    public static Batch readBatchFrom(WireReader r) throws MalformedMessageException {
        try {
            return readBatch(r);
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, String.valueOf(invalid.getMessage()));
        }
    }

    public static void writeCommitCertificateTo(CommitCertificate c, WireWriter w) {
        writeCommitCertificate(c, w);
    }

    public static CommitCertificate readCommitCertificateFrom(WireReader r) throws MalformedMessageException {
        try {
            return readCommitCertificate(r);
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, String.valueOf(invalid.getMessage()));
        }
    }

    public static void writeCheckpointCertificateTo(CheckpointCertificate c, WireWriter w) {
        writeCheckpointCertificate(c, w);
    }

    public static CheckpointCertificate readCheckpointCertificateFrom(WireReader r) throws MalformedMessageException {
        try {
            return readCheckpointCertificate(r);
        } catch (IllegalArgumentException | NullPointerException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, String.valueOf(invalid.getMessage()));
        }
    }

    // ---------------------------------------------------------------- decoding

    public static Message decode(byte[] bytes) throws MalformedMessageException {
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes exactly one message filling {@code bytes[offset, offset+length)}. */
    public static Message decode(byte[] bytes, int offset, int length) throws MalformedMessageException {
        if (length > WireLimits.FRAME_BYTES_MAX) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, "frame of " + length + " bytes");
        }
        WireReader r = new WireReader(bytes, offset, length);
        int version = r.u8();
        if (version != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "version " + version);
        int type = r.u8();
        try {
            Message m = switch (type) {
                case REQUEST -> readRequest(r);
                case PROPOSE -> new Propose(seq(r, "pn"), seq(r, "slot"), readBatch(r));
                case ACCEPTED -> new Accepted(seq(r, "pn"), seq(r, "slot"), digest(r));
                case SIGNED_ACCEPT -> readSignedAccept(r);
                case COMMIT -> new Commit(seq(r, "pn"), seq(r, "slot"), digest(r));
                case VIEW_CHANGE -> readViewChange(r);
                case NEW_VIEW -> readNewView(r);
                case CHECKPOINT -> readCheckpoint(r);
                case DECISION_QUERY -> new DecisionQuery(seq(r, "fromSlot"), r.intIn(1, WireLimits.QUERY_SLOTS_MAX, "count"));
                case DECIDED -> new Decided(seq(r, "slot"), readBatch(r));
                case REPLY -> new Reply(r.u63(Long.MAX_VALUE, "clientId"), seq(r, "timestamp"), seq(r, "slot"),
                        r.bytes(WireLimits.RESULT_BYTES_MAX, "result"));
                case EXECUTION_CHECKPOINT -> readExecutionCheckpoint(r);
                case STATE_REQUEST -> new StateRequest(seq(r, "slot"));
                case STATE_SNAPSHOT -> readStateSnapshot(r);
                case ORDERED -> readOrdered(r);
                case REPLY_SHARE -> new ReplyShare(seq(r, "slot"), readReplyLeaves(r),
                        r.bytes(WireLimits.THRESHOLD_SHARE_BYTES_MAX, "share"));
                case SLOT_REPLIES -> new SlotReplies(seq(r, "slot"), readReplyLeaves(r),
                        r.bytes(WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX, "signature"));
                case REPLY_CERTIFICATE -> readReplyCertificate(r);
                case EXECUTED_CERTIFICATE -> new ExecutedCertificate(seq(r, "slot"), digest(r),
                        r.bytes(WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX, "signature"));
                case FILTER_INCARNATION -> new FilterIncarnation(r.i64());
                default -> throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "type " + type);
            };
            r.expectEnd();
            return m;
        } catch (IllegalArgumentException | NullPointerException invalid) {
            // A record's own invariant (ordering, pairing) rejected the decoded fields.
            throw new MalformedMessageException(Reason.INVALID_FIELD, String.valueOf(invalid.getMessage()));
        }
    }

    private static long seq(WireReader r, String field) throws MalformedMessageException {
        return r.u63(WireLimits.SEQUENCE_MAX, field);
    }

    private static int node(WireReader r, String field) throws MalformedMessageException {
        return r.intIn(0, WireLimits.NODES_MAX - 1, field);
    }

    private static Digest digest(WireReader r) throws MalformedMessageException {
        return new Digest(r.fixed(DIGEST));
    }

    private static Request readRequest(WireReader r) throws MalformedMessageException {
        long clientId = r.u63(Long.MAX_VALUE, "clientId");
        long timestamp = seq(r, "timestamp");
        Bytes operation = r.bytes(WireLimits.OPERATION_BYTES_MAX, "operation");
        Bytes signature = r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature");
        Bytes authenticator = r.bytes(Request.AUTHENTICATOR_BYTES_MAX, "authenticator");
        return new Request(clientId, timestamp, operation, signature, authenticator);
    }

    private static Batch readBatch(WireReader r) throws MalformedMessageException {
        long time = r.u63(WireLimits.SEQUENCE_MAX, "timeMillis");
        int n = r.count(WireLimits.BATCH_REQUESTS_MAX, REQUEST_BYTES_MIN, "requests");
        List<Request> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) requests.add(readRequest(r));
        return new Batch(time, requests);
    }

    private static Ordered readOrdered(WireReader r) throws MalformedMessageException {
        long slot = seq(r, "slot");
        Batch batch = readBatch(r);
        int n = r.count(WireLimits.NODES_MAX, DECISION_SIGNATURE_BYTES_MIN, "decision signatures");
        List<DecisionSignature> proof = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            proof.add(new DecisionSignature(node(r, "sender"), r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature")));
        }
        return new Ordered(slot, batch, proof);
    }

    private static ReplyLeaf readReplyLeaf(WireReader r) throws MalformedMessageException {
        return new ReplyLeaf(r.u63(Long.MAX_VALUE, "clientId"), seq(r, "timestamp"),
                r.bytes(WireLimits.RESULT_BYTES_MAX + 64, "sealedResult"));
    }

    private static List<ReplyLeaf> readReplyLeaves(WireReader r) throws MalformedMessageException {
        int n = r.count(WireLimits.BATCH_REQUESTS_MAX, REPLY_LEAF_BYTES_MIN, "replies");
        List<ReplyLeaf> leaves = new ArrayList<>(n);
        for (int i = 0; i < n; i++) leaves.add(readReplyLeaf(r));
        return leaves;
    }

    private static ReplyCertificate readReplyCertificate(WireReader r) throws MalformedMessageException {
        long slot = seq(r, "slot");
        ReplyLeaf leaf = readReplyLeaf(r);
        int index = r.intIn(0, WireLimits.BATCH_REQUESTS_MAX - 1, "leafIndex");
        int count = r.intIn(1, WireLimits.BATCH_REQUESTS_MAX, "leafCount");
        int n = r.count(ReplyCertificate.PATH_MAX, DIGEST, "path");
        List<Digest> path = new ArrayList<>(n);
        for (int i = 0; i < n; i++) path.add(digest(r));
        return new ReplyCertificate(slot, leaf, index, count, path, r.bytes(WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX, "signature"));
    }

    private static SignedAccept readSignedAccept(WireReader r) throws MalformedMessageException {
        return new SignedAccept(node(r, "acceptor"), seq(r, "pn"), seq(r, "slot"), digest(r),
                r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature"));
    }

    private static ExecutionCheckpoint readExecutionCheckpoint(WireReader r) throws MalformedMessageException {
        return new ExecutionCheckpoint(node(r, "sender"), seq(r, "slot"), digest(r),
                r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature"));
    }

    private static StateSnapshot readStateSnapshot(WireReader r) throws MalformedMessageException {
        long slot = seq(r, "slot");
        Bytes state = r.bytes(StateSnapshot.STATE_BYTES_MAX, "state");
        int n = r.count(WireLimits.NODES_MAX, EXECUTION_CHECKPOINT_BYTES_MIN, "certificate");
        List<ExecutionCheckpoint> cert = new ArrayList<>(n);
        for (int i = 0; i < n; i++) cert.add(readExecutionCheckpoint(r));
        return new StateSnapshot(slot, state, cert);
    }

    private static Checkpoint readCheckpoint(WireReader r) throws MalformedMessageException {
        return new Checkpoint(node(r, "sender"), seq(r, "slot"), digest(r), r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature"));
    }

    private static CheckpointCertificate readCheckpointCertificate(WireReader r) throws MalformedMessageException {
        long slot = seq(r, "slot");
        Digest hash = digest(r);
        int n = r.count(WireLimits.NODES_MAX, CHECKPOINT_BYTES_MIN, "checkpoint signatures");
        List<Checkpoint> sigs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) sigs.add(readCheckpoint(r));
        return new CheckpointCertificate(slot, hash, sigs);
    }

    private static CommitCertificate readCommitCertificate(WireReader r) throws MalformedMessageException {
        long pn = seq(r, "pn");
        long slot = seq(r, "slot");
        Digest d = digest(r);
        int n = r.count(WireLimits.NODES_MAX, SIGNED_ACCEPT_BYTES_MIN, "accepts");
        List<SignedAccept> accepts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) accepts.add(readSignedAccept(r));
        return new CommitCertificate(pn, slot, d, accepts);
    }

    private static ViewChange readViewChange(WireReader r) throws MalformedMessageException {
        int sender = node(r, "sender");
        long pn = seq(r, "pn");
        CheckpointCertificate stable = r.bool() ? readCheckpointCertificate(r) : null;
        int n = r.count(WireLimits.REPORT_SLOTS_MAX, SLOT_REPORT_BYTES_MIN, "slot reports");
        List<SlotReport> reports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long slot = seq(r, "slot");
            Vote vote = r.bool() ? new Vote(seq(r, "vote pn"), readBatch(r)) : null;
            CommitCertificate cc = null;
            Batch ccBatch = null;
            if (r.bool()) {
                cc = readCommitCertificate(r);
                ccBatch = readBatch(r);
            }
            reports.add(new SlotReport(slot, vote, cc, ccBatch));
        }
        Bytes signature = r.bytes(WireLimits.SIGNATURE_BYTES_MAX, "signature");
        return new ViewChange(sender, pn, stable, reports, signature);
    }

    private static NewView readNewView(WireReader r) throws MalformedMessageException {
        long pn = seq(r, "pn");
        int n = r.count(WireLimits.NODES_MAX, VIEW_CHANGE_BYTES_MIN, "view changes");
        List<ViewChange> cert = new ArrayList<>(n);
        for (int i = 0; i < n; i++) cert.add(readViewChange(r));
        int p = r.count(WireLimits.REPORT_SLOTS_MAX, PROPOSAL_BYTES_MIN, "proposals");
        List<Proposal> proposals = new ArrayList<>(p);
        for (int i = 0; i < p; i++) proposals.add(new Proposal(seq(r, "slot"), readBatch(r)));
        return new NewView(pn, cert, proposals);
    }
}
