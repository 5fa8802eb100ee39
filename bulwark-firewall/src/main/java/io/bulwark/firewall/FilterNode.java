package io.bulwark.firewall;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.FilterIncarnation;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import io.bulwark.core.step.ProtocolCore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One filter of the privacy firewall (Yin, Martin, Venkataramani, Alvisi, Dahlin, "Separating
 * Agreement from Execution for Byzantine Fault Tolerant Services", SOSP 2003, §4): (h+1) rows of
 * (h+1) filters between the agreement cluster (below row 0) and the execution cluster (above row
 * h). With at most h faulty filters one row is entirely correct, and that row lets out only
 * complete, threshold-signed (hence unique) replies to requests that were ordered; every row has a
 * correct filter, which keeps the firewall live. Protocol: docs/firewall.md. No I/O: hosts feed
 * it messages and timer firings with the current time, and carry out what it leaves in the
 * {@link Outbox}.
 *
 * <pre>
 *   a = 3f+2t+1 agreement nodes, 2g+1 execution nodes, (h+1)² filters; a filter talks only to the rows next to it
 *   up    row 0: f+1 valid signatures of distinct agreement nodes on (s, digest of a batch held)
 *                → ORDERED(s, batch, those f+1) to every node of the row above, once per slot
 *         row ≥ 1: ORDERED from the row below with f+1 valid distinct agreement signatures → the same
 *   down  row h: k = g+1 REPLY-SHARE on one statement (s, Merkle root of the replies) from distinct execution
 *                nodes → combine optimistically; if that fails check each share, blame the sender of a bad one
 *         every row: SLOT-REPLIES passes down iff (a) s was passed up here, (b) the replies answer s's requests
 *                in batch order without repeats, (c) the combined signature verifies, (d) s's replies have not
 *                passed down before
 *         row 0: REPLY-CERTIFICATE to each client, EXECUTED-CERTIFICATE to each agreement node
 *                (at multiples of the release interval when one is set)
 *   catch-up: DECISION-QUERY from above answered from the last retainedSlots ORDERED; row ≥ 1, each heartbeat with a
 *             gap or no new slot → DECISION-QUERY(own first missing slot) down; a query is never forwarded down;
 *             row 0 never queries (its progress is timing): agreement nodes re-send the ORDERED it has not acknowledged;
 *             row 0 announces FILTER-INCARNATION(start time) on start and every heartbeat (a new one: it forgot
 *             everything); an ORDERED re-sent for a slot whose certificate was released here → that
 *             EXECUTED-CERTIFICATE back to the sender (its acknowledgement), at most 64 per node per heartbeat
 *   retransmission: REQUEST at row 0 with a certificate cached for it → that certificate again (same bytes);
 *             request passed up, no replies for its slot → REQUEST up, at most once per heartbeat per client
 * </pre>
 *
 * Everything else is dropped and counted by {@link DropReason}. Memory is bounded against faulty
 * peers: ORDERED is accepted only in a window of {@code trackedSlots} slots from the first missing
 * one (row 0 keeps at most one signature per agreement node per slot there, and one batch per
 * distinct signed digest); {@code retainedSlots} passed slots are kept with their replies; shares
 * are kept only for retained slots whose replies have not passed down, at most one per execution
 * node per slot; per-client state ({@code clientsMax} entries, least recently used forgotten) holds
 * the client's last request passed up, its last certificate and a rate-limit stamp; the release
 * queue holds at most the outputs of the slots passed down in one interval. Time enters only
 * through the release schedule and the heartbeat.
 */
public final class FilterNode implements ProtocolCore {
    /** Periodic catch-up check; the unit of every rate limit. */
    public enum HeartbeatTimer { INSTANCE }

    /** Row 0 with a release interval: flush the queued certificates. */
    public enum ReleaseTimer { INSTANCE }

    /** Why an input was dropped. */
    public enum DropReason {
        /** From a node outside the adjacent rows, or a message type that sender has no business sending here. */
        UNEXPECTED,
        /** Inconsistent in itself: a row-0 ORDERED whose proof is not the sender's one signature, a proof longer
         *  than the agreement cluster, a REQUEST from a client for another client, a null input. */
        MALFORMED,
        /** An agreement signature, or a combined threshold signature, that does not verify. */
        BAD_SIGNATURE,
        /** ORDERED from the row below with fewer than f+1 signatures of distinct agreement nodes, none bad. */
        INSUFFICIENT_PROOF,
        /** A second, different signature or share from one node for one slot. */
        CONFLICTING,
        /** Already done: the slot was passed up (ORDERED) or its replies passed down, or the sender's share is held. */
        DUPLICATE,
        /** A slot below the first missing one that is not retained, or beyond the tracked window. */
        OUT_OF_WINDOW,
        /** (a) Replies or shares for a slot this filter did not pass up (or no longer retains); a retransmitted
         *  request this filter never passed up. */
        UNSOLICITED,
        /** (b) Replies that do not answer the slot's requests in batch order without repeats. */
        NOT_REQUESTED,
        /** A share that failed verification or claims another signer's index; blamed on its sender. */
        BAD_SHARE,
        /** A query beyond one per heartbeat from a node above, or a retransmission beyond one per heartbeat per client. */
        RATE_LIMITED,
        /** A retransmitted request whose slot's replies passed down here with nothing to re-send for it
         *  (no certificate for that client: the reply is still queued for release, or it had no reply). */
        NOTHING_TO_RESEND,
        /** A timer this core never set. */
        UNKNOWN_TIMER
    }

    /**
     * Row 0: EXECUTED-CERTIFICATEs sent back per agreement node per heartbeat for ORDERED it re-sent
     * of slots already passed down here: as many as an agreement node re-sends in a round, and no
     * more, however many ORDERED a faulty one sends.
     */
    static final int ACKNOWLEDGEMENTS_PER_HEARTBEAT = 64;

    /** A slot passed up: what queries are answered from and replies are checked against. */
    private static final class PassedSlot {
        final Ordered ordered;
        /** The heartbeat during which it passed up: its replies are overdue from the next one on. */
        final long passedAtHeartbeat;
        /** The replies passed down, or null. */
        SlotReplies replies;
        /** Row 0: the EXECUTED-CERTIFICATE once released, or null (an acknowledgement must not overtake the schedule). */
        ExecutedCertificate executed;

        PassedSlot(Ordered ordered, long passedAtHeartbeat) {
            this.ordered = ordered;
            this.passedAtHeartbeat = passedAtHeartbeat;
        }
    }

    /** Row 0: agreement signatures on one slot not yet passed up. */
    private static final class Collecting {
        /** The digest each agreement node signed, or null. */
        final Digest[] signedBy;
        /** One batch per distinct signed digest, with its signatures in arrival order. */
        final Map<Digest, Candidate> candidates = new LinkedHashMap<>();

        Collecting(int agreementNodes) {
            signedBy = new Digest[agreementNodes];
        }
    }

    private record Candidate(Batch batch, List<DecisionSignature> signatures) {}

    /** Row h: the shares received for one passed slot whose replies have not passed down. */
    private static final class SlotShares {
        /** Per execution node (by index 0..2g): the share it sent, or null; a node gets one. */
        final Bytes[] shareOf;
        final Digest[] rootOf;
        final Map<Digest, ShareGroup> groups = new LinkedHashMap<>();

        SlotShares(int executionNodes) {
            shareOf = new Bytes[executionNodes];
            rootOf = new Digest[executionNodes];
        }
    }

    /** Shares on one statement (slot, root of these replies). */
    private static final class ShareGroup {
        final List<ReplyLeaf> replies;
        final byte[] statement;
        /** By execution node index, ascending. */
        final TreeMap<Integer, Bytes> shares = new TreeMap<>();
        /** Execution node indices whose share passed {@link ThresholdVerifier#verifyShare}. */
        final BitSet verified = new BitSet();

        ShareGroup(List<ReplyLeaf> replies, byte[] statement) {
            this.replies = replies;
            this.statement = statement;
        }
    }

    /** What a filter remembers of one client. */
    private static final class ClientEntry {
        /** The client's latest request passed up: timestamp (-1: none), slot and position in the batch. */
        long requestTimestamp = -1;
        long requestSlot;
        int requestIndex;
        /** Heartbeat at which a retransmission of this client was last acted on. */
        long actedAtHeartbeat = -1;
        /** Row 0: the last certificate released to this client, or null. */
        ReplyCertificate certificate;
    }

    private final ClusterSpec spec;
    private final FilterConfig config;
    private final int self;
    private final SignatureVerifier signatures;
    private final ThresholdVerifier executionKey;
    private final int row;
    private final int topRow;
    private final int agreementNodes;
    private final int proofSize;
    private final int firstExecutionNode;
    private final int executionNodes;
    /** Node ids of the row below are [belowFirst, belowFirst + belowCount): agreement nodes for row 0. */
    private final int belowFirst;
    private final int belowCount;
    /** Node ids of the row above are [aboveFirst, aboveFirst + aboveCount): execution nodes for row h. */
    private final int aboveFirst;
    private final int aboveCount;

    // Up.
    /** Every slot below it has been passed up or given up. */
    private long nextSlot;
    private long highestPassed = -1;
    private boolean passedSinceHeartbeat;
    private final TreeMap<Long, PassedSlot> passed = new TreeMap<>();
    private final TreeMap<Long, Collecting> collecting = new TreeMap<>();
    /** Row 0: per agreement node, the highest slot beyond the window it signed (-1: none). */
    private final long[] farAhead;

    // Down.
    private final TreeMap<Long, SlotShares> shares = new TreeMap<>();
    private final ArrayDeque<Outbox.Send> releaseQueue = new ArrayDeque<>();
    private boolean releaseArmed;

    // Clients and rate limits.
    private final LinkedHashMap<Long, ClientEntry> clients;
    private long heartbeats;
    /** Row 0: announced on every heartbeat (set by start). */
    private FilterIncarnation incarnation;
    /** Row 0: EXECUTED-CERTIFICATEs each agreement node may still get back in this heartbeat for ORDERED re-sent here. */
    private final int[] acknowledgementsLeft;
    /** Per node of the row above: the heartbeat its last query was answered in. */
    private final long[] answeredAtHeartbeat;
    /** Heartbeat at which each node below last had its replies query answered: at most once per heartbeat each. */
    private final long[] repliesAnsweredAtHeartbeat;
    private long now;

    // Counters, read by hosts for metrics and by tests.
    private final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    private final long[] badSharesBySender;
    private long orderedPassedUp;
    private long repliesPassedDown;
    private long certificatesSent;
    private long certificatesResent;
    private long executedCertificatesSent;
    private long executedCertificatesResent;
    private long repliesQueriesSent;
    /** Row 0: the highest EXECUTED-CERTIFICATE released, re-sent on quiet heartbeats (see heartbeat). */
    private ExecutedCertificate latestExecuted;
    private boolean executedSinceHeartbeat;
    private long slotRepliesResent;
    private long requestsForwarded;
    private long queriesSent;
    private long queriesAnswered;
    private long orderedAnswered;
    private long combinations;
    private long combineFallbacks;
    private long windowJumps;
    private long skippedSlots;

    /**
     * @param spec         a cluster with a firewall
     * @param self         this filter's node id ({@link ClusterSpec#filterNode})
     * @param signatures   public keys of the agreement nodes (their decision signatures)
     * @param executionKey the execution cluster's threshold key (k = g+1 of l = 2g+1)
     */
    public FilterNode(ClusterSpec spec, FilterConfig config, int self, SignatureVerifier signatures,
            ThresholdVerifier executionKey) {
        if (spec == null || config == null || signatures == null || executionKey == null) {
            throw new IllegalArgumentException("null argument");
        }
        if (!spec.firewall()) throw new IllegalArgumentException("the cluster has no firewall");
        if (!spec.isFilterNode(self)) throw new IllegalArgumentException("not a filter: " + self);
        if (executionKey.threshold() != spec.g() + 1 || executionKey.signers() != spec.executionNodes()) {
            throw new IllegalArgumentException("threshold key is " + executionKey.threshold() + " of " + executionKey.signers()
                    + ", the execution cluster needs " + (spec.g() + 1) + " of " + spec.executionNodes());
        }
        this.spec = spec;
        this.config = config;
        this.self = self;
        this.signatures = signatures;
        this.executionKey = executionKey;
        this.row = spec.filterRow(self);
        this.topRow = spec.h();
        this.agreementNodes = spec.agreementNodes();
        this.proofSize = spec.f() + 1;
        this.firstExecutionNode = agreementNodes;
        this.executionNodes = spec.executionNodes();
        int width = spec.h() + 1;
        this.belowFirst = row == 0 ? 0 : spec.filterNode(row - 1, 0);
        this.belowCount = row == 0 ? agreementNodes : width;
        this.aboveFirst = row == topRow ? firstExecutionNode : spec.filterNode(row + 1, 0);
        this.aboveCount = row == topRow ? executionNodes : width;
        this.farAhead = new long[agreementNodes];
        Arrays.fill(farAhead, -1);
        this.answeredAtHeartbeat = new long[aboveCount];
        Arrays.fill(answeredAtHeartbeat, -1);
        this.repliesAnsweredAtHeartbeat = new long[belowCount];
        Arrays.fill(repliesAnsweredAtHeartbeat, -1);
        this.badSharesBySender = new long[executionNodes];
        this.acknowledgementsLeft = new int[row == 0 ? agreementNodes : 0];
        Arrays.fill(acknowledgementsLeft, ACKNOWLEDGEMENTS_PER_HEARTBEAT);
        int clientsMax = config.clientsMax();
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ClientEntry> eldest) {
                return size() > clientsMax;
            }
        };
    }

    // ---------------------------------------------------------------- inputs

    public void start(long nowNanos, Outbox out) {
        now = nowNanos;
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
        incarnation = new FilterIncarnation(nowNanos);
        announceIncarnation(out);
    }

    /**
     * Row 0: this process's incarnation (its start time) to every agreement node, on start and
     * every heartbeat. Filters persist nothing; an agreement node that sees a new incarnation sends
     * every retained slot again. The same bytes all along: it says nothing about progress.
     */
    private void announceIncarnation(Outbox out) {
        if (row != 0 || incarnation == null) return;
        for (int node = 0; node < agreementNodes; node++) out.sendToNode(node, incarnation);
    }

    public void onMessage(long nowNanos, Principal from, Message m, Outbox out) {
        now = nowNanos;
        if (from == null || m == null) {
            drop(DropReason.MALFORMED);
        } else if (from.kind() == Principal.Kind.CLIENT) {
            if (row == 0 && m instanceof Request r) {
                onClientRequest(from.id(), r, out);
            } else {
                drop(DropReason.UNEXPECTED);
            }
        } else if (isBelow(from.id())) {
            onFromBelow((int) from.id(), m, out);
        } else if (isAbove(from.id())) {
            onFromAbove((int) from.id(), m, out);
        } else {
            drop(DropReason.UNEXPECTED);
        }
    }

    public void onTimer(long nowNanos, Object key, Outbox out) {
        now = nowNanos;
        if (key == HeartbeatTimer.INSTANCE) {
            heartbeat(out);
        } else if (key == ReleaseTimer.INSTANCE && releaseArmed) {
            release(out);
        } else {
            drop(DropReason.UNKNOWN_TIMER);
        }
    }

    private void onFromBelow(int from, Message m, Outbox out) {
        switch (m) {
            case Ordered o when row == 0 -> onAgreementOrdered(from, o, out);
            case Ordered o -> onProvenOrdered(o, out);
            case Request r when row > 0 -> onRetransmission(from, r, out);
            case DecisionQuery q when row > 0 -> onRepliesQuery(from, q, out);
            default -> drop(DropReason.UNEXPECTED);
        }
    }

    private void onFromAbove(int from, Message m, Outbox out) {
        switch (m) {
            case SlotReplies r when row < topRow -> passDown(r, out);
            case ReplyShare s when row == topRow -> onShare(from - firstExecutionNode, s, out);
            case DecisionQuery q -> onQuery(from, q, out);
            default -> drop(DropReason.UNEXPECTED);
        }
    }

    // ---------------------------------------------------------------- up: ORDERED

    /** Row 0: one agreement node's signature on (slot, digest); f+1 on one digest pass the slot up. */
    private void onAgreementOrdered(int from, Ordered o, Outbox out) {
        if (o.proof().size() != 1 || o.proof().getFirst().sender() != from) {
            drop(DropReason.MALFORMED);
            return;
        }
        long slot = o.slot();
        if (slot < nextSlot || passed.containsKey(slot)) {
            PassedSlot p = passed.get(slot);
            drop(p != null ? DropReason.DUPLICATE : DropReason.OUT_OF_WINDOW);
            // Re-sent: this node has no acknowledgement of the slot (lost, or it met an earlier
            // incarnation of this filter). Acknowledge it if its certificate was released here.
            if (p != null && p.executed != null && acknowledgementsLeft[from] > 0) {
                acknowledgementsLeft[from]--;
                out.sendToNode(from, p.executed);
                executedCertificatesResent++;
            }
            return;
        }
        DecisionSignature signature = o.proof().getFirst();
        Digest digest = o.batch().digest();
        boolean verified = false;
        if (slot >= windowEnd()) {
            // Beyond the window: only evidence that this filter fell behind (f+1 nodes that far ahead).
            if (!verifyDecision(slot, digest, signature)) {
                drop(DropReason.BAD_SIGNATURE);
                return;
            }
            verified = true;
            farAhead[from] = Math.max(farAhead[from], slot);
            long evidence = farAheadEvidence();
            if (evidence >= windowEnd()) jumpTo(evidence - config.trackedSlots() + 1);
            if (slot >= windowEnd() || slot < nextSlot || passed.containsKey(slot)) {
                drop(DropReason.OUT_OF_WINDOW);
                return;
            }
        }
        Collecting c = collecting.get(slot);
        Digest prior = c == null ? null : c.signedBy[from];
        if (prior != null) {
            drop(prior.equals(digest) ? DropReason.DUPLICATE : DropReason.CONFLICTING);
            return;
        }
        if (!verified && !verifyDecision(slot, digest, signature)) {
            drop(DropReason.BAD_SIGNATURE);
            return;
        }
        if (c == null) {
            c = new Collecting(agreementNodes);
            collecting.put(slot, c);
        }
        c.signedBy[from] = digest;
        Candidate candidate = c.candidates.computeIfAbsent(digest, d -> new Candidate(o.batch(), new ArrayList<>()));
        candidate.signatures().add(signature);
        if (candidate.signatures().size() == proofSize) {
            collecting.remove(slot);
            passUp(new Ordered(slot, candidate.batch(), sortedBySender(candidate.signatures())), out);
        }
    }

    /** The (f+1)-th highest far-ahead slot: at least one correct agreement node delivered it, so every slot up to it is decided. */
    private long farAheadEvidence() {
        long[] sorted = farAhead.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - proofSize];
    }

    /** Row ≥ 1: ORDERED with f+1 valid signatures of distinct agreement nodes passes up, once. */
    private void onProvenOrdered(Ordered o, Outbox out) {
        long slot = o.slot();
        if (slot < nextSlot || passed.containsKey(slot)) {
            drop(passed.containsKey(slot) ? DropReason.DUPLICATE : DropReason.OUT_OF_WINDOW);
            return;
        }
        if (o.proof().size() > agreementNodes) {
            drop(DropReason.MALFORMED);
            return;
        }
        List<DecisionSignature> proof = verifyProof(slot, o.batch().digest(), o.proof());
        if (proof == null) return;
        // A proven slot beyond the window is decided: this filter fell behind; give up the slots in between.
        if (slot >= windowEnd()) jumpTo(slot - config.trackedSlots() + 1);
        passUp(new Ordered(slot, o.batch(), proof), out);
    }

    /**
     * The first f+1 valid signatures of distinct agreement nodes in {@code proof}, sorted by
     * sender, or null (counted) if there are fewer. Entries from non-agreement or repeated
     * senders are skipped; at most one verification per entry.
     */
    private List<DecisionSignature> verifyProof(long slot, Digest digest, List<DecisionSignature> proof) {
        List<DecisionSignature> valid = new ArrayList<>(proofSize);
        BitSet seen = new BitSet(agreementNodes);
        boolean bad = false;
        for (DecisionSignature s : proof) {
            if (valid.size() == proofSize) break;
            if (s.sender() >= agreementNodes || seen.get(s.sender())) continue;
            seen.set(s.sender());
            if (verifyDecision(slot, digest, s)) {
                valid.add(s);
            } else {
                bad = true;
            }
        }
        if (valid.size() < proofSize) {
            drop(bad ? DropReason.BAD_SIGNATURE : DropReason.INSUFFICIENT_PROOF);
            return null;
        }
        return sortedBySender(valid);
    }

    private boolean verifyDecision(long slot, Digest digest, DecisionSignature s) {
        return signatures.verify(Principal.node(s.sender()), WireCodec.decisionSignedBytes(slot, digest), s.signature());
    }

    private static List<DecisionSignature> sortedBySender(List<DecisionSignature> signatures) {
        return signatures.stream().sorted(Comparator.comparingInt(DecisionSignature::sender)).toList();
    }

    private void passUp(Ordered o, Outbox out) {
        long slot = o.slot();
        passed.put(slot, new PassedSlot(o, heartbeats));
        highestPassed = Math.max(highestPassed, slot);
        passedSinceHeartbeat = true;
        orderedPassedUp++;
        sendAbove(o, out);
        List<Request> requests = o.batch().requests();
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            ClientEntry e = client(r.clientId());
            // The first slot holding a request is the one whose replies answer it.
            if (r.timestamp() > e.requestTimestamp || (r.timestamp() == e.requestTimestamp && slot < e.requestSlot)) {
                e.requestTimestamp = r.timestamp();
                e.requestSlot = slot;
                e.requestIndex = i;
            }
        }
        advance();
        while (passed.size() > config.retainedSlots()) {
            long evicted = passed.pollFirstEntry().getKey();
            shares.remove(evicted);
            // Cannot happen while trackedSlots <= retainedSlots; kept so that "once per slot" never depends on it.
            if (evicted >= nextSlot) jumpTo(evicted + 1);
        }
    }

    private long windowEnd() {
        return nextSlot + config.trackedSlots();
    }

    private void advance() {
        while (passed.containsKey(nextSlot)) nextSlot++;
    }

    /** Gives up every slot below {@code slot} not yet passed up: this filter will never pass them. */
    private void jumpTo(long slot) {
        if (slot <= nextSlot) return;
        skippedSlots += (slot - nextSlot) - passed.subMap(nextSlot, slot).size();
        collecting.headMap(slot).clear();
        nextSlot = slot;
        windowJumps++;
        advance();
    }

    // ---------------------------------------------------------------- catch-up

    /** From the row above: ORDERED for the retained slots asked for, to the asker only; never forwarded down. */
    private void onQuery(int from, DecisionQuery q, Outbox out) {
        int index = from - aboveFirst;
        if (answeredAtHeartbeat[index] == heartbeats) {
            drop(DropReason.RATE_LIMITED);
            return;
        }
        answeredAtHeartbeat[index] = heartbeats;
        queriesAnswered++;
        for (PassedSlot p : passed.subMap(q.fromSlot(), q.fromSlot() + q.count()).values()) {
            out.sendToNode(from, p.ordered);
            orderedAnswered++;
        }
    }

    private void heartbeat(Outbox out) {
        heartbeats++;
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
        Arrays.fill(acknowledgementsLeft, ACKNOWLEDGEMENTS_PER_HEARTBEAT);
        announceIncarnation(out);
        boolean gap = highestPassed > nextSlot;
        // The query carries only this filter's own first missing slot: nothing from above goes down.
        // Row 0 never asks: its first missing slot is its progress, which depends on when replies came
        // back (timing a faulty execution node controls) — contents on a link to the outside. The
        // agreement nodes re-send what row 0 has not acknowledged with an EXECUTED-CERTIFICATE instead.
        if (row > 0 && (gap || !passedSinceHeartbeat) && nextSlot <= WireLimits.SEQUENCE_MAX) {
            DecisionQuery q = new DecisionQuery(nextSlot, config.querySlots());
            for (int i = 0; i < belowCount; i++) out.sendToNode(belowFirst + i, q);
            queriesSent++;
        }
        passedSinceHeartbeat = false;
        askForOverdueReplies(out);
        // Row 0, nothing released since the last heartbeat: the latest EXECUTED-CERTIFICATE again (the same
        // bytes, on the fixed heartbeat schedule, so it carries nothing new). One lost before GST, or an agreement
        // node restarted while the cluster is idle, must not hold the leader back for good.
        if (row == 0 && latestExecuted != null && !executedSinceHeartbeat) {
            for (int node = 0; node < agreementNodes; node++) out.send(Principal.node(node), latestExecuted);
            executedCertificatesResent++;
        }
        executedSinceHeartbeat = false;
    }

    /**
     * The downward path made reliable: a slot passed up during an earlier heartbeat whose replies have
     * not come down is overdue. Ask the row above (row h: the execution nodes) for the replies of the
     * overdue slots from the lowest one, once per heartbeat. Without this, a filter that lost a
     * slot's replies (or shares) would never pass that slot down, and whether it did could then hang
     * on a faulty node's choice: a channel. The query travels up only.
     */
    private void askForOverdueReplies(Outbox out) {
        for (PassedSlot p : passed.values()) {
            if (p.replies != null || p.passedAtHeartbeat >= heartbeats - 1) continue;
            long from = p.ordered.slot();
            int count = (int) Math.min(config.querySlots(), highestPassed - from + 1);
            sendAbove(new DecisionQuery(from, count), out);
            repliesQueriesSent++;
            return;
        }
    }

    /** From the row below: the replies it misses. Those this filter passed down, again (the same bytes), to the asker only. */
    private void onRepliesQuery(int from, DecisionQuery q, Outbox out) {
        int index = from - belowFirst;
        if (repliesAnsweredAtHeartbeat[index] == heartbeats) {
            drop(DropReason.RATE_LIMITED);
            return;
        }
        repliesAnsweredAtHeartbeat[index] = heartbeats;
        for (PassedSlot p : passed.subMap(q.fromSlot(), q.fromSlot() + q.count()).values()) {
            if (p.replies == null) continue;
            out.sendToNode(from, p.replies);
            slotRepliesResent++;
        }
    }

    // ---------------------------------------------------------------- down: shares (row h)

    private void onShare(int sender, ReplyShare s, Outbox out) {
        long slot = s.slot();
        PassedSlot p = passed.get(slot);
        if (p == null) {
            drop(DropReason.UNSOLICITED);
            return;
        }
        if (p.replies != null) {
            drop(DropReason.DUPLICATE);
            return;
        }
        SlotShares slotShares = shares.get(slot);
        Digest root = ReplyMerkleTree.root(slot, s.replies());
        if (slotShares != null && slotShares.shareOf[sender] != null) {
            boolean same = slotShares.shareOf[sender].equals(s.share()) && slotShares.rootOf[sender].equals(root);
            drop(same ? DropReason.DUPLICATE : DropReason.CONFLICTING);
            return;
        }
        if (slotShares == null) {
            slotShares = new SlotShares(executionNodes);
            shares.put(slot, slotShares);
        }
        // One share per node per slot, kept even if useless below: a node gets one try.
        slotShares.shareOf[sender] = s.share();
        slotShares.rootOf[sender] = root;
        if (!answersBatch(p.ordered.batch(), s.replies())) {
            drop(DropReason.NOT_REQUESTED);
            return;
        }
        ShareGroup group = slotShares.groups.computeIfAbsent(root,
                r -> new ShareGroup(s.replies(), WireCodec.slotRepliesSignedBytes(slot, r)));
        group.shares.put(sender, s.share());
        if (group.shares.size() >= spec.g() + 1) tryCombine(slot, group, out);
    }

    /**
     * Combines k shares of {@code group} without checking them (verified ones first); if that
     * does not give the signature, checks every unchecked share, drops and blames the bad ones,
     * and combines k verified shares if there are that many.
     */
    private void tryCombine(long slot, ShareGroup group, Outbox out) {
        int k = spec.g() + 1;
        combinations++;
        if (combineAndPass(slot, group, chooseShares(group, k, false), out)) return;
        combineFallbacks++;
        for (Integer sender : List.copyOf(group.shares.keySet())) {
            if (group.verified.get(sender)) continue;
            // The share's index must be its sender's: a node cannot pass off another's share as its own.
            if (executionKey.verifyShare(group.statement, group.shares.get(sender)) == sender + 1) {
                group.verified.set(sender);
            } else {
                group.shares.remove(sender);
                badSharesBySender[sender]++;
                drop(DropReason.BAD_SHARE);
            }
        }
        if (group.verified.cardinality() >= k) combineAndPass(slot, group, chooseShares(group, k, true), out);
    }

    private static List<Bytes> chooseShares(ShareGroup group, int k, boolean verifiedOnly) {
        List<Bytes> chosen = new ArrayList<>(k);
        for (var e : group.shares.entrySet()) {
            if (chosen.size() < k && group.verified.get(e.getKey())) chosen.add(e.getValue());
        }
        if (!verifiedOnly) {
            for (var e : group.shares.entrySet()) {
                if (chosen.size() < k && !group.verified.get(e.getKey())) chosen.add(e.getValue());
            }
        }
        return chosen;
    }

    private boolean combineAndPass(long slot, ShareGroup group, List<Bytes> chosen, Outbox out) {
        Optional<Bytes> signature = executionKey.combine(group.statement, chosen);
        return signature.isPresent() && passDown(new SlotReplies(slot, group.replies, signature.get()), out);
    }

    // ---------------------------------------------------------------- down: every row

    /** Checks (a)–(d) of docs/firewall.md and passes the replies down (row 0: as certificates). */
    private boolean passDown(SlotReplies r, Outbox out) {
        long slot = r.slot();
        PassedSlot p = passed.get(slot);
        if (p == null) {
            drop(DropReason.UNSOLICITED); // (a)
            return false;
        }
        if (p.replies != null) {
            drop(DropReason.DUPLICATE); // (d)
            return false;
        }
        if (!answersBatch(p.ordered.batch(), r.replies())) {
            drop(DropReason.NOT_REQUESTED); // (b)
            return false;
        }
        Digest root = ReplyMerkleTree.root(slot, r.replies());
        if (!executionKey.verify(WireCodec.slotRepliesSignedBytes(slot, root), r.signature())) {
            drop(DropReason.BAD_SIGNATURE); // (c)
            return false;
        }
        p.replies = r;
        shares.remove(slot);
        repliesPassedDown++;
        if (row > 0) {
            for (int i = 0; i < belowCount; i++) out.sendToNode(belowFirst + i, r);
        } else {
            List<ReplyLeaf> leaves = r.replies();
            List<List<Digest>> paths = ReplyMerkleTree.paths(slot, leaves);
            for (int i = 0; i < leaves.size(); i++) {
                ReplyLeaf leaf = leaves.get(i);
                release(Principal.client(leaf.clientId()),
                        new ReplyCertificate(slot, leaf, i, leaves.size(), paths.get(i), r.signature()), out);
            }
            ExecutedCertificate executed = new ExecutedCertificate(slot, root, r.signature());
            for (int node = 0; node < agreementNodes; node++) release(Principal.node(node), executed, out);
        }
        return true;
    }

    /** (b): every reply answers a request (client, timestamp) of the batch, in batch order, without repeats. */
    static boolean answersBatch(Batch batch, List<ReplyLeaf> replies) {
        if (replies.size() > batch.requests().size()) return false;
        List<Request> requests = batch.requests();
        Set<RequestId> answered = new HashSet<>();
        int next = 0;
        for (ReplyLeaf leaf : replies) {
            if (!answered.add(new RequestId(leaf.clientId(), leaf.timestamp()))) return false;
            while (next < requests.size()
                    && (requests.get(next).clientId() != leaf.clientId() || requests.get(next).timestamp() != leaf.timestamp())) {
                next++;
            }
            if (next == requests.size()) return false;
            next++;
        }
        return true;
    }

    // ---------------------------------------------------------------- release (row 0)

    /** Sends now, or with a release interval queues until the next multiple of it. */
    private void release(Principal to, Message m, Outbox out) {
        long interval = config.releaseIntervalNanos();
        if (interval == 0) {
            emit(to, m, out);
            return;
        }
        releaseQueue.add(new Outbox.Send(to, m));
        if (!releaseArmed) {
            releaseArmed = true;
            out.setTimer(ReleaseTimer.INSTANCE, interval - Math.floorMod(now, interval));
        }
    }

    private void release(Outbox out) {
        releaseArmed = false;
        while (!releaseQueue.isEmpty()) {
            Outbox.Send s = releaseQueue.poll();
            emit(s.to(), s.message(), out);
        }
    }

    private void emit(Principal to, Message m, Outbox out) {
        out.send(to, m);
        if (m instanceof ReplyCertificate c) {
            certificatesSent++;
            // Cached only once released: a re-send must not overtake the schedule.
            ClientEntry e = client(c.reply().clientId());
            if (e.certificate == null || e.certificate.reply().timestamp() <= c.reply().timestamp()) e.certificate = c;
        } else if (m instanceof ExecutedCertificate e) {
            executedCertificatesSent++;
            PassedSlot p = passed.get(e.slot());
            if (p != null) p.executed = e;
            if (latestExecuted == null || latestExecuted.slot() < e.slot()) latestExecuted = e;
            executedSinceHeartbeat = true;
        }
    }

    // ---------------------------------------------------------------- retransmission

    /** Row 0: a client's request again. The cached certificate if it answers it; otherwise maybe up. */
    private void onClientRequest(long clientId, Request r, Outbox out) {
        if (r.clientId() != clientId) {
            drop(DropReason.MALFORMED);
            return;
        }
        ClientEntry e = clients.get(clientId);
        if (e != null && e.certificate != null && e.certificate.reply().timestamp() == r.timestamp()) {
            out.send(Principal.client(clientId), e.certificate); // the same object: the same bytes
            certificatesResent++;
            return;
        }
        onRetransmission(-1, r, out);
    }

    /**
     * A request passed up here whose slot has no replies yet goes up again (the original from
     * the batch), at most once per heartbeat per client; the execution nodes re-send their
     * shares. A filter above row 0 that already passed the slot's replies down re-sends them
     * (the same certified bytes) to the filter that asked.
     *
     * @param from the filter below that forwarded it, or -1 for the client itself (row 0)
     */
    private void onRetransmission(int from, Request r, Outbox out) {
        ClientEntry e = clients.get(r.clientId());
        if (e == null || e.requestTimestamp != r.timestamp()) {
            drop(DropReason.UNSOLICITED);
            return;
        }
        PassedSlot p = passed.get(e.requestSlot);
        if (p == null) {
            drop(DropReason.OUT_OF_WINDOW);
            return;
        }
        if (p.replies != null && from < 0) {
            drop(DropReason.NOTHING_TO_RESEND);
            return;
        }
        if (e.actedAtHeartbeat == heartbeats) {
            drop(DropReason.RATE_LIMITED);
            return;
        }
        e.actedAtHeartbeat = heartbeats;
        if (p.replies != null) {
            out.sendToNode(from, p.replies);
            slotRepliesResent++;
        } else {
            sendAbove(p.ordered.batch().requests().get(e.requestIndex), out);
            requestsForwarded++;
        }
    }

    private ClientEntry client(long clientId) {
        ClientEntry e = clients.get(clientId);
        if (e == null) {
            e = new ClientEntry();
            clients.put(clientId, e);
        }
        return e;
    }

    // ---------------------------------------------------------------- helpers

    private void sendAbove(Message m, Outbox out) {
        for (int i = 0; i < aboveCount; i++) out.sendToNode(aboveFirst + i, m);
    }

    private boolean isBelow(long id) {
        return id >= belowFirst && id < belowFirst + belowCount;
    }

    private boolean isAbove(long id) {
        return id >= aboveFirst && id < aboveFirst + aboveCount;
    }

    private void drop(DropReason reason) {
        drops.merge(reason, 1L, Long::sum);
    }

    // ---------------------------------------------------------------- observation

    public int id() {
        return self;
    }

    /** 0 next to the agreement cluster, h next to the execution cluster. */
    public int row() {
        return row;
    }

    /** The first slot not passed up (nor given up): every slot below it has been. */
    public long nextSlot() {
        return nextSlot;
    }

    /** The highest slot passed up, or -1. */
    public long highestPassedSlot() {
        return highestPassed;
    }

    /** Whether slot {@code slot} was passed up and is still retained. */
    public boolean hasPassedUp(long slot) {
        return passed.containsKey(slot);
    }

    /** Whether slot {@code slot}'s replies were passed down (and the slot is still retained). */
    public boolean hasPassedDown(long slot) {
        PassedSlot p = passed.get(slot);
        return p != null && p.replies != null;
    }

    public int retainedSlotCount() {
        return passed.size();
    }

    /** Row 0: slots with agreement signatures collected but not yet f+1 on one digest. */
    public int collectingSlotCount() {
        return collecting.size();
    }

    /** Row h: slots with shares held. */
    public int shareSlotCount() {
        return shares.size();
    }

    public int trackedClients() {
        return clients.size();
    }

    /** Row 0 with a release interval: messages waiting for the next release. */
    public int pendingReleases() {
        return releaseQueue.size();
    }

    /** Inputs dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    public long droppedTotal() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A copy of the drop counts, by reason (reasons never seen are absent). */
    public Map<DropReason, Long> drops() {
        return new EnumMap<>(drops);
    }

    public long droppedUnexpected() {
        return dropped(DropReason.UNEXPECTED);
    }

    public long droppedUnsolicited() {
        return dropped(DropReason.UNSOLICITED);
    }

    public long droppedNotRequested() {
        return dropped(DropReason.NOT_REQUESTED);
    }

    public long droppedBadSignature() {
        return dropped(DropReason.BAD_SIGNATURE);
    }

    public long droppedInsufficientProof() {
        return dropped(DropReason.INSUFFICIENT_PROOF);
    }

    public long droppedDuplicate() {
        return dropped(DropReason.DUPLICATE);
    }

    public long droppedConflicting() {
        return dropped(DropReason.CONFLICTING);
    }

    public long droppedOutOfWindow() {
        return dropped(DropReason.OUT_OF_WINDOW);
    }

    public long droppedBadShare() {
        return dropped(DropReason.BAD_SHARE);
    }

    public long droppedRateLimited() {
        return dropped(DropReason.RATE_LIMITED);
    }

    public long malformed() {
        return dropped(DropReason.MALFORMED);
    }

    /** Bad shares from execution node {@code node} (its node id): the blame. */
    public long badSharesFrom(int node) {
        int index = node - firstExecutionNode;
        return index >= 0 && index < executionNodes ? badSharesBySender[index] : 0;
    }

    public long orderedPassedUp() {
        return orderedPassedUp;
    }

    public long repliesPassedDown() {
        return repliesPassedDown;
    }

    /** Row 0: REPLY-CERTIFICATEs released (first sends, not re-sends). */
    public long certificatesSent() {
        return certificatesSent;
    }

    /** Row 0: cached certificates sent again to a retransmitting client. */
    public long certificatesResent() {
        return certificatesResent;
    }

    /** Row 0: EXECUTED-CERTIFICATEs released (one per agreement node per slot). */
    /** Heartbeats on which this filter asked the row above for the replies of overdue slots. */
    public long repliesQueriesSent() {
        return repliesQueriesSent;
    }

    /** Row 0: heartbeats on which the latest EXECUTED-CERTIFICATE was sent again to the agreement nodes. */
    public long executedCertificatesResent() {
        return executedCertificatesResent;
    }

    public long executedCertificatesSent() {
        return executedCertificatesSent;
    }

    /** Rows above 0: SLOT-REPLIES sent again to a filter below that forwarded a retransmission. */
    public long slotRepliesResent() {
        return slotRepliesResent;
    }

    /** Retransmitted requests forwarded up. */
    public long requestsForwarded() {
        return requestsForwarded;
    }

    /** DECISION-QUERYs sent down (each to every node of the row below). */
    public long queriesSent() {
        return queriesSent;
    }

    public long queriesAnswered() {
        return queriesAnswered;
    }

    /** ORDERED messages sent in answer to queries. */
    /** Row 0: the incarnation this filter announces (null before start). */
    public FilterIncarnation incarnation() {
        return incarnation;
    }

    public long orderedAnswered() {
        return orderedAnswered;
    }

    /** Row h: optimistic combinations tried. */
    public long combinations() {
        return combinations;
    }

    /** Row h: optimistic combinations that failed, so that shares were checked one by one. */
    public long combineFallbacks() {
        return combineFallbacks;
    }

    /** Times the window moved past slots this filter had not passed up (it fell behind). */
    public long windowJumps() {
        return windowJumps;
    }

    /** Slots given up by window jumps: never passed up by this filter. */
    public long skippedSlots() {
        return skippedSlots;
    }
}
