package io.bulwark.runtime.net;

import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.message.*;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one transport; updated by I/O and protocol threads, readable from any thread. */
public final class TransportStats {
    static final int TYPES = 21;
    private static final String[] TYPE_NAMES = new String[TYPES];

    static {
        TYPE_NAMES[0] = "unknown";
        TYPE_NAMES[WireCodec.REQUEST] = "request";
        TYPE_NAMES[WireCodec.PROPOSE] = "propose";
        TYPE_NAMES[WireCodec.ACCEPTED] = "accepted";
        TYPE_NAMES[WireCodec.SIGNED_ACCEPT] = "signed-accept";
        TYPE_NAMES[WireCodec.COMMIT] = "commit";
        TYPE_NAMES[WireCodec.VIEW_CHANGE] = "view-change";
        TYPE_NAMES[WireCodec.NEW_VIEW] = "new-view";
        TYPE_NAMES[WireCodec.CHECKPOINT] = "checkpoint";
        TYPE_NAMES[WireCodec.DECISION_QUERY] = "decision-query";
        TYPE_NAMES[WireCodec.DECIDED] = "decided";
        TYPE_NAMES[WireCodec.REPLY] = "reply";
        TYPE_NAMES[WireCodec.EXECUTION_CHECKPOINT] = "execution-checkpoint";
        TYPE_NAMES[WireCodec.STATE_REQUEST] = "state-request";
        TYPE_NAMES[WireCodec.STATE_SNAPSHOT] = "state-snapshot";
        TYPE_NAMES[WireCodec.ORDERED] = "ordered";
        TYPE_NAMES[WireCodec.REPLY_SHARE] = "reply-share";
        TYPE_NAMES[WireCodec.SLOT_REPLIES] = "slot-replies";
        TYPE_NAMES[WireCodec.REPLY_CERTIFICATE] = "reply-certificate";
        TYPE_NAMES[WireCodec.EXECUTED_CERTIFICATE] = "executed-certificate";
        TYPE_NAMES[WireCodec.FILTER_INCARNATION] = "filter-incarnation";
        for (int i = 0; i < TYPES; i++) {
            if (TYPE_NAMES[i] == null) TYPE_NAMES[i] = "type-" + i;
        }
    }

    private final LongAdder[] in = adders(TYPES);
    private final LongAdder[] out = adders(TYPES);
    private final LongAdder[] malformed = adders(Reason.values().length);
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder outboundDrops = new LongAdder();
    final LongAdder unroutable = new LongAdder();
    final LongAdder oversizedFrames = new LongAdder();
    final LongAdder refusedPeers = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();
    final LongAdder unauthenticatedFrames = new LongAdder();
    final LongAdder connections = new LongAdder();
    final LongAdder disconnections = new LongAdder();
    final LongAdder topologyRefusedConnections = new LongAdder();
    final LongAdder topologyDroppedIn = new LongAdder();
    final LongAdder topologyDroppedOut = new LongAdder();

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    /** The wire type tag of {@code m}. */
    public static int typeOf(Message m) {
        return switch (m) {
            case Request r -> WireCodec.REQUEST;
            case Propose p -> WireCodec.PROPOSE;
            case Accepted a -> WireCodec.ACCEPTED;
            case SignedAccept s -> WireCodec.SIGNED_ACCEPT;
            case Commit c -> WireCodec.COMMIT;
            case ViewChange v -> WireCodec.VIEW_CHANGE;
            case NewView n -> WireCodec.NEW_VIEW;
            case Checkpoint c -> WireCodec.CHECKPOINT;
            case DecisionQuery q -> WireCodec.DECISION_QUERY;
            case Decided d -> WireCodec.DECIDED;
            case Reply r -> WireCodec.REPLY;
            case ExecutionCheckpoint c -> WireCodec.EXECUTION_CHECKPOINT;
            case StateRequest q -> WireCodec.STATE_REQUEST;
            case StateSnapshot s -> WireCodec.STATE_SNAPSHOT;
            case Ordered o -> WireCodec.ORDERED;
            case ReplyShare r -> WireCodec.REPLY_SHARE;
            case SlotReplies r -> WireCodec.SLOT_REPLIES;
            case ReplyCertificate c -> WireCodec.REPLY_CERTIFICATE;
            case ExecutedCertificate c -> WireCodec.EXECUTED_CERTIFICATE;
            case FilterIncarnation i -> WireCodec.FILTER_INCARNATION;
        };
    }

    public static String typeName(int type) {
        return type >= 0 && type < TYPES ? TYPE_NAMES[type] : "type-" + type;
    }

    void received(int type, int bytes) {
        in[type].increment();
        bytesIn.add(bytes);
    }

    void sent(int type, int bytes) {
        out[type].increment();
        bytesOut.add(bytes);
    }

    void countMalformed(Reason reason) {
        malformed[reason.ordinal()].increment();
    }

    public long messagesIn(int type) {
        return in[type].sum();
    }

    public long messagesOut(int type) {
        return out[type].sum();
    }

    public long messagesIn() {
        long s = 0;
        for (LongAdder a : in) s += a.sum();
        return s;
    }

    public long messagesOut() {
        long s = 0;
        for (LongAdder a : out) s += a.sum();
        return s;
    }

    public long malformed(Reason reason) {
        return malformed[reason.ordinal()].sum();
    }

    public long malformedTotal() {
        long s = 0;
        for (LongAdder a : malformed) s += a.sum();
        return s;
    }

    /** Non-zero malformed counters by reason. */
    public Map<Reason, Long> malformedByReason() {
        Map<Reason, Long> m = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            long n = malformed[r.ordinal()].sum();
            if (n > 0) m.put(r, n);
        }
        return m;
    }

    /** Non-zero per-type counts, {@code in} or {@code out}. */
    public Map<String, Long> byType(boolean inbound) {
        Map<String, Long> m = new LinkedHashMap<>();
        LongAdder[] a = inbound ? in : out;
        for (int i = 0; i < TYPES; i++) {
            long n = a[i].sum();
            if (n > 0) m.put(TYPE_NAMES[i], n);
        }
        return m;
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Frames dropped because a peer's outbound queue was full. */
    public long outboundDrops() {
        return outboundDrops.sum();
    }

    /** Frames for a client with no open connection, or an unknown recipient. */
    public long unroutable() {
        return unroutable.sum();
    }

    public long oversizedFrames() {
        return oversizedFrames.sum();
    }

    /** Connections closed because the peer's certificate named no principal, or the wrong one. */
    public long refusedPeers() {
        return refusedPeers.sum();
    }

    public long handshakeFailures() {
        return handshakeFailures.sum();
    }

    public long unauthenticatedFrames() {
        return unauthenticatedFrames.sum();
    }

    public long connections() {
        return connections.sum();
    }

    public long disconnections() {
        return disconnections.sum();
    }

    /** Authenticated connections closed because the firewall topology does not link the peer with this end ({@link Topology}). */
    public long topologyRefusedConnections() {
        return topologyRefusedConnections.sum();
    }

    /** Frames received from a peer the topology does not link with this end, dropped. */
    public long topologyDroppedIn() {
        return topologyDroppedIn.sum();
    }

    /** Messages this end tried to send to a peer the topology does not link it with, dropped. */
    public long topologyDroppedOut() {
        return topologyDroppedOut.sum();
    }
}
