package io.bulwark.agreement;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.FilterIncarnation;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.step.Outbox;
import io.bulwark.core.step.ProtocolCore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One agreement node: a FaB proposer, acceptor and learner in one deterministic core, plus
 * what ties them into state machine replication — client requests, leader suspicion, log
 * checkpoints and replies. No I/O: hosts feed it messages and timer firings with the current
 * time, and carry out what it leaves in the {@link Outbox}.
 *
 * <pre>
 *   a = 3f + 2t + 1 agreement nodes; leader(pn) = pn mod a
 *   request known but undecided for requestTimeout   → suspect the leader: VIEW-CHANGE(pn + 1)
 *   f + 1 nodes report VIEW-CHANGEs above my pn       → join at the (f+1)-th highest of them
 *   no NEW-VIEW within the view-change timeout        → next pn; the timeout doubles (capped)
 *   delivered a slot s with (s + 1) mod K = 0         → signed CHECKPOINT(s, log hash)
 *   commit = 2f + t + 1 matching CHECKPOINTs          → stable: forget votes at or below s
 * </pre>
 *
 * With an execution cluster the leader proposes at most {@code executionWindowSlots} beyond the
 * last slot the execution cluster proved executed: g + 1 matching signed EXECUTION-CHECKPOINTs.
 * In firewall mode (h ≥ 0; docs/firewall.md) execution nodes are not learners and send nothing
 * here; instead:
 *
 * <pre>
 *   delivered slot s (in order)                        → ORDERED(s, batch, [own signature on (s, digest)])
 *                                                        to every filter of row 0
 *   EXECUTED-CERTIFICATE(s, root, σ) from a row-0 filter, σ the execution cluster's threshold signature
 *                                                      → executed = max(executed, s); the window is then
 *                                                        {@code firewallExecutionWindowSlots}
 *   every {@value #ORDERED_RESEND_HEARTBEATS} heartbeats, per row-0 filter
 *                                                      → ORDERED again for the retained slots delivered before
 *                                                        the previous round that have not come back from that
 *                                                        filter as an EXECUTED-CERTIFICATE, at most
 *                                                        {@value #ORDERED_RESENDS_PER_ROUND}, newest first
 *   FILTER-INCARNATION(x) from a row-0 filter, x new → forget that filter's acknowledgements (it restarted)
 *   a client re-sends its request decided in slot s  → ORDERED(s) again to every row-0 filter (once per client
 *                                                        per heartbeat): a restarted filter forgot s, though
 *                                                        this node holds its acknowledgement of it
 * </pre>
 *
 * Row 0 never asks for ORDERED: a query would name the filter's progress, which depends on when
 * slots came back from the execution cluster — timing a faulty execution node controls, turned
 * into contents on a link to the outside (the simulator's non-interference check found it, lossy
 * campaign seed 1058). So the agreement nodes, which are outside anyway, push what a filter has
 * not acknowledged.
 */
public final class AgreementNode implements FabLearner.Listener, ProtocolCore {
    /** The fast path for {@code slot} had its chance; go slow if it is still undecided. */
    public record SlowPathTimer(long slot) {}

    /** The NewView for {@code pn} is late. */
    public record ViewChangeTimer(long pn) {}

    /** Periodic retransmission, catch-up and leader-suspicion checks. */
    public enum HeartbeatTimer { INSTANCE }

    /** A request that waits this many request timeouts while others are decided means the leader is censoring it. */
    private static final int CENSORSHIP_TIMEOUTS = 8;
    private static final int FAR_CHECKPOINTS_PER_NODE = 4;

    /** Every how many heartbeats a node waiting for a NewView re-broadcasts its view change. */
    private static final int VIEW_CHANGE_REBROADCAST_HEARTBEATS = 8;

    /** Firewall mode: every how many heartbeats unacknowledged ORDERED are re-sent (100 ms at the default 20 ms). */
    static final int ORDERED_RESEND_HEARTBEATS = 5;

    /**
     * Firewall mode: ORDERED re-sent per row-0 filter per round. A filter that fell behind catches
     * up at this rate (a faulty one, which never acknowledges, costs at most this); at the
     * default heartbeat, 640 slots a second.
     */
    static final int ORDERED_RESENDS_PER_ROUND = 64;

    /**
     * Firewall mode: rounds in which one slot is re-sent to one row-0 filter before this node stops
     * (the filter jumped its window past the slot, no longer retains it, or is faulty). A client
     * that still waits for that slot's reply makes this node send it again.
     */
    static final int ORDERED_RESENDS_PER_SLOT_MAX = 32;

    private final ClusterSpec spec;
    private final FabConfig config;
    private final int self;
    private final Principal selfPrincipal;
    private final Signer signer;
    private final SignatureVerifier signatures;
    private final io.bulwark.core.crypto.RequestAuthenticator clientMacs;
    private final FabAcceptor acceptor;
    private final FabProposer proposer;
    private final FabLearner learner;
    private final ClientTable clients = new ClientTable();
    private final Predicate<Request> decided = clients::isDecided;
    /** Every learner: the agreement nodes, then the execution nodes. */
    private final int[] learners;

    /** Requests this node knows of and waits to see decided: the leader is suspected if one waits too long. */
    private final LinkedHashMap<RequestId, Watched> watched = new LinkedHashMap<>();
    /** Highest valid view-change pn seen from each agreement node, for the join rule. */
    private final long[] viewChangePnFrom;
    private final long[] newViewResentAt;
    /** Signed checkpoints collected per slot, per log hash, indexed by sender. */
    private final TreeMap<Long, Map<Digest, Checkpoint[]>> checkpoints = new TreeMap<>();
    /** Each node's last few checkpoints far beyond this node's stable one, newest first. */
    private final Checkpoint[][] farCheckpoints;

    /** With an execution cluster: the last checkpoint it certified (g+1 matching), and the ones being collected. */
    private final boolean executionCluster;
    private long executedStable = -1;
    private final TreeMap<Long, Map<Digest, java.util.BitSet>> executionCheckpoints = new TreeMap<>();

    /** Firewall mode: the execution cluster's public key (null otherwise), and the filters of row 0. */
    private final ThresholdVerifier executionKey;
    private final int firstRow0Filter;
    private final int row0Filters;
    /** Per row-0 filter, by column: what it acknowledged, for the re-send rounds. */
    private final FilterAcknowledgements[] filterAcknowledgements;
    /** The first slot not yet delivered at the previous re-send round: slots below it have had a round to come back. */
    private long resendBelowSlot;
    /** Clients whose retransmission made this node re-send their slot's ORDERED during this heartbeat. */
    private final HashSet<Long> orderedResentForClients = new HashSet<>();
    /** Own decision signatures of recent slots (re-signing is deterministic, this only saves the work): slot s at s % length. */
    private final long[] signedSlots;
    private final Bytes[] decisionSignatures;

    private long nowNanos;
    private long lastDeliveryNanos;
    private long viewEnteredNanos;
    private int failedViewChanges;
    private long graceGivenFor = -1;
    private boolean recovered;
    private long suspicionAllowedFromNanos;
    /** How many request timeouts a restarted node waits before it may suspect the leader. */
    private static final int RESTART_GRACE_TIMEOUTS = 4;
    private long heartbeats;

    private long rejectedRequests;
    private long ignoredMessages;
    private long viewChangesStarted;
    private long orderedSent;
    private long orderedResent;
    private long orderedResendsGivenUp;
    private long filterRestartsSeen;
    private long executedCertificates;
    private long lateExecutedCertificates;
    private long forgedExecutedCertificates;

    private record Watched(Request request, long sinceNanos) {}

    /**
     * @param externalLearners node ids outside the agreement cluster that learn decisions
     *                         (execution nodes); empty when the agreement nodes are the only learners
     */
    public AgreementNode(ClusterSpec spec, FabConfig config, int self, Signer signer, SignatureVerifier signatures,
            int[] externalLearners) {
        this(spec, config, self, signer, signatures, io.bulwark.core.crypto.RequestAuthenticator.NONE, externalLearners);
    }

    /**
     * @param clientMacs checks clients' request authenticators (a cheap alternative to their signatures)
     */
    public AgreementNode(ClusterSpec spec, FabConfig config, int self, Signer signer, SignatureVerifier signatures,
            io.bulwark.core.crypto.RequestAuthenticator clientMacs, int[] externalLearners) {
        this(spec, config, self, signer, signatures, clientMacs, externalLearners, null);
    }

    /**
     * @param executionKey firewall mode only (required iff {@code spec.firewall()}): the execution
     *                     cluster's threshold public key, which EXECUTED-CERTIFICATEs are checked
     *                     against. {@code externalLearners} must then be empty: execution nodes
     *                     get decisions as ORDERED through the filters, not as a learner.
     */
    public AgreementNode(ClusterSpec spec, FabConfig config, int self, Signer signer, SignatureVerifier signatures,
            io.bulwark.core.crypto.RequestAuthenticator clientMacs, int[] externalLearners, ThresholdVerifier executionKey) {
        if (!spec.isAgreementNode(self)) throw new IllegalArgumentException("not an agreement node: " + self);
        if (config.quorums().acceptors() != spec.agreementNodes()) throw new IllegalArgumentException("quorums do not match spec");
        if (spec.firewall() != (executionKey != null)) {
            throw new IllegalArgumentException("an execution key is required in firewall mode, and only there");
        }
        if (spec.firewall() && externalLearners.length > 0) {
            throw new IllegalArgumentException("in firewall mode execution nodes are not learners");
        }
        this.spec = spec;
        this.config = config;
        this.self = self;
        this.selfPrincipal = Principal.node(self);
        this.signer = signer;
        this.signatures = signatures;
        this.clientMacs = clientMacs;
        int a = spec.agreementNodes();
        int[] learners = new int[a + externalLearners.length];
        for (int i = 0; i < a; i++) learners[i] = i;
        System.arraycopy(externalLearners, 0, learners, a, externalLearners.length);
        this.learners = learners;
        this.acceptor = new FabAcceptor(spec, config, self, signer, signatures, clientMacs, learners);
        this.proposer = new FabProposer(spec, config, self, learners, acceptor.certificates());
        this.learner = new FabLearner(config.quorums(), config.logWindowSlots(), config.retainedSlots(), this);
        this.executionCluster = spec.executionNodes() > 0;
        this.viewChangePnFrom = new long[a];
        this.newViewResentAt = new long[a];
        this.farCheckpoints = new Checkpoint[a][FAR_CHECKPOINTS_PER_NODE];
        Arrays.fill(viewChangePnFrom, -1);
        Arrays.fill(newViewResentAt, Long.MIN_VALUE);
        this.executionKey = executionKey;
        this.firstRow0Filter = spec.firewall() ? spec.filterNode(0, 0) : -1;
        this.row0Filters = spec.filterRows();
        this.filterAcknowledgements = new FilterAcknowledgements[row0Filters];
        for (int c = 0; c < row0Filters; c++) filterAcknowledgements[c] = new FilterAcknowledgements(config.retainedSlots());
        int signatureCache = spec.firewall() ? config.retainedSlots() : 0;
        this.signedSlots = new long[signatureCache];
        this.decisionSignatures = new Bytes[signatureCache];
        Arrays.fill(signedSlots, -1);
    }

    /** Rebuilds a node from what it persisted before a crash, in the order it was written. */
    public static AgreementNode recover(ClusterSpec spec, FabConfig config, int self, Signer signer,
            SignatureVerifier signatures, int[] externalLearners, List<Persisted> records) {
        return recover(spec, config, self, signer, signatures, io.bulwark.core.crypto.RequestAuthenticator.NONE,
                externalLearners, records);
    }

    /** As {@link #recover(ClusterSpec, FabConfig, int, Signer, SignatureVerifier, int[], List)}, checking client MACs. */
    public static AgreementNode recover(ClusterSpec spec, FabConfig config, int self, Signer signer,
            SignatureVerifier signatures, io.bulwark.core.crypto.RequestAuthenticator clientMacs, int[] externalLearners,
            List<Persisted> records) {
        return recover(spec, config, self, signer, signatures, clientMacs, externalLearners, records, null);
    }

    /**
     * As {@link #recover(ClusterSpec, FabConfig, int, Signer, SignatureVerifier, io.bulwark.core.crypto.RequestAuthenticator,
     * int[], List)}, in firewall mode with the execution cluster's threshold key (required iff
     * {@code spec.firewall()}). Nothing firewall-specific is persisted; filters re-query the
     * ORDERED they miss. The executed slot restarts at the last slot delivered: unlike execution
     * checkpoints, certificates are not re-sent while the cluster is idle, so after a full restart
     * a leader waiting for one would wait forever. The next certificate corrects it; meanwhile
     * execution can fall behind by at most twice the window.
     */
    public static AgreementNode recover(ClusterSpec spec, FabConfig config, int self, Signer signer,
            SignatureVerifier signatures, io.bulwark.core.crypto.RequestAuthenticator clientMacs, int[] externalLearners,
            List<Persisted> records, ThresholdVerifier executionKey) {
        AgreementNode node = new AgreementNode(spec, config, self, signer, signatures, clientMacs, externalLearners,
                executionKey);
        for (Persisted r : records) {
            node.acceptor.recover(r);
            if (r instanceof Persisted.Delivered d) {
                node.learner.recoverDelivered(d.slot(), d.batch());
                for (Request req : d.batch().requests()) node.clients.markDecided(req, d.slot());
            } else if (r instanceof Persisted.Compacted c) {
                node.learner.jumpTo(c.nextSlot() - 1, c.logHash());
                for (ClientTable.Entry e : c.clients()) node.clients.restore(e);
            }
        }
        // A leader that restarts must not propose anything new in a slot it already proposed
        // in this pn (that would be equivocation): its own votes, persisted in the same step as
        // each PROPOSE, tell it which slots those are and what it proposed there.
        List<Proposal> mine = new ArrayList<>();
        for (Map.Entry<Long, io.bulwark.core.message.Vote> v : node.acceptor.votes().entrySet()) {
            if (v.getValue().pn() == node.acceptor.pn() && v.getKey() >= node.learner.nextSlot()) {
                mine.add(new Proposal(v.getKey(), v.getValue().batch()));
            }
        }
        node.proposer.enterView(node.acceptor.pn(), 0, node.learner.nextSlot(), node.learner.nextSlot(), mine);
        // After a restart, ask the peers what was decided meanwhile (probably something).
        node.learner.requestProbe();
        node.recovered = !records.isEmpty();
        if (executionKey != null) {
            node.executedStable = node.learner.nextSlot() - 1;
            // Likewise acknowledged: the filters got these slots before the restart, or get them from the other nodes.
            for (FilterAcknowledgements acks : node.filterAcknowledgements) acks.assumeThrough(node.executedStable);
        }
        if (!node.acceptor.isNormal()) node.proposer.leaveView();
        return node;
    }

    // ---------------------------------------------------------------- inputs

    public void start(long nowNanos, Outbox out) {
        this.nowNanos = nowNanos;
        this.viewEnteredNanos = nowNanos;
        this.lastDeliveryNanos = nowNanos;
        if (recovered) suspicionAllowedFromNanos = nowNanos + RESTART_GRACE_TIMEOUTS * config.requestTimeoutNanos();
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
        if (!acceptor.isNormal()) out.setTimer(new ViewChangeTimer(acceptor.pn()), viewChangeTimeout());
    }

    public void onMessage(long nowNanos, Principal from, Message m, Outbox out) {
        this.nowNanos = nowNanos;
        if (from.kind() == Principal.Kind.CLIENT) {
            if (m instanceof Request r && r.clientId() == from.id()) {
                onRequest(r, true, out);
            } else {
                ignoredMessages++;
            }
        } else if (from.id() < spec.agreementNodes()) {
            onNodeMessage((int) from.id(), m, out);
        } else if (spec.firewall()) {
            onFirewallMessage(from.id(), m, out);
        } else if (m instanceof DecisionQuery q) {
            learner.onDecisionQuery((int) from.id(), q, out); // an external learner catching up
        } else if (m instanceof ExecutionCheckpoint c && isExecutionNode(from.id())) {
            onExecutionCheckpoint((int) from.id(), c);
        } else {
            ignoredMessages++;
        }
        loopback(out);
    }

    public void onTimer(long nowNanos, Object key, Outbox out) {
        this.nowNanos = nowNanos;
        switch (key) {
            case SlowPathTimer t -> {
                if (!learner.isLearned(t.slot())) acceptor.startSlowPath(t.slot(), out);
            }
            case ViewChangeTimer t -> {
                if (acceptor.pn() == t.pn() && !acceptor.isNormal()) {
                    if (graceGivenFor != t.pn() && viewChangesSeenFor(t.pn()) >= config.quorums().report()) {
                        // The new leader has what it needs: its NewView is probably on the way.
                        // Moving on alone now would leave this node in a view nobody else joins.
                        graceGivenFor = t.pn();
                        out.setTimer(new ViewChangeTimer(t.pn()), viewChangeTimeout() / 2);
                    } else {
                        failedViewChanges++;
                        startViewChange(t.pn() + 1, out);
                    }
                }
            }
            case HeartbeatTimer h -> heartbeat(out);
            default -> ignoredMessages++;
        }
        loopback(out);
    }

    /**
     * Ends every step: messages this node sends to itself go straight to its own roles, in
     * order, and the leader proposes whatever the step made room for.
     */
    private void loopback(Outbox out) {
        for (int rounds = 0; rounds < 64; rounds++) {
            proposer.propose(nowNanos, lastProposableSlot(), decided, out);
            List<Message> own = out.takeSendsTo(selfPrincipal);
            if (own.isEmpty()) return;
            for (Message m : own) onNodeMessage(self, m, out);
        }
        throw new IllegalStateException("self-messages did not settle");
    }

    private void onNodeMessage(int from, Message m, Outbox out) {
        switch (m) {
            case Request r -> onRequest(r, false, out);
            case Propose p -> {
                if (acceptor.onPropose(nowMillis(), from, p, out)) {
                    learner.onBody(p.slot(), p.batch(), out);
                }

            }
            case Accepted a -> learner.onAccepted(from, a, out);
            case SignedAccept s -> acceptor.onSignedAccept(from, s, out);
            case Commit c -> learner.onCommit(from, c, out);
            case ViewChange vc -> onViewChange(from, vc, out);
            case NewView nv -> onNewView(from, nv, out);
            case Checkpoint c -> onCheckpoint(from, c, out);
            case DecisionQuery q -> learner.onDecisionQuery(from, q, out);
            case Decided d -> learner.onDecided(from, d, out);
            case Reply r -> ignoredMessages++;
            case ExecutionCheckpoint c -> ignoredMessages++;
            case StateRequest q -> ignoredMessages++;
            case StateSnapshot s -> ignoredMessages++;
            case Ordered o -> ignoredMessages++;
            case ReplyShare s -> ignoredMessages++;
            case SlotReplies s -> ignoredMessages++;
            case ReplyCertificate c -> ignoredMessages++;
            case ExecutedCertificate c -> ignoredMessages++;
            case FilterIncarnation i -> ignoredMessages++;
        }
    }

    // ---------------------------------------------------------------- client requests

    private void onRequest(Request r, boolean fromClient, Outbox out) {
        if (clients.isDecided(r)) {
            ClientTable.Last last = clients.last(r.clientId());
            if (fromClient && last.timestamp() == r.timestamp()) {
                if (!executionCluster) {
                    out.send(Principal.client(r.clientId()), new Reply(r.clientId(), r.timestamp(), last.slot(), Bytes.EMPTY));
                } else if (executionKey != null) {
                    resendOrderedFor(r.clientId(), last.slot(), out);
                }
            }
            return;
        }
        if (!watched.containsKey(r.id())) {
            // The leader checks the signature (every acceptor will accept what it proposes: Aardvark);
            // the others only need to know the client asked, which their MAC entry shows cheaply.
            if (!(proposer.isActive() ? signedByClient(r) : vouchedByClient(r))) {
                rejectedRequests++;
                return;
            }
            if (watched.size() >= config.pendingRequestsMax()) {
                rejectedRequests++;
                return;
            }
            watched.put(r.id(), new Watched(r, nowNanos));
        }
        if (proposer.isActive()) {
            proposer.submit(r, decided);
        } else if (fromClient && acceptor.isNormal()) {
            out.sendToNode(spec.leaderOf(acceptor.pn()), r);
        }
    }

    private boolean signedByClient(Request r) {
        return signatures.verify(Principal.client(r.clientId()), WireCodec.signedBytes(r), r.signature());
    }

    private boolean vouchedByClient(Request r) {
        byte[] signed = WireCodec.signedBytes(r);
        return (r.authenticator().length() > 0 && clientMacs.verify(self, r.clientId(), signed, r.authenticator()))
                || signatures.verify(Principal.client(r.clientId()), signed, r.signature());
    }

    // ---------------------------------------------------------------- delivery

    @Override
    public void onDeliver(long slot, Batch batch, Outbox out) {
        lastDeliveryNanos = nowNanos;
        out.persist(new Persisted.Delivered(slot, batch));
        out.deliver(slot, batch);
        for (Request r : batch.requests()) {
            watched.remove(r.id());
            // With an execution cluster the execution nodes answer; agreement nodes only order.
            if (clients.markDecided(r, slot) && !executionCluster) {
                out.send(Principal.client(r.clientId()), new Reply(r.clientId(), r.timestamp(), slot, Bytes.EMPTY));
            }
        }
        if (executionKey != null) {
            // Firewall mode: the decision, transferable, to the filters next to us.
            Ordered ordered = ordered(slot, batch);
            for (int c = 0; c < row0Filters; c++) out.sendToNode(firstRow0Filter + c, ordered);
            orderedSent++;
        }
        proposer.onDelivered(slot, batch, decided);
        if (acceptor.isNormal()) failedViewChanges = 0;
        if ((slot + 1) % config.checkpointInterval() == 0) {
            Digest hash = learner.logHash();
            Checkpoint c = new Checkpoint(self, slot, hash, signer.sign(WireCodec.checkpointSignedBytes(self, slot, hash)));
            for (int node = 0; node < spec.agreementNodes(); node++) out.sendToNode(node, c);
        }
    }

    private void onCheckpoint(int from, Checkpoint c, Outbox out) {
        long slot = c.slot();
        if (c.sender() != from || slot <= acceptor.stableSlot() || (slot + 1) % config.checkpointInterval() != 0) {
            ignoredMessages++;
            return;
        }
        if (!acceptor.certificates().verify(c)) {
            ignoredMessages++;
            return;
        }
        if (slot > acceptor.stableSlot() + 2L * config.logWindowSlots()) {
            onFarCheckpoint(from, c, out);
            return;
        }
        Map<Digest, Checkpoint[]> byHash = checkpoints.computeIfAbsent(slot, s -> new HashMap<>());
        if (byHash.size() >= spec.agreementNodes() && !byHash.containsKey(c.logHash())) return;
        Checkpoint[] bySender = byHash.computeIfAbsent(c.logHash(), h -> new Checkpoint[spec.agreementNodes()]);
        bySender[from] = c;
        List<Checkpoint> matching = new ArrayList<>();
        for (Checkpoint x : bySender) {
            if (x != null) matching.add(x);
        }
        if (matching.size() < config.quorums().commit()) return;
        adoptStable(new CheckpointCertificate(slot, c.logHash(), matching), out);
    }

    /**
     * A checkpoint far beyond this node's own (it was down or cut off for a long time): each
     * node's last few are kept, and a commit quorum of matching ones is a stable checkpoint this
     * node adopts, jumping its learner past slots its peers may no longer keep.
     */
    private void onFarCheckpoint(int from, Checkpoint c, Outbox out) {
        Checkpoint[] mine = farCheckpoints[from];
        System.arraycopy(mine, 0, mine, 1, mine.length - 1);
        mine[0] = c;
        List<Checkpoint> matching = new ArrayList<>();
        for (Checkpoint[] bySender : farCheckpoints) {
            for (Checkpoint x : bySender) {
                if (x != null && x.slot() == c.slot() && x.logHash().equals(c.logHash())) {
                    matching.add(x);
                    break;
                }
            }
        }
        if (matching.size() >= config.quorums().commit()) {
            adoptStable(new CheckpointCertificate(c.slot(), c.logHash(), matching), out);
            for (Checkpoint[] bySender : farCheckpoints) Arrays.fill(bySender, null);
        }
    }

    private void adoptStable(CheckpointCertificate cert, Outbox out) {
        acceptor.adoptStable(cert, out);
        checkpoints.headMap(cert.slot(), true).clear();
        learner.noteSlotExists(cert.slot());
        if (cert.slot() - learner.nextSlot() >= config.retainedSlots() / 2) {
            // Too far behind for peers to still have every batch: skip to the certified log.
            // (The execution cluster, not this node, keeps the application state.)
            learner.jumpTo(cert.slot(), cert.logHash(), out);
        }
    }

    // ---------------------------------------------------------------- execution cluster

    private boolean isExecutionNode(long id) {
        return id >= spec.agreementNodes() && id < (long) spec.agreementNodes() + spec.executionNodes();
    }

    /** The highest slot the leader may propose in now: bounded by the log window and, with an execution cluster, by how far execution has got. */
    private long lastProposableSlot() {
        long last = acceptor.stableSlot() + config.logWindowSlots();
        if (executionCluster) last = Math.min(last, executedStable + executionWindow());
        return last;
    }

    private int executionWindow() {
        return executionKey != null ? config.firewallExecutionWindowSlots() : config.executionWindowSlots();
    }

    // ---------------------------------------------------------------- firewall

    /** Firewall mode: only row-0 filters talk to agreement nodes besides clients and peers (execution nodes never do). */
    private void onFirewallMessage(long from, Message m, Outbox out) {
        if (!isRow0Filter(from)) {
            ignoredMessages++; // an execution checkpoint among them: in firewall mode its digest must not leave
            return;
        }
        FilterAcknowledgements acks = filterAcknowledgements[(int) (from - firstRow0Filter)];
        if (m instanceof ExecutedCertificate c) {
            acks.acknowledge(c.slot()); // the filter passed the slot's replies down: it needs its ORDERED no more
            onExecutedCertificate(c);
        } else if (m instanceof FilterIncarnation i) {
            // A new incarnation holds nothing it was sent: the re-send rounds bring it every retained slot again.
            if (acks.announce(i.incarnation())) filterRestartsSeen++;
        } else {
            ignoredMessages++; // a DECISION-QUERY among them: row 0 never asks (see the class comment)
        }
    }

    private boolean isRow0Filter(long id) {
        return id >= firstRow0Filter && id < (long) firstRow0Filter + row0Filters;
    }

    /**
     * A client still waits for the reply to its request decided in {@code slot}: some row-0 filter
     * may have lost that slot (a filter that restarts forgets everything, while this node holds its
     * acknowledgements from before). ORDERED again to every row-0 filter, at most once per client
     * per heartbeat; a filter that has the slot already forwards the request up as a nudge.
     */
    private void resendOrderedFor(long clientId, long slot, Outbox out) {
        if (slot < learner.retainedFirstSlot() || slot >= learner.nextSlot()) return;
        if (orderedResentForClients.size() >= config.pendingRequestsMax() || !orderedResentForClients.add(clientId)) return;
        Ordered ordered = ordered(slot, learner.deliveredBatch(slot));
        for (int c = 0; c < row0Filters; c++) out.sendToNode(firstRow0Filter + c, ordered);
        orderedResent += row0Filters;
    }

    /** Each row-0 filter: ORDERED again for the retained slots delivered a round ago or more that it has not acknowledged. */
    private void resendOrdered(Outbox out) {
        long below = resendBelowSlot;
        resendBelowSlot = learner.nextSlot();
        long retainedFirst = learner.retainedFirstSlot();
        for (int column = 0; column < row0Filters; column++) {
            FilterAcknowledgements acks = filterAcknowledgements[column];
            acks.giveUpBelow(retainedFirst); // the filter jumps its window past what is no longer retained
            // Newest first: a filter that restarted (or fell far behind) moves its window up to where
            // the cluster is from them. Each round goes on below where the last one stopped (back to
            // the newest once it reaches the bottom), so every unacknowledged slot has its turn within
            // a few rounds however slowly acknowledgements come; the slots a filter gave up are re-sent
            // at most ORDERED_RESENDS_PER_SLOT_MAX times.
            long start = acks.resumeBelow(below);
            boolean wrapped = start >= below;
            long slot = start - 1;
            for (int budget = ORDERED_RESENDS_PER_ROUND; budget > 0; slot--) {
                if (slot <= acks.through() || (wrapped && slot < start && start < below)) {
                    if (wrapped) break;
                    wrapped = true;
                    slot = below; // the loop's decrement makes it below - 1
                    continue;
                }
                if (acks.isAcknowledged(slot)) continue;
                if (!acks.mayResend(slot, ORDERED_RESENDS_PER_SLOT_MAX)) {
                    orderedResendsGivenUp++;
                    acks.acknowledge(slot);
                    continue;
                }
                out.sendToNode(firstRow0Filter + column, ordered(slot, learner.deliveredBatch(slot)));
                orderedResent++;
                budget--;
            }
            acks.resumeBelowNextRound(slot + 1);
        }
    }

    /** ORDERED(slot, batch) with this node's signature: only ever for a slot this node delivered. */
    private Ordered ordered(long slot, Batch batch) {
        int i = (int) (slot % signedSlots.length);
        if (signedSlots[i] != slot) {
            signedSlots[i] = slot;
            decisionSignatures[i] = signer.sign(WireCodec.decisionSignedBytes(slot, batch.digest()));
        }
        return new Ordered(slot, batch, List.of(new DecisionSignature(self, decisionSignatures[i])));
    }

    /**
     * The execution cluster's threshold signature on a slot's replies: g + 1 execution nodes, one
     * of them correct, executed every slot up to it. Flow control only; replaces the g + 1
     * EXECUTION-CHECKPOINTs of the non-firewall mode.
     */
    private void onExecutedCertificate(ExecutedCertificate c) {
        if (c.slot() <= executedStable) {
            lateExecutedCertificates++; // normal: every row-0 filter sends each one
            return;
        }
        if (!executionKey.verify(WireCodec.slotRepliesSignedBytes(c.slot(), c.root()), c.signature())) {
            forgedExecutedCertificates++;
            return;
        }
        executedCertificates++;
        executedStable = c.slot();
    }

    /** g+1 matching signed execution checkpoints: at least one correct execution node has executed up to that slot. */
    private void onExecutionCheckpoint(int from, ExecutionCheckpoint c) {
        if (c.sender() != from || c.slot() <= executedStable
                || c.slot() > executedStable + 4L * config.executionWindowSlots()) {
            ignoredMessages++;
            return;
        }
        if (!signatures.verify(Principal.node(from), WireCodec.signedBytes(c), c.signature())) {
            ignoredMessages++;
            return;
        }
        Map<Digest, java.util.BitSet> byDigest = executionCheckpoints.computeIfAbsent(c.slot(), s -> new HashMap<>());
        if (byDigest.size() >= spec.executionNodes() && !byDigest.containsKey(c.stateDigest())) return;
        java.util.BitSet senders = byDigest.computeIfAbsent(c.stateDigest(), d -> new java.util.BitSet());
        senders.set(from - spec.agreementNodes());
        if (senders.cardinality() >= spec.g() + 1) {
            executedStable = c.slot();
            executionCheckpoints.headMap(c.slot(), true).clear();
        }
    }

    // ---------------------------------------------------------------- leader change

    private void startViewChange(long newPn, Outbox out) {
        viewChangesStarted++;
        proposer.leaveView();
        acceptor.startViewChange(newPn, out);
        out.setTimer(new ViewChangeTimer(newPn), viewChangeTimeout());
    }

    /** How many agreement nodes (this one included) have announced a view change to {@code pn} or beyond. */
    private int viewChangesSeenFor(long pn) {
        int n = 0;
        for (int i = 0; i < viewChangePnFrom.length; i++) {
            if (viewChangePnFrom[i] >= pn || (i == self && acceptor.pn() >= pn)) n++;
        }
        return n;
    }

    private long viewChangeTimeout() {
        long t = config.viewChangeTimeoutNanos();
        for (int i = 0; i < failedViewChanges && t < config.viewChangeTimeoutMaxNanos(); i++) t *= 2;
        return Math.min(t, config.viewChangeTimeoutMaxNanos());
    }

    private void onViewChange(int from, ViewChange vc, Outbox out) {
        if (vc.sender() != from) {
            ignoredMessages++;
            return;
        }
        // A node still trying to reach the view this node leads missed the NewView: re-send it,
        // at most once per heartbeat per node so a faulty node cannot make us flood.
        NewView mine = proposer.newViewFor(acceptor.pn());
        if (vc.pn() == acceptor.pn() && acceptor.isNormal() && mine != null) {
            if (nowNanos - newViewResentAt[from] >= config.heartbeatNanos()) {
                newViewResentAt[from] = nowNanos;
                out.sendToNode(from, mine);
            }
            return;
        }
        // Already verified one from this node for this pn (a retransmission): nothing new, and
        // view changes are the most expensive messages to check.
        if (vc.pn() <= viewChangePnFrom[from]) return;
        if (vc.pn() < acceptor.pn() || !acceptor.certificates().verify(vc)) {
            ignoredMessages++;
            return;
        }
        viewChangePnFrom[from] = Math.max(viewChangePnFrom[from], vc.pn());
        NewView nv = proposer.onViewChange(vc, acceptor.pn(), acceptor.isNormal());
        if (nv != null) broadcastNewView(nv, out);
        joinIfEnoughMovedOn(out);
    }

    /** PBFT's join rule: f+1 nodes beyond my pn include a correct one, so follow them. */
    private void joinIfEnoughMovedOn(Outbox out) {
        long[] ahead = Arrays.stream(viewChangePnFrom).filter(p -> p > acceptor.pn()).sorted().toArray();
        int needed = spec.f() + 1;
        if (ahead.length < needed) return;
        long target = ahead[ahead.length - needed];
        startViewChange(target, out);
        NewView nv = proposer.tryNewView(acceptor.pn(), acceptor.isNormal());
        if (nv != null) broadcastNewView(nv, out);
    }

    private void broadcastNewView(NewView nv, Outbox out) {
        // External learners (execution nodes) need the re-proposed bodies too.
        for (int node : learners) out.sendToNode(node, nv);
    }

    private void onNewView(int from, NewView nv, Outbox out) {
        ProgressCertificate.Outcome outcome = acceptor.onNewView(from, nv, out);
        if (outcome == null) return;
        out.cancelTimer(new ViewChangeTimer(nv.pn()));
        for (Proposal p : nv.proposals()) learner.onBody(p.slot(), p.batch(), out);
        if (outcome.stable() != null) learner.noteSlotExists(outcome.stable().slot());
        proposer.enterView(nv.pn(), nowNanos, outcome.firstSlot(), learner.nextSlot(), nv.proposals());
        // Give the new leader a full timeout, and make sure it knows every request we wait for.
        viewEnteredNanos = nowNanos;
        int leader = spec.leaderOf(nv.pn());
        for (Map.Entry<RequestId, Watched> e : watched.entrySet()) {
            e.setValue(new Watched(e.getValue().request(), nowNanos));
            if (leader == self) {
                // Watched on a MAC alone: check the signature before proposing it.
                if (signedByClient(e.getValue().request())) proposer.submit(e.getValue().request(), decided);
            } else {
                out.sendToNode(leader, e.getValue().request());
            }
        }
    }

    // ---------------------------------------------------------------- heartbeat

    private void heartbeat(Outbox out) {
        heartbeats++;
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
        orderedResentForClients.clear();
        if (executionKey != null && heartbeats % ORDERED_RESEND_HEARTBEATS == 0) resendOrdered(out);
        proposer.retransmit(nowNanos, out);
        learner.checkGap(spec.agreementNodes(), self, out);
        if (!acceptor.isNormal()) {
            // Retransmit now and then (view changes can be large): to everyone, so laggards can
            // join; the new leader answers a retransmission with its NewView if it has one.
            if (heartbeats % VIEW_CHANGE_REBROADCAST_HEARTBEATS == 0) {
                ViewChange vc = acceptor.currentViewChange();
                for (int node = 0; node < spec.agreementNodes(); node++) {
                    if (node != self) out.sendToNode(node, vc);
                }
            }
            return;
        }
        if (executionCluster && learner.nextSlot() + config.pipelineSlots() > executedStable + executionWindow()) {
            // Ordering is held back by the execution cluster, not by the leader: don't blame it.
            watched.replaceAll((id, w) -> new Watched(w.request(), nowNanos));
            return;
        }
        // Suspect the leader when requests wait and nothing at all was decided for a request
        // timeout (it stalls), or when one request has waited many timeouts although others
        // were decided (it censors). A loaded but working leader is neither.
        // A node that has just restarted gives itself time to reconnect and catch up before it
        // blames anyone: until then its silence is its own.
        if (nowNanos < suspicionAllowedFromNanos) return;
        long sinceProgress = nowNanos - Math.max(lastDeliveryNanos, viewEnteredNanos);
        // A slot this node voted for that nobody can get decided (a faulty leader told too few
        // of us, then went quiet) is as stuck as a waiting request, even with no client waiting.
        boolean stuckVote = acceptor.hasVoteAtOrAbove(learner.nextSlot()) && sinceProgress > config.requestTimeoutNanos();
        Iterator<Watched> it = watched.values().iterator();
        long oldestWait = it.hasNext() ? nowNanos - it.next().sinceNanos() : 0;
        // A node that is behind (later slots known decided) and fetching them is not being
        // censored: its old requests were decided in slots it has not reached yet.
        boolean censored = oldestWait > CENSORSHIP_TIMEOUTS * config.requestTimeoutNanos() && !learner.isCatchingUp();
        if (stuckVote || (oldestWait > config.requestTimeoutNanos() && sinceProgress > config.requestTimeoutNanos())
                || censored) {
            startViewChange(acceptor.pn() + 1, out);
        }
    }

    private long nowMillis() {
        return Math.floorDiv(nowNanos, 1_000_000L);
    }

    // ---------------------------------------------------------------- observation

    public int id() {
        return self;
    }

    public long pn() {
        return acceptor.pn();
    }

    public boolean isNormal() {
        return acceptor.isNormal();
    }

    public boolean isLeader() {
        return proposer.isActive();
    }

    public long nextSlotToDeliver() {
        return learner.nextSlot();
    }

    public long stableSlot() {
        return acceptor.stableSlot();
    }

    /**
     * With an execution cluster, the last slot it proved executed (g + 1 matching checkpoints, or in
     * firewall mode an EXECUTED-CERTIFICATE); -1 before the first.
     */
    public long executedSlot() {
        return executedStable;
    }

    /** Firewall mode: slots delivered and sent up as ORDERED to row 0 (once per slot, to every row-0 filter). */
    public long orderedSent() {
        return orderedSent;
    }

    /** Firewall mode: ORDERED re-sent to row-0 filters that had not acknowledged their slots. */
    public long orderedResent() {
        return orderedResent;
    }

    /** Firewall mode: slots this node stopped re-sending to a row-0 filter after {@value #ORDERED_RESENDS_PER_SLOT_MAX} rounds. */
    public long orderedResendsGivenUp() {
        return orderedResendsGivenUp;
    }

    /** Firewall mode: new incarnations announced by row-0 filters already known (their restarts). */
    public long filterRestartsSeen() {
        return filterRestartsSeen;
    }

    /** Firewall mode: the slot through which row-0 filter {@code column} acknowledged every slot (or -1). */
    public long acknowledgedThrough(int column) {
        return filterAcknowledgements[column].through();
    }

    /** Firewall mode: EXECUTED-CERTIFICATEs that advanced the executed slot. */
    public long executedCertificates() {
        return executedCertificates;
    }

    /** Firewall mode: EXECUTED-CERTIFICATEs at or below the executed slot (normal: one per row-0 filter). */
    public long lateExecutedCertificates() {
        return lateExecutedCertificates;
    }

    /** Firewall mode: EXECUTED-CERTIFICATEs whose threshold signature did not verify, dropped. */
    public long forgedExecutedCertificates() {
        return forgedExecutedCertificates;
    }

    public FabLearner learner() {
        return learner;
    }

    public FabAcceptor acceptor() {
        return acceptor;
    }

    public FabProposer proposer() {
        return proposer;
    }

    public long rejectedRequests() {
        return rejectedRequests;
    }

    public long ignoredMessages() {
        return ignoredMessages;
    }

    public long viewChangesStarted() {
        return viewChangesStarted;
    }

    /**
     * What a host writes when it compacts this node's log: a {@link Persisted.Compacted} for the
     * learner and client table, then the acceptor's live state. Replaying these records alone
     * rebuilds a node equivalent to replaying the whole log.
     */
    public List<Persisted> compactedState() {
        List<Persisted> records = new ArrayList<>();
        records.add(new Persisted.Compacted(learner.nextSlot(), learner.logHash(), clients.entries()));
        records.addAll(acceptor.liveState());
        return records;
    }

    public int watchedRequests() {
        return watched.size();
    }
}
