package io.bulwark.execution;

import io.bulwark.agreement.FabLearner;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import io.bulwark.core.step.ProtocolCore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One execution node of the separated architecture (Yin, Martin, Venkataramani, Alvisi,
 * Dahlin, "Separating Agreement from Execution for Byzantine Fault Tolerant Services", SOSP
 * 2003), fed directly by FaB acceptors: a FaB learner, the application, checkpoints and state
 * transfer in one deterministic core. No I/O: hosts feed it messages and timer firings with the
 * current time, and carry out what it leaves in the {@link Outbox} (persists first).
 *
 * <pre>
 *   a = 3f + 2t + 1 agreement nodes, 2g + 1 execution nodes (g Byzantine)
 *   a − t matching ACCEPTED, 2f + t + 1 matching COMMIT, or f + 1 matching DECIDED
 *                                        → slot learned ({@link FabLearner}); bodies from PROPOSE / NEW-VIEW / DECIDED
 *   slot s delivered (in slot order)     → time = max(time, batch time); each request executed exactly once
 *                                          per (client, timestamp), REPLY(client, timestamp, s, result) to the client;
 *                                          a repeat of the last one re-sends the cached reply; older ones are dropped
 *   client re-sends its last request     → the cached REPLY again (execution nodes never order requests)
 *   delivered s with (s + 1) mod K = 0   → persist state; signed EXECUTION-CHECKPOINT(s, sha256(state))
 *                                          to the other execution nodes and to the agreement nodes
 *   g + 1 of 2g + 1 matching checkpoints → certified (one signer is correct); keep the state bytes to serve
 *   certified C ≥ next slot, no delivery for stateTransferPatience heartbeats
 *                                        → STATE-REQUEST(next slot) to one execution peer, rotating
 *   STATE-SNAPSHOT(C, state, g + 1 signed checkpoints for (C, sha256(state)) from distinct execution nodes)
 *                                        → restore, learner jumps past C, catch up from the agreement nodes
 * </pre>
 *
 * A client accepts a result once g + 1 of the 2g + 1 execution nodes sent matching replies (one
 * of them is correct); execution is deterministic, so every correct node sends the same reply.
 *
 * <p>In firewall mode (h ≥ 0, docs/firewall.md) the node talks to its execution peers and the
 * filters of row h only — never to clients or agreement nodes:
 *
 * <pre>
 *   ORDERED(s, batch, proof) from a row-h filter, proof = f + 1 valid signatures of distinct agreement
 *   nodes on (s, digest)                 → decided ({@link FilterDecisions}); executed in slot order as above
 *   executing a fresh request            → open its body with the client's seal (REQUEST, timestamp); run it;
 *                                          seal the result (REPLY, timestamp) → ReplyLeaf(client, timestamp, sealed)
 *   slot s executed (even with no leaf)  → share = threshold share on slotRepliesSignedBytes(s, MerkleRoot(s, leaves));
 *                                          REPLY-SHARE(s, leaves in batch order, share) to every row-h filter
 *   client REQUEST forwarded by a row-h filter (a nudge), (client, timestamp) cached
 *                                        → that slot's REPLY-SHARE again (at most once per slot per heartbeat)
 *   heartbeat with nothing executed      → the latest REPLY-SHARE again; DECISION-QUERY to row h on a gap or no progress
 *   checkpoints and state transfer       → as above, among execution nodes only
 * </pre>
 *
 * A request whose body does not open (an unknown client, a body not sealed by it for that
 * timestamp) executes as {@link #UNREADABLE_REQUEST_RESULT}, sealed when the client is known:
 * its (client, timestamp) is used up like any other. Repeated and stale requests produce no leaf
 * (the first one's reply is certified with its own slot). The sealed results of one slot are
 * kept under {@link #SLOT_REPLY_BYTES_MAX} so that its REPLY-SHARE fits in a frame: a result
 * that would pass it is replaced by the unreadable-request result (the operation did run).
 * Memory is bounded against faulty peers: uncertified checkpoints are kept per execution node
 * (its {@code checkpointsPerPeer} highest slots above the last certified one), snapshots are
 * only considered while a state request is outstanding and served at most once per heartbeat
 * per peer, and the learner (in firewall mode the ORDERED buffer) tracks {@code trackedSlots}
 * slots; REPLY-SHAREs are kept for {@code shareRetentionSlots} slots and
 * {@code shareRetentionBytes}.
 * Time enters only as the batch time chosen by the leader; {@code nowNanos} parameters are
 * accepted for symmetry with the other cores and not used. Each delivered slot is also put in
 * {@link Outbox#deliveries()} for observers (the simulator's checkers): the host must not
 * execute it again. What is persisted: {@link ExecutionPersisted}.
 */
public final class ExecutionNode implements FabLearner.Listener, ProtocolCore {
    /** Periodic catch-up, state-transfer and checkpoint re-send checks. */
    public enum HeartbeatTimer { INSTANCE }

    /**
     * Firewall mode: the result of a request whose body cannot be opened (no seal for its client,
     * or a body not sealed by that client for that timestamp) — the empty result, as for an
     * application that broke its contract. Sealed to the client like any result; for a client the
     * cluster has no key for, the leaf carries these bytes unsealed (there is nothing to protect).
     */
    public static final Bytes UNREADABLE_REQUEST_RESULT = Bytes.EMPTY;

    /**
     * Firewall mode: sealed result bytes per slot, so that its REPLY-SHARE fits in one frame. The
     * 512 KiB left over cover at most 8 192 leaves' framing (20 bytes each), the empty sealed
     * results (16 bytes each) that replace results once this is spent, and a share of at most 4 KiB.
     */
    public static final long SLOT_REPLY_BYTES_MAX = WireLimits.FRAME_BYTES_MAX - (512 << 10);

    /** A REPLY-SHARE kept for re-sending, with when it was last re-sent on a nudge. */
    /** Shares re-sent for one overdue-replies query: bounds the bandwidth a query can ask for. */
    static final int SHARES_PER_QUERY_MAX = 16;

    private static final class RetainedShare {
        final ReplyShare share;
        final long bytes;
        long resentAtHeartbeat = -1;

        RetainedShare(ReplyShare share) {
            this.share = share;
            long b = share.share().length();
            for (ReplyLeaf l : share.replies()) b += 24 + l.sealedResult().length();
            this.bytes = b;
        }
    }

    /** An own checkpoint state that may still become certified. */
    private record OwnState(Digest digest, Bytes state) {}

    /** A certified checkpoint whose state this node holds, so it can serve it to peers. */
    private record Servable(CertifiedCheckpoint certificate, Bytes state) {}

    private final ClusterSpec spec;
    private final ExecutionConfig config;
    private final int self;
    private final Signer signer;
    private final SignatureVerifier signatures;
    private final StateMachine stateMachine;
    private final FabLearner learner;
    /** The learner, or in firewall mode the ORDERED from row h: decided slots, in order, to {@link #onDeliver}. */
    private final DecisionSource decisions;
    private final int firstExecutionNode;
    private final int executionNodes;
    /** Execution node ids other than this one, in id order. */
    private final int[] peers;

    // Application-facing state: everything in an ExecutionState besides the learner's log hash.
    private long timeMillis;
    private final TreeMap<Long, CachedReply> replies = new TreeMap<>();

    // Checkpoints.
    private final CheckpointVotes votes;
    private final TreeMap<Long, OwnState> ownStates = new TreeMap<>();
    private CertifiedCheckpoint certified;
    private Servable servable;
    private ExecutionCheckpoint latestOwn;

    // Heartbeats and state transfer.
    private long heartbeats;
    private long progressSlot = -1;
    private int idleHeartbeats;
    private int nextPeer;
    private boolean stateRequestOutstanding;
    /** Heartbeat at which each execution node was last sent a snapshot: at most one per heartbeat each. */
    private final long[] servedAtHeartbeat;

    // Firewall mode (all unused otherwise).
    private final ExecutionFirewall firewall;
    private final int firstRowHFilter;
    private final int rowHFilters;
    /** This node's recent REPLY-SHAREs by slot, to answer nudges. */
    private final TreeMap<Long, RetainedShare> shares = new TreeMap<>();
    private long retainedShareBytes;
    private ReplyShare latestShare;
    private boolean executedSinceHeartbeat;
    /**
     * The sealed replies of the latest slots, part of the checkpoint state ({@link ExecutionState}):
     * after a state transfer they are what lets this node sign shares for the slots it skipped.
     */
    private final TreeMap<Long, List<ReplyLeaf>> recentReplies = new TreeMap<>();
    private long recentReplyBytes;

    // Counters, read by hosts for metrics and by tests.
    private long executedRequests;
    private long resentReplies;
    private long staleRequests;
    private long applicationErrors;
    private long checkpointsTaken;
    private long checkpointsCertified;
    private long lateCheckpoints;
    private long divergentCheckpoints;
    private long stateRequestsSent;
    private long stateSnapshotsServed;
    private long stateTransfersDone;
    private long stateTransfersRejected;
    private long malformedMessages;
    private long ignoredMessages;
    private long unreadableRecords;
    private long unreadableRequests;
    private long oversizedResults;
    private long sharesSent;
    private long sharesResent;
    private long sharesSignedLate;
    private long unanswerableNudges;

    /**
     * @param quorums      the agreement cluster's FaB quorum sizes (the simulator may pass a mutated copy)
     * @param signer       this node's key, for its execution checkpoints
     * @param signatures   public keys of every node (execution checkpoints are checked against them)
     * @param stateMachine the application, in its initial state
     */
    public ExecutionNode(ClusterSpec spec, FabQuorums quorums, ExecutionConfig config, int self, Signer signer,
            SignatureVerifier signatures, StateMachine stateMachine) {
        this(spec, quorums, config, self, signer, signatures, stateMachine, null);
    }

    /**
     * @param firewall required iff {@code spec.firewall()}: this node's threshold key share (its
     *                 index must be {@code self − a + 1}) and the client seals
     */
    public ExecutionNode(ClusterSpec spec, FabQuorums quorums, ExecutionConfig config, int self, Signer signer,
            SignatureVerifier signatures, StateMachine stateMachine, ExecutionFirewall firewall) {
        if (spec.executionNodes() == 0) throw new IllegalArgumentException("the cluster has no execution nodes");
        if (spec.firewall() != (firewall != null)) {
            throw new IllegalArgumentException("firewall keys are required in firewall mode, and only there");
        }
        if (firewall != null && firewall.shareSigner().index() != self - spec.agreementNodes() + 1) {
            throw new IllegalArgumentException("node " + self + " must hold share " + (self - spec.agreementNodes() + 1)
                    + ", not " + firewall.shareSigner().index());
        }
        if (quorums.acceptors() != spec.agreementNodes()) throw new IllegalArgumentException("quorums do not match spec");
        this.firstExecutionNode = spec.agreementNodes();
        this.executionNodes = spec.executionNodes();
        if (self < firstExecutionNode || self >= firstExecutionNode + executionNodes) {
            throw new IllegalArgumentException("not an execution node: " + self);
        }
        if (!signer.principal().equals(Principal.node(self))) throw new IllegalArgumentException("signer is not node " + self);
        this.spec = spec;
        this.config = config;
        this.self = self;
        this.signer = signer;
        this.signatures = signatures;
        this.stateMachine = stateMachine;
        // Execution nodes never answer DECISION-QUERY, so the learner retains a single slot. In
        // firewall mode it exists (for observers) but is never fed.
        this.learner = new FabLearner(quorums, config.trackedSlots(), 1, this);
        this.firewall = firewall;
        this.decisions = firewall == null
                ? new LearnerDecisions(learner, spec.agreementNodes(), self)
                : new FilterDecisions(spec, quorums.proof(), signatures, config.trackedSlots(), this);
        this.firstRowHFilter = firewall == null ? -1 : spec.filterNode(spec.h(), 0);
        this.rowHFilters = spec.filterRows();
        this.peers = new int[executionNodes - 1];
        for (int i = 0, j = 0; i < executionNodes; i++) {
            if (firstExecutionNode + i != self) peers[j++] = firstExecutionNode + i;
        }
        this.votes = new CheckpointVotes(firstExecutionNode, executionNodes, config.checkpointsPerPeer());
        this.servedAtHeartbeat = new long[executionNodes];
        Arrays.fill(servedAtHeartbeat, -1);
    }

    /**
     * Rebuilds a node after a crash from what it persisted: the latest readable checkpoint
     * state (its own, so no certificate is needed). Slots after it are learned again from the
     * agreement cluster; with no usable record the node starts from the empty state at slot 0
     * and, if the agreement cluster no longer has the early slots, from a peer's certified
     * checkpoint by state transfer.
     *
     * @param stateMachine the application in its initial state
     */
    public static ExecutionNode recover(ClusterSpec spec, FabQuorums quorums, ExecutionConfig config, int self,
            Signer signer, SignatureVerifier signatures, StateMachine stateMachine, List<ExecutionPersisted> records) {
        return recover(spec, quorums, config, self, signer, signatures, stateMachine, records, null);
    }

    /**
     * As {@link #recover(ClusterSpec, FabQuorums, ExecutionConfig, int, Signer, SignatureVerifier, StateMachine, List)},
     * in firewall mode ({@code firewall} required iff {@code spec.firewall()}): slots after the
     * checkpoint are fetched again from the filters and re-executed, which re-sends their
     * REPLY-SHAREs (the same bytes); the shares of the slots before it that the node still
     * retained come back from the {@link ExecutionPersisted.ReplyShares} written with it.
     */
    public static ExecutionNode recover(ClusterSpec spec, FabQuorums quorums, ExecutionConfig config, int self,
            Signer signer, SignatureVerifier signatures, StateMachine stateMachine, List<ExecutionPersisted> records,
            ExecutionFirewall firewall) {
        ExecutionNode node = new ExecutionNode(spec, quorums, config, self, signer, signatures, stateMachine, firewall);
        List<ExecutionPersisted.Checkpoint> checkpoints = new ArrayList<>();
        for (ExecutionPersisted r : records) {
            if (r instanceof ExecutionPersisted.Checkpoint c) checkpoints.add(c);
        }
        // Latest first; a record that cannot be read (a torn write) gives way to the one before it.
        checkpoints.sort(Comparator.comparingLong(ExecutionPersisted.Checkpoint::slot).reversed());
        Bytes initial = null;
        for (ExecutionPersisted.Checkpoint c : checkpoints) {
            ExecutionState state;
            try {
                state = ExecutionState.decode(c.state());
            } catch (MalformedMessageException e) {
                node.unreadableRecords++;
                continue;
            }
            if (state.slot() != c.slot()) {
                node.unreadableRecords++;
                continue;
            }
            if (initial == null) initial = stateMachine.snapshot();
            if (!node.install(state, initial)) {
                node.unreadableRecords++;
                continue;
            }
            Digest digest = ExecutionState.digestOf(c.state());
            node.decisions.jumpTo(state.slot(), state.logHash());
            node.latestOwn = node.sign(state.slot(), digest);
            node.ownStates.put(state.slot(), new OwnState(digest, c.state()));
            node.count(node.latestOwn);
            break;
        }
        if (firewall != null) node.recoverShares(records);
        // After a restart, ask what was decided meanwhile (probably something).
        node.decisions.requestProbe();
        return node;
    }

    /** Retained shares of slots up to the recovered checkpoint (later slots are executed again). */
    private void recoverShares(List<ExecutionPersisted> records) {
        long executed = decisions.nextSlot() - 1;
        TreeMap<Long, ReplyShare> recovered = new TreeMap<>();
        for (ExecutionPersisted r : records) {
            if (r instanceof ExecutionPersisted.ReplyShares rs) {
                for (ReplyShare s : rs.shares()) {
                    if (s.slot() <= executed) recovered.put(s.slot(), s);
                }
            }
        }
        for (ReplyShare s : recovered.values()) retain(s);
        if (!recovered.isEmpty()) latestShare = recovered.lastEntry().getValue();
    }

    // ---------------------------------------------------------------- inputs

    public void start(long nowNanos, Outbox out) {
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
    }

    public void onMessage(long nowNanos, Principal from, Message m, Outbox out) {
        if (from == null || m == null) {
            ignoredMessages++;
        } else if (from.kind() == Principal.Kind.CLIENT) {
            if (firewall == null && m instanceof Request r && r.clientId() == from.id()) {
                onClientRequest(r, out);
            } else {
                ignoredMessages++; // in firewall mode clients reach execution nodes only through the filters
            }
        } else if (isExecutionNode(from.id()) && from.id() != self) {
            onPeerMessage((int) from.id(), m, out);
        } else if (firewall != null) {
            if (isRowHFilter(from.id())) {
                onFilterMessage((int) from.id(), m, out);
            } else {
                ignoredMessages++; // agreement nodes and other filters never talk to execution nodes here
            }
        } else if (from.id() < firstExecutionNode) {
            decisions.onMessage((int) from.id(), m, out);
        } else {
            ignoredMessages++;
        }
    }

    public void onTimer(long nowNanos, Object key, Outbox out) {
        if (key == HeartbeatTimer.INSTANCE) {
            heartbeat(out);
        } else {
            ignoredMessages++;
        }
    }

    /** Firewall mode: ORDERED up from row h, and clients' retransmissions it forwards (nudges). */
    private void onFilterMessage(int from, Message m, Outbox out) {
        if (m instanceof Request r) {
            onNudge(r, out);
        } else if (m instanceof io.bulwark.core.message.DecisionQuery q) {
            onSharesQuery(q, out);
        } else {
            decisions.onMessage(from, m, out);
        }
    }

    private void onPeerMessage(int from, Message m, Outbox out) {
        switch (m) {
            case ExecutionCheckpoint c -> onExecutionCheckpoint(from, c, out);
            case StateRequest q -> onStateRequest(from, q, out);
            case StateSnapshot s -> onStateSnapshot(from, s, out);
            default -> ignoredMessages++;
        }
    }

    // ---------------------------------------------------------------- execution

    /** A client re-sent a request: answer from the reply cache, never execute (agreement orders requests). */
    private void onClientRequest(Request r, Outbox out) {
        CachedReply last = replies.get(r.clientId());
        if (last != null && last.timestamp() == r.timestamp()) {
            resentReplies++;
            sendReply(r.clientId(), last, out);
        } else {
            ignoredMessages++;
        }
    }

    /** Called by the embedded learner for each decided slot, in slot order; not for hosts. */
    @Override
    public void onDeliver(long slot, Batch batch, Outbox out) {
        // For observers (the simulator's agreement checks); this core has executed the batch itself.
        out.deliver(slot, batch);
        timeMillis = Math.max(timeMillis, batch.timeMillis());
        List<ReplyLeaf> leaves = firewall == null ? null : new ArrayList<>();
        long sealedBytes = 0;
        for (Request r : batch.requests()) {
            CachedReply last = replies.get(r.clientId());
            if (last == null || r.timestamp() > last.timestamp()) {
                if (firewall == null) {
                    CachedReply reply = new CachedReply(r.timestamp(), slot, execute(r.clientId(), r.operation()));
                    replies.put(r.clientId(), reply);
                    sendReply(r.clientId(), reply, out);
                } else {
                    Bytes sealed = executeSealed(r, SLOT_REPLY_BYTES_MAX - sealedBytes);
                    sealedBytes += sealed.length();
                    replies.put(r.clientId(), new CachedReply(r.timestamp(), slot, sealed));
                    leaves.add(new ReplyLeaf(r.clientId(), r.timestamp(), sealed));
                }
                executedRequests++;
            } else if (r.timestamp() == last.timestamp() && firewall == null) {
                resentReplies++;
                sendReply(r.clientId(), last, out);
            } else {
                staleRequests++;
            }
        }
        if (firewall != null) {
            sendShare(slot, leaves, out);
            rememberReplies(slot, leaves);
        }
        if ((slot + 1) % config.checkpointInterval() == 0) takeCheckpoint(slot, out);
    }

    /**
     * The application's result. An application that breaks its contract (throws, returns null
     * or an oversized result) gets an empty result: every correct replica does the same, so
     * replicas still agree, and the node keeps running.
     */
    private Bytes execute(long clientId, Bytes operation) {
        Bytes result;
        try {
            result = stateMachine.execute(clientId, operation, timeMillis);
        } catch (RuntimeException e) {
            applicationErrors++;
            return Bytes.EMPTY;
        }
        if (result == null || result.length() > WireLimits.RESULT_BYTES_MAX) {
            applicationErrors++;
            return Bytes.EMPTY;
        }
        return result;
    }

    private static void sendReply(long clientId, CachedReply r, Outbox out) {
        out.send(Principal.client(clientId), new Reply(clientId, r.timestamp(), r.slot(), r.result()));
    }

    // ---------------------------------------------------------------- firewall: sealed replies, shares

    /**
     * Firewall mode: opens the request body with its client's seal, executes it, and returns the
     * result sealed to the client. Deterministic, so every correct node returns the same bytes.
     *
     * @param budget sealed bytes the slot's replies may still take
     */
    private Bytes executeSealed(Request r, long budget) {
        ClientSeal seal = sealFor(r.clientId());
        Optional<Bytes> operation = seal == null ? Optional.empty()
                : seal.open(ClientSeal.Direction.REQUEST, r.timestamp(), r.operation());
        Bytes result;
        if (operation.isPresent()) {
            result = execute(r.clientId(), operation.get());
        } else {
            unreadableRequests++;
            result = UNREADABLE_REQUEST_RESULT;
        }
        if (seal == null) return result;
        if (result.length() + ClientSeal.TAG_BYTES > budget) {
            oversizedResults++;
            result = UNREADABLE_REQUEST_RESULT;
        }
        return seal.seal(ClientSeal.Direction.REPLY, r.timestamp(), result);
    }

    private ClientSeal sealFor(long clientId) {
        try {
            return firewall.seals().forClient(clientId).orElse(null);
        } catch (RuntimeException broken) {
            return null; // a seal directory that fails on one client must not stop execution
        }
    }

    /** Signs slot s's replies once and sends the share to every filter of row h. */
    private void sendShare(long slot, List<ReplyLeaf> leaves, Outbox out) {
        Digest root = ReplyMerkleTree.root(slot, leaves);
        Bytes share = firewall.shareSigner().signShare(WireCodec.slotRepliesSignedBytes(slot, root));
        ReplyShare message = new ReplyShare(slot, leaves, share);
        toRowH(message, out);
        sharesSent++;
        retain(message);
        latestShare = message;
        executedSinceHeartbeat = true;
    }

    /** Keeps slot's leaves among the recent replies: the latest {@code recentReplySlots}, within the byte cap. */
    private void rememberReplies(long slot, List<ReplyLeaf> leaves) {
        recentReplies.put(slot, List.copyOf(leaves));
        recentReplyBytes += ExecutionState.recentReplyBytes(leaves);
        // Deterministic (it depends on the leaves only), so every correct node keeps the same slots.
        while (!recentReplies.isEmpty() && (recentReplies.firstKey() <= slot - config.recentReplySlots()
                || recentReplyBytes > ExecutionState.RECENT_REPLY_BYTES_MAX)) {
            recentReplyBytes -= ExecutionState.recentReplyBytes(recentReplies.pollFirstEntry().getValue());
        }
    }

    /**
     * This node's share of slot's replies: the retained one, or — for a slot among the recent
     * replies whose share is no longer retained or was never signed here (installed by state
     * transfer) — one signed now and retained. Null if the node does not know the slot's replies.
     */
    private RetainedShare shareOf(long slot) {
        RetainedShare kept = shares.get(slot);
        if (kept != null) return kept;
        List<ReplyLeaf> leaves = recentReplies.get(slot);
        if (leaves == null) return null;
        Digest root = ReplyMerkleTree.root(slot, leaves);
        ReplyShare share = new ReplyShare(slot, leaves, firewall.shareSigner().signShare(WireCodec.slotRepliesSignedBytes(slot, root)));
        sharesSignedLate++;
        retain(share);
        kept = shares.get(slot);
        return kept != null ? kept : new RetainedShare(share);
    }

    private void retain(ReplyShare share) {
        RetainedShare kept = new RetainedShare(share);
        RetainedShare replaced = shares.put(share.slot(), kept);
        if (replaced != null) retainedShareBytes -= replaced.bytes;
        retainedShareBytes += kept.bytes;
        while (shares.size() > config.shareRetentionSlots()
                || (shares.size() > 1 && retainedShareBytes > config.shareRetentionBytes())) {
            retainedShareBytes -= shares.pollFirstEntry().getValue().bytes;
        }
    }

    /**
     * A row-h filter passed this client request up but holds no replies for its slot: the share
     * went missing somewhere. Re-send it (the same bytes) if this node executed the request and
     * still retains the share; at most once per slot per heartbeat.
     */
    private void onNudge(Request r, Outbox out) {
        CachedReply last = replies.get(r.clientId());
        if (last == null || last.timestamp() != r.timestamp()) {
            ignoredMessages++; // not executed here (yet), or superseded
            return;
        }
        RetainedShare kept = shareOf(last.slot());
        if (kept == null) {
            unanswerableNudges++;
            return;
        }
        if (kept.resentAtHeartbeat == heartbeats) {
            ignoredMessages++;
            return;
        }
        kept.resentAtHeartbeat = heartbeats;
        toRowH(kept.share, out);
        sharesResent++;
    }

    /**
     * A row-h filter misses the replies of these slots (its overdue-replies query; a filter never
     * sends ORDERED queries up, so a query from row h means this). Re-send the retained shares of
     * those slots, at most {@value #SHARES_PER_QUERY_MAX} and each at most once per heartbeat.
     */
    private void onSharesQuery(io.bulwark.core.message.DecisionQuery q, Outbox out) {
        int sent = 0;
        long end = Math.min(q.fromSlot() + q.count(), decisions.nextSlot());
        for (long slot = q.fromSlot(); slot < end && sent < SHARES_PER_QUERY_MAX; slot++) {
            RetainedShare kept = shareOf(slot);
            if (kept == null || kept.resentAtHeartbeat == heartbeats) continue;
            kept.resentAtHeartbeat = heartbeats;
            toRowH(kept.share, out);
            sharesResent++;
            sent++;
        }
    }

    private void toRowH(Message m, Outbox out) {
        for (int c = 0; c < rowHFilters; c++) out.sendToNode(firstRowHFilter + c, m);
    }

    private boolean isRowHFilter(long id) {
        return id >= firstRowHFilter && id < (long) firstRowHFilter + rowHFilters;
    }

    /** The retained shares of the slots since the previous checkpoint, for {@link ExecutionPersisted.ReplyShares}. */
    private List<ReplyShare> sharesSinceLastCheckpoint(long slot) {
        List<ReplyShare> list = new ArrayList<>();
        for (RetainedShare s : shares.subMap(slot - config.checkpointInterval(), false, slot, true).values()) {
            list.add(s.share);
        }
        return list;
    }

    // ---------------------------------------------------------------- checkpoints

    private void takeCheckpoint(long slot, Outbox out) {
        Bytes state = currentState(slot).encode();
        Digest digest = ExecutionState.digestOf(state);
        out.persist(new ExecutionPersisted.Checkpoint(slot, state));
        if (firewall != null) out.persist(new ExecutionPersisted.ReplyShares(slot, sharesSinceLastCheckpoint(slot)));
        checkpointsTaken++;
        latestOwn = sign(slot, digest);
        broadcast(latestOwn, out);
        if (slot > certifiedSlot()) {
            ownStates.put(slot, new OwnState(digest, state));
            while (ownStates.size() > config.checkpointsPerPeer()) ownStates.pollFirstEntry();
            count(latestOwn);
        } else if (slot == certifiedSlot()) {
            // Certified by peers before this node got here: keep the state if it matches.
            if (digest.equals(certified.stateDigest())) {
                servable = new Servable(certified, state);
            } else {
                divergentCheckpoints++;
            }
        }
    }

    private ExecutionState currentState(long slot) {
        return new ExecutionState(slot, timeMillis, decisions.logHash(), replies, stateMachine.snapshot(), recentReplies);
    }

    private ExecutionCheckpoint sign(long slot, Digest digest) {
        return new ExecutionCheckpoint(self, slot, digest,
                signer.sign(WireCodec.executionCheckpointSignedBytes(self, slot, digest)));
    }

    /**
     * To every other execution node (state transfer) and, without a firewall, every agreement node
     * (flow control, garbage collection). In firewall mode the state digest must not leave the
     * execution cluster: agreement nodes get EXECUTED-CERTIFICATEs from the filters instead.
     */
    private void broadcast(ExecutionCheckpoint c, Outbox out) {
        for (int peer : peers) out.sendToNode(peer, c);
        if (firewall != null) return;
        for (int node = 0; node < firstExecutionNode; node++) out.sendToNode(node, c);
    }

    private void onExecutionCheckpoint(int from, ExecutionCheckpoint c, Outbox out) {
        if (c.sender() != from || (c.slot() + 1) % config.checkpointInterval() != 0) {
            malformedMessages++;
            return;
        }
        if (c.slot() <= certifiedSlot()) {
            lateCheckpoints++; // normal: the checkpoints after the (g+1)-th
            return;
        }
        if (votes.has(from, c.slot())) {
            ignoredMessages++; // a re-send, or a second (different) statement for the slot
            return;
        }
        if (!signatures.verify(Principal.node(from), WireCodec.signedBytes(c), c.signature())) {
            malformedMessages++;
            return;
        }
        count(c);
    }

    private void count(ExecutionCheckpoint c) {
        if (votes.add(c) >= spec.g() + 1) {
            certify(new CertifiedCheckpoint(c.slot(), c.stateDigest(), votes.matching(c.slot(), c.stateDigest())));
        }
    }

    private void certify(CertifiedCheckpoint cert) {
        certified = cert;
        checkpointsCertified++;
        votes.forgetUpTo(cert.slot());
        OwnState own = ownStates.get(cert.slot());
        if (own != null) {
            if (own.digest().equals(cert.stateDigest())) {
                servable = new Servable(cert, own.state());
            } else {
                divergentCheckpoints++;
            }
        }
        ownStates.headMap(cert.slot(), true).clear();
        // If this node is behind, the slots up to the checkpoint are decided: worth catching up to.
        decisions.noteSlotExists(cert.slot());
    }

    // ---------------------------------------------------------------- state transfer

    private void onStateRequest(int from, StateRequest q, Outbox out) {
        if (servable == null || servable.certificate().slot() < q.slot()) {
            ignoredMessages++;
            return;
        }
        int index = from - firstExecutionNode;
        if (servedAtHeartbeat[index] == heartbeats) {
            ignoredMessages++; // a state is large: at most one per peer per heartbeat
            return;
        }
        if (servable.state().length() > StateSnapshot.STATE_BYTES_MAX) {
            ignoredMessages++; // too large for one frame
            return;
        }
        servedAtHeartbeat[index] = heartbeats;
        stateSnapshotsServed++;
        CertifiedCheckpoint cert = servable.certificate();
        out.sendToNode(from, new StateSnapshot(cert.slot(), servable.state(), cert.signatures()));
    }

    private void onStateSnapshot(int from, StateSnapshot s, Outbox out) {
        if (!stateRequestOutstanding || s.slot() < decisions.nextSlot()) {
            ignoredMessages++;
            return;
        }
        CertifiedCheckpoint cert = verifyCertificate(s.slot(), s.certificate());
        if (cert == null || !ExecutionState.digestOf(s.state()).equals(cert.stateDigest())) {
            stateTransfersRejected++;
            return;
        }
        ExecutionState state;
        try {
            state = ExecutionState.decode(s.state());
        } catch (MalformedMessageException e) {
            stateTransfersRejected++;
            return;
        }
        if (state.slot() != s.slot() || !install(state, stateMachine.snapshot())) {
            stateTransfersRejected++;
            return;
        }
        out.persist(new ExecutionPersisted.Checkpoint(state.slot(), s.state()));
        decisions.jumpTo(state.slot(), state.logHash(), out);
        stateTransfersDone++;
        stateRequestOutstanding = false;
        progressSlot = decisions.nextSlot();
        idleHeartbeats = 0;
        if (cert.slot() > certifiedSlot()) {
            certified = cert;
            votes.forgetUpTo(cert.slot());
        }
        ownStates.headMap(cert.slot(), true).clear();
        servable = new Servable(cert, s.state());
        decisions.requestProbe();
    }

    /**
     * The certificate if it is g + 1 or more valid signatures of distinct execution nodes, all
     * on (slot, one digest); otherwise null.
     */
    private CertifiedCheckpoint verifyCertificate(long slot, List<ExecutionCheckpoint> certificate) {
        if (certificate.size() < spec.g() + 1 || certificate.size() > executionNodes) return null;
        Digest digest = certificate.getFirst().stateDigest();
        BitSet signers = new BitSet();
        for (ExecutionCheckpoint c : certificate) {
            if (!isExecutionNode(c.sender()) || c.slot() != slot || !c.stateDigest().equals(digest)) return null;
            int index = c.sender() - firstExecutionNode;
            if (signers.get(index)) return null;
            signers.set(index);
        }
        for (ExecutionCheckpoint c : certificate) {
            if (!signatures.verify(Principal.node(c.sender()), WireCodec.signedBytes(c), c.signature())) return null;
        }
        return new CertifiedCheckpoint(slot, digest, certificate);
    }

    /**
     * Replaces the application state, reply cache and time with {@code state}'s. If the
     * application refuses the snapshot, puts {@code fallback} back and returns false.
     */
    private boolean install(ExecutionState state, Bytes fallback) {
        try {
            stateMachine.restore(state.application());
        } catch (RuntimeException refused) {
            stateMachine.restore(fallback);
            return false;
        }
        replies.clear();
        replies.putAll(state.replies());
        recentReplies.clear();
        recentReplies.putAll(state.recentReplies());
        recentReplyBytes = 0;
        for (List<ReplyLeaf> leaves : recentReplies.values()) recentReplyBytes += ExecutionState.recentReplyBytes(leaves);
        timeMillis = state.timeMillis();
        return true;
    }

    // ---------------------------------------------------------------- heartbeat

    private void heartbeat(Outbox out) {
        heartbeats++;
        out.setTimer(HeartbeatTimer.INSTANCE, config.heartbeatNanos());
        decisions.heartbeat(out);
        if (firewall != null) {
            // A lost share must not stall flow control (the agreement nodes wait for the slot's
            // EXECUTED-CERTIFICATE) when nothing newer comes to replace it.
            if (!executedSinceHeartbeat && latestShare != null) {
                toRowH(latestShare, out);
                sharesResent++;
            }
            executedSinceHeartbeat = false;
        }
        long next = decisions.nextSlot();
        if (next != progressSlot) {
            progressSlot = next;
            idleHeartbeats = 0;
        } else {
            idleHeartbeats++;
        }
        // The agreement nodes had their chance to fill the gap: fetch the state from a peer instead.
        if (certified != null && certified.slot() >= next && idleHeartbeats >= config.stateTransferPatience()
                && peers.length > 0) {
            int peer = peers[nextPeer];
            nextPeer = (nextPeer + 1) % peers.length;
            out.sendToNode(peer, new StateRequest(next));
            stateRequestsSent++;
            stateRequestOutstanding = true;
            idleHeartbeats = 0;
        }
        if (latestOwn != null && heartbeats % config.checkpointResendHeartbeats() == 0) broadcast(latestOwn, out);
    }

    // ---------------------------------------------------------------- observation

    private boolean isExecutionNode(long id) {
        return id >= firstExecutionNode && id < firstExecutionNode + executionNodes;
    }

    private long certifiedSlot() {
        return certified == null ? -1 : certified.slot();
    }

    public int id() {
        return self;
    }

    /** The next slot to execute: every slot below it has been executed (or installed by state transfer). */
    public long nextSlot() {
        return decisions.nextSlot();
    }

    /** Hash chain over the decided batches executed (or installed) so far. */
    public Digest logHash() {
        return decisions.logHash();
    }

    /** Whether this node runs in firewall mode. */
    public boolean firewall() {
        return firewall != null;
    }

    /** The batch time so far: what the application was last given. */
    public long timeMillis() {
        return timeMillis;
    }

    /** The last reply to {@code clientId}, or null. */
    public CachedReply cachedReply(long clientId) {
        return replies.get(clientId);
    }

    /** A copy of the reply cache, by client id. */
    public Map<Long, CachedReply> replyCache() {
        return new TreeMap<>(replies);
    }

    /** The latest certified checkpoint this node knows of, or null. */
    public CertifiedCheckpoint certifiedCheckpoint() {
        return certified;
    }

    /** The slot of the certified checkpoint this node can serve to peers, or -1. */
    public long servableSlot() {
        return servable == null ? -1 : servable.certificate().slot();
    }

    /** The last checkpoint this node signed, or null. */
    public ExecutionCheckpoint latestCheckpoint() {
        return latestOwn;
    }

    /** The embedded FaB learner; in firewall mode it exists but is never fed (decisions come as ORDERED). */
    public FabLearner learner() {
        return learner;
    }

    /** Firewall mode: the latest REPLY-SHARE this node sent (or recovered), or null. */
    public ReplyShare latestShare() {
        return latestShare;
    }

    /** Firewall mode: the retained REPLY-SHARE of {@code slot}, or null. */
    public ReplyShare retainedShare(long slot) {
        RetainedShare s = shares.get(slot);
        return s == null ? null : s.share;
    }

    /** Firewall mode: slots whose REPLY-SHARE is retained. */
    public int retainedShares() {
        return shares.size();
    }

    /** Firewall mode: REPLY-SHAREs signed and sent (one per executed slot). */
    public long sharesSent() {
        return sharesSent;
    }

    /** Firewall mode: REPLY-SHAREs sent again, on a nudge or an idle heartbeat. */
    public long sharesResent() {
        return sharesResent;
    }

    /** Firewall mode: shares signed when asked for, from the recent replies of a checkpoint state (after a state transfer, or beyond retention). */
    public long sharesSignedLate() {
        return sharesSignedLate;
    }

    /** Firewall mode: the slots whose sealed replies this node keeps in its checkpoint state. */
    public java.util.SortedSet<Long> recentReplySlots() {
        return new java.util.TreeSet<>(recentReplies.keySet());
    }

    /** Firewall mode: nudges for a request executed in a slot whose share is no longer retained. */
    public long unanswerableNudges() {
        return unanswerableNudges;
    }

    /** Firewall mode: requests whose body did not open (or whose client has no seal): executed as the unreadable-request result. */
    public long unreadableRequests() {
        return unreadableRequests;
    }

    /** Firewall mode: results replaced because the slot's sealed replies would not fit in a frame. */
    public long oversizedResults() {
        return oversizedResults;
    }

    /** Firewall mode: ORDERED accepted (valid proof, new slot in the window). */
    public long orderedAccepted() {
        return decisions instanceof FilterDecisions d ? d.orderedAccepted() : 0;
    }

    /** Firewall mode: ORDERED dropped for a proof that does not show the slot decided with that batch. */
    public long orderedRejected() {
        return decisions instanceof FilterDecisions d ? d.orderedRejected() : 0;
    }

    /** Firewall mode: heartbeats on which this node asked row h for ORDERED it misses. */
    public long decisionQueriesSent() {
        return decisions instanceof FilterDecisions d ? d.decisionQueriesSent() : 0;
    }

    public long executedRequests() {
        return executedRequests;
    }

    /** Cached replies sent again: for a repeated request in a decided batch, or a client's retransmission. */
    public long resentReplies() {
        return resentReplies;
    }

    /** Decided requests older than their client's last executed one, dropped (in firewall mode also repeats of it: they get no leaf). */
    public long staleRequests() {
        return staleRequests;
    }

    /** Operations on which the application threw, or returned null or an oversized result. */
    public long applicationErrors() {
        return applicationErrors;
    }

    public long checkpointsTaken() {
        return checkpointsTaken;
    }

    public long checkpointsCertified() {
        return checkpointsCertified;
    }

    /** Checkpoints that arrived for a slot already certified (normal: the ones after the (g+1)-th). */
    public long lateCheckpoints() {
        return lateCheckpoints;
    }

    /** Own states that did not match the certified digest: this node's application is not deterministic. */
    public long divergentCheckpoints() {
        return divergentCheckpoints;
    }

    public long stateRequestsSent() {
        return stateRequestsSent;
    }

    public long stateSnapshotsServed() {
        return stateSnapshotsServed;
    }

    public long stateTransfersDone() {
        return stateTransfersDone;
    }

    /** Snapshots dropped for a bad certificate, a digest mismatch or an unreadable state. */
    public long stateTransfersRejected() {
        return stateTransfersRejected;
    }

    /** Inputs that are invalid in themselves (bad signature, sender mismatch, misaligned checkpoint slot, bad ORDERED proof). */
    public long malformedMessages() {
        return malformedMessages + orderedRejected();
    }

    /** Inputs from unexpected senders, of unexpected types, or of no use now (the learner's or ORDERED buffer's own count included). */
    public long ignoredMessages() {
        return ignoredMessages + decisions.ignoredMessages();
    }

    /** Persisted records {@link #recover} could not use. */
    public long unreadableRecords() {
        return unreadableRecords;
    }
}
