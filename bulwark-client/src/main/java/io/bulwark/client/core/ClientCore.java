package io.bulwark.client.core;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One client of a Bulwark cluster as a deterministic state machine: no threads, clocks,
 * sockets or randomness. The host feeds it submissions, messages and timer firings with the
 * current time (monotonic nanoseconds), carries out the sends and timers it leaves in the
 * {@link Outbox}, and hands the {@link #drainOutcomes() outcomes} to whoever is waiting.
 *
 * <pre>
 *   ONE request outstanding per client; further calls wait in a FIFO queue (bounded)
 *       (a replica executes (client, timestamp) once, and only a timestamp above the client's
 *        last executed one is fresh: a second request in flight could make the first stale)
 *   timestamps strictly increase, starting from the host's initial value (e.g. wall-clock
 *       microseconds, so that a restarted client with the same id still moves forward)
 *   send: signed REQUEST (+ MAC authenticator for the agreement nodes) to the presumed leader
 *   no reply certificate within retransmitAfter → REQUEST to every peer, again and again with
 *       exponential backoff (capped), until the call's deadline
 *   deadline (submission + callTimeout) passes → the call fails with TIMEOUT; never hangs
 *
 *   without a firewall (h = -1):
 *     peers = all agreement nodes and all execution nodes
 *     reply certificate = g+1 matching (slot, result) REPLYs from distinct execution nodes
 *         (f+1 from distinct agreement nodes when there is no execution cluster);
 *         each node's first reply for the timestamp is its only vote
 *
 *   behind a privacy firewall (h >= 0; docs/firewall.md, Yin et al., SOSP 2003 §4):
 *     the operation is sealed to the execution cluster (ClientSeal, REQUEST, timestamp) before
 *         it is signed: agreement nodes and filters order and forward ciphertext only
 *     peers = all agreement nodes and all filters of row 0 (execution nodes talk to no client)
 *     reply certificate = ONE REPLY-CERTIFICATE from a row-0 filter whose leaf is
 *         (this client, outstanding timestamp), whose Merkle path gives a root r with
 *         executionKey.verify(slotRepliesSignedBytes(slot, r), signature), and whose sealed
 *         result opens (ClientSeal, REPLY, timestamp); plain REPLYs count for nothing
 * </pre>
 *
 * <p>Why these sizes: at most g execution nodes (f agreement nodes) are faulty, so g+1 (f+1)
 * matching replies include one from a correct node, and correct nodes reply only with what
 * the ordered request produced. Behind the firewall the combined threshold signature needs
 * g+1 execution nodes' shares on the slot's root, so one valid signature stands for g+1 nodes
 * (one of them correct) having produced exactly this sealed reply in that slot; the filter that
 * relays it is not trusted with anything (a forged or altered certificate fails the check, and
 * the AES-GCM tag binds the result to this client and timestamp). Retransmitting to everyone
 * covers a faulty or crashed leader (agreement nodes forward the request to the current leader
 * and start watching it, so a leader that ignores it is suspected) and lost replies (execution
 * nodes, or row-0 filters behind a firewall, re-send what they hold for the client's last request).
 *
 * <p>After a call that needed a retransmission the presumed leader moves to the next
 * agreement node: a presumed leader that is down would otherwise cost a full retransmit wait
 * on every call, while a wrong but live guess costs only one forwarding hop. (Leaders rotate
 * round-robin by proposal number, so after a leader change the next node is also the most
 * likely new leader.)
 *
 * <p>Bad input never throws: a message that is not a usable reply is dropped and counted
 * ({@link #ignoredMessages()}; forged or mismatched certificates also in
 * {@link #rejectedCertificates()}).
 *
 * <p>Not thread-safe: one host thread drives it.
 */
public final class ClientCore {
    /** Time to re-send the request with {@code timestamp} (if it is still outstanding). */
    public record RetransmitTimer(long timestamp) {}

    /** The deadline of call {@code callId} (if it is still outstanding). */
    public record DeadlineTimer(long callId) {}

    private static final class Call {
        final long id;
        final Bytes operation;
        final long submittedAt;
        final long deadline;
        Request request;
        /** First reply of each responder for this call's timestamp, by responder index (no firewall only). */
        Reply[] votes;
        long retransmitWait;
        int retransmissions;

        Call(long id, Bytes operation, long submittedAt, long deadline) {
            this.id = id;
            this.operation = operation;
            this.submittedAt = submittedAt;
            this.deadline = deadline;
        }
    }

    private final ClusterSpec spec;
    private final long clientId;
    private final Signer signer;
    private final RequestAuthenticator authenticator;
    private final ClientConfig config;
    /** Firewall mode only: seals request bodies and opens replies. Null without a firewall. */
    private final ClientSeal seal;
    /** Firewall mode only: the execution cluster's threshold public key. Null without a firewall. */
    private final ThresholdVerifier executionKey;
    /** Node ids whose replies count: {@code [firstResponder, firstResponder + responders)}. */
    private final int firstResponder;
    private final int responders;
    private final int replyQuorum;
    /** Every node the client sends to (retransmissions go to all of them), ascending. */
    private final int[] peers;

    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private final List<CallOutcome> outcomes = new ArrayList<>();
    private Call outstanding;
    private long nextTimestamp;
    private long nextCallId;
    private int leaderGuess;
    private boolean shutdown;

    private long retransmissions;
    private long ignoredMessages;
    private long rejectedCertificates;
    private long ignoredTimers;

    /**
     * A client of a cluster without a privacy firewall ({@code spec.h() == -1}).
     *
     * @param clientId         this client; {@code signer} must sign as {@code Principal.client(clientId)}
     * @param signer           the client's Ed25519 signer (requests are shown to third parties)
     * @param authenticator    builds the MAC vector for the agreement nodes, or
     *                         {@link RequestAuthenticator#NONE}
     * @param initialTimestamp the first timestamp to use; must be above any this client id used
     *                         before (the host passes e.g. wall-clock microseconds)
     * @throws IllegalArgumentException if the cluster has a firewall (use the overload with a seal
     *                                  and the execution key)
     */
    public ClientCore(ClusterSpec spec, long clientId, Signer signer, RequestAuthenticator authenticator,
            ClientConfig config, long initialTimestamp) {
        this(spec, clientId, signer, authenticator, config, initialTimestamp, null, null);
    }

    /**
     * A client of any cluster. {@code seal} and {@code executionKey} are required if and only if
     * the cluster has a privacy firewall ({@code spec.firewall()}); pass null for both otherwise.
     *
     * @param seal         the seal between this client and the execution cluster
     *                     ({@code seal.clientId() == clientId}): request bodies are sealed with it,
     *                     certified replies opened with it
     * @param executionKey the public side of the execution cluster's threshold signature: the only
     *                     key a reply certificate is checked against
     */
    public ClientCore(ClusterSpec spec, long clientId, Signer signer, RequestAuthenticator authenticator,
            ClientConfig config, long initialTimestamp, ClientSeal seal, ThresholdVerifier executionKey) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator (RequestAuthenticator.NONE for none)");
        this.config = Objects.requireNonNull(config, "config");
        if (clientId < 0) throw new IllegalArgumentException("clientId must be non-negative: " + clientId);
        if (!signer.principal().equals(Principal.client(clientId))) {
            throw new IllegalArgumentException(
                    "signer signs as " + signer.principal() + ", not as " + Principal.client(clientId));
        }
        if (spec.firewall()) {
            // Behind a privacy firewall a reply certificate is one threshold signature over sealed
            // replies: without the key and the seal the client could neither check nor read one.
            if (seal == null || executionKey == null) {
                throw new IllegalArgumentException("a cluster with a privacy firewall (h = " + spec.h()
                        + ") needs the client's seal and the execution cluster's threshold key");
            }
            if (seal.clientId() != clientId) {
                throw new IllegalArgumentException("the seal is client-" + seal.clientId() + "'s, not client-" + clientId + "'s");
            }
        } else if (seal != null || executionKey != null) {
            throw new IllegalArgumentException("a seal and an execution key are for clusters with a privacy firewall only");
        }
        if (initialTimestamp < 0 || initialTimestamp > WireLimits.SEQUENCE_MAX) {
            throw new IllegalArgumentException("initialTimestamp must be in [0, " + WireLimits.SEQUENCE_MAX + "]");
        }
        this.clientId = clientId;
        this.seal = seal;
        this.executionKey = executionKey;
        this.nextTimestamp = initialTimestamp;
        if (spec.firewall()) {
            this.firstResponder = spec.filterNode(0, 0);
            this.responders = spec.h() + 1;
            this.replyQuorum = 1;
        } else if (spec.executionNodes() > 0) {
            this.firstResponder = spec.agreementNodes();
            this.responders = spec.executionNodes();
            this.replyQuorum = spec.g() + 1;
        } else {
            this.firstResponder = 0;
            this.responders = spec.agreementNodes();
            this.replyQuorum = spec.f() + 1;
        }
        this.peers = peersOf(spec);
    }

    /**
     * Every node a client of {@code spec} sends to: the agreement nodes, then the execution nodes
     * (no firewall) or the filters of row 0 (firewall). A host's transport must be able to reach
     * all of them; ascending.
     */
    public static int[] peersOf(ClusterSpec spec) {
        int a = spec.agreementNodes();
        int[] others = repliersOf(spec);
        if (spec.executionNodes() == 0) return others; // agreement only: the agreement nodes reply
        int[] all = new int[a + others.length];
        for (int i = 0; i < a; i++) all[i] = i;
        System.arraycopy(others, 0, all, a, others.length);
        return all;
    }

    /**
     * The nodes whose messages can complete a call of a client of {@code spec}: execution nodes
     * (no firewall), agreement nodes (no execution cluster), or the filters of row 0 (firewall).
     * A transport over which replies come back only on connections the client opened dials
     * these at once. Ascending.
     */
    public static int[] repliersOf(ClusterSpec spec) {
        if (spec.firewall()) {
            int[] row0 = new int[spec.h() + 1];
            for (int c = 0; c <= spec.h(); c++) row0[c] = spec.filterNode(0, c);
            return row0;
        }
        int first = spec.executionNodes() > 0 ? spec.agreementNodes() : 0;
        int n = spec.executionNodes() > 0 ? spec.executionNodes() : spec.agreementNodes();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = first + i;
        return ids;
    }

    // ---------------------------------------------------------------- inputs

    /**
     * Queues a call to execute {@code operation}; sends it at once if no call is outstanding.
     * Returns the call's id, under which its {@link CallOutcome} will be reported. If the client
     * is shut down or already holds {@link ClientConfig#maxQueuedCalls} calls, the outcome is a
     * {@link CallOutcome.Failed} reported in this same step.
     *
     * @throws IllegalArgumentException if the operation is larger than {@link #maxOperationBytes()}
     */
    public long submit(long nowNanos, Bytes operation, Outbox out) {
        Objects.requireNonNull(operation, "operation");
        int max = maxOperationBytes(spec);
        if (operation.length() > max) {
            throw new IllegalArgumentException("operation of " + operation.length() + " bytes exceeds the limit of "
                    + max + " bytes");
        }
        long id = nextCallId++;
        if (shutdown) {
            outcomes.add(new CallOutcome.Failed(id, CallOutcome.Reason.CLOSED, "client-" + clientId + " is closed"));
            return id;
        }
        if (pendingCalls() >= config.maxQueuedCalls()) {
            outcomes.add(new CallOutcome.Failed(id, CallOutcome.Reason.QUEUE_FULL, "client-" + clientId + " already has "
                    + pendingCalls() + " calls queued or outstanding (maxQueuedCalls = " + config.maxQueuedCalls() + ")"));
            return id;
        }
        queue.addLast(new Call(id, operation, nowNanos, nowNanos + config.callTimeoutNanos()));
        sendNext(nowNanos, out);
        return id;
    }

    /** A message from {@code from}, as authenticated by the transport. Anything but a usable reply is ignored. */
    public void onMessage(long nowNanos, Principal from, Message message, Outbox out) {
        switch (message) {
            case Reply r when seal == null -> onReply(nowNanos, from, r, out);
            case ReplyCertificate rc when seal != null -> onCertificate(nowNanos, from, rc, out);
            // Behind a firewall a plain REPLY certifies nothing (it could come from anyone the
            // transport lets through); without one a REPLY-CERTIFICATE has no meaning.
            case null, default -> ignoredMessages++;
        }
    }

    private void onReply(long nowNanos, Principal from, Reply r, Outbox out) {
        Call c = outstanding;
        if (from.kind() != Principal.Kind.NODE
                || r.clientId() != clientId
                || c == null
                || r.timestamp() != c.request.timestamp()) {
            ignoredMessages++; // also every late reply to an earlier call: normal, not an attack
            return;
        }
        long index = from.id() - firstResponder;
        if (index < 0 || index >= responders) {
            ignoredMessages++; // not a node whose replies count (e.g. an agreement node when there is an execution cluster)
            return;
        }
        Reply[] votes = c.votes;
        if (votes[(int) index] != null) {
            ignoredMessages++; // a node votes once: its first reply stands
            return;
        }
        votes[(int) index] = r;
        int matching = 0;
        for (Reply v : votes) {
            if (v != null && v.slot() == r.slot() && v.result().equals(r.result())) matching++;
        }
        if (matching >= replyQuorum) {
            finish(c, new CallOutcome.Completed(c.id, r.timestamp(), r.slot(), r.result(), nowNanos - c.submittedAt,
                    c.retransmissions), out);
            sendNext(nowNanos, out);
        }
    }

    /** Firewall mode: one certificate that checks out completes the call; anything else is dropped. */
    private void onCertificate(long nowNanos, Principal from, ReplyCertificate rc, Outbox out) {
        Call c = outstanding;
        ReplyLeaf leaf = rc.reply();
        if (from.kind() != Principal.Kind.NODE
                || leaf.clientId() != clientId
                || c == null
                || leaf.timestamp() != c.request.timestamp()) {
            ignoredMessages++; // late certificates of earlier calls (row-0 filters re-send): normal
            return;
        }
        long index = from.id() - firstResponder;
        if (index < 0 || index >= responders) {
            ignoredMessages++; // only row 0 talks to clients
            rejectedCertificates++;
            return;
        }
        Optional<Bytes> result = open(rc);
        if (result.isEmpty()) {
            ignoredMessages++;
            rejectedCertificates++;
            return;
        }
        finish(c, new CallOutcome.Completed(c.id, leaf.timestamp(), rc.slot(), result.get(), nowNanos - c.submittedAt,
                c.retransmissions), out);
        sendNext(nowNanos, out);
    }

    /**
     * The result certified by {@code rc}, or empty: the path must lead to a root that the
     * execution cluster threshold-signed for the certificate's slot, and the sealed result must
     * open under this client's seal for the leaf's timestamp. Cheapest checks first (hashes,
     * then one RSA verification, then AES-GCM).
     */
    private Optional<Bytes> open(ReplyCertificate rc) {
        try {
            ReplyLeaf leaf = rc.reply();
            Optional<Digest> root = ReplyMerkleTree.rootFromPath(rc.slot(), leaf, rc.leafIndex(), rc.leafCount(), rc.path());
            if (root.isEmpty()) return Optional.empty();
            if (!executionKey.verify(WireCodec.slotRepliesSignedBytes(rc.slot(), root.get()), rc.signature())) {
                return Optional.empty();
            }
            return seal.open(ClientSeal.Direction.REPLY, leaf.timestamp(), leaf.sealedResult());
        } catch (RuntimeException malformed) {
            // The verifier's contract is never to throw; a certificate that makes one throw anyway
            // is the sender's problem, not a reason to stop the client.
            return Optional.empty();
        }
    }

    public void onTimer(long nowNanos, Object key, Outbox out) {
        Call c = outstanding;
        switch (key) {
            case RetransmitTimer t when c != null && t.timestamp() == c.request.timestamp() -> {
                retransmitToAll(c, out);
                c.retransmissions++;
                retransmissions++;
                long wait = c.retransmitWait;
                c.retransmitWait = config.nextRetransmitWait(wait);
                // Only while it can matter: the deadline timer ends the call otherwise.
                if (c.deadline - (nowNanos + wait) > 0) out.setTimer(t, wait);
            }
            case DeadlineTimer t when c != null && t.callId() == c.id -> {
                finish(c, new CallOutcome.Failed(c.id, CallOutcome.Reason.TIMEOUT, "no reply certificate ("
                        + certificateDescription() + ") within " + millis(config.callTimeoutNanos()) + " ms for request client-" + clientId
                        + "/" + c.request.timestamp() + " after " + c.retransmissions
                        + " retransmissions; it may still be executed, once"), out);
                sendNext(nowNanos, out);
            }
            default -> ignoredTimers++; // stale: the call it was for has finished
        }
    }

    /** Fails every queued and outstanding call with {@link CallOutcome.Reason#CLOSED}; later submissions fail too. */
    public void shutdown(long nowNanos, String detail, Outbox out) {
        shutdown = true;
        String why = detail == null ? "client-" + clientId + " closed" : detail;
        if (outstanding != null) finish(outstanding, new CallOutcome.Failed(outstanding.id, CallOutcome.Reason.CLOSED, why), out);
        while (!queue.isEmpty()) {
            outcomes.add(new CallOutcome.Failed(queue.pollFirst().id, CallOutcome.Reason.CLOSED, why));
        }
    }

    /** The outcomes of the steps since the last drain, in the order the calls finished. */
    public List<CallOutcome> drainOutcomes() {
        if (outcomes.isEmpty()) return List.of();
        List<CallOutcome> drained = List.copyOf(outcomes);
        outcomes.clear();
        return drained;
    }

    // ---------------------------------------------------------------- steps

    /** Makes the first queued call outstanding (failing those whose deadline passed while queued). */
    private void sendNext(long nowNanos, Outbox out) {
        while (outstanding == null && !queue.isEmpty()) {
            Call c = queue.pollFirst();
            if (nowNanos - c.deadline >= 0) {
                outcomes.add(new CallOutcome.Failed(c.id, CallOutcome.Reason.TIMEOUT, "call timed out after "
                        + millis(config.callTimeoutNanos()) + " ms while queued behind earlier calls; it was never sent"));
                continue;
            }
            if (nextTimestamp > WireLimits.SEQUENCE_MAX) {
                outcomes.add(new CallOutcome.Failed(c.id, CallOutcome.Reason.CLOSED,
                        "client-" + clientId + " has used up its timestamps"));
                continue;
            }
            long timestamp = nextTimestamp++;
            // Sealed per timestamp: the nonce is derived from (client, timestamp), so the same
            // operation sent twice travels as two unrelated ciphertexts.
            Bytes body = seal == null ? c.operation : seal.seal(ClientSeal.Direction.REQUEST, timestamp, c.operation);
            byte[] signed = WireCodec.requestSignedBytes(clientId, timestamp, body);
            Bytes signature = signer.sign(signed);
            Bytes macs = authenticator.authenticate(clientId, signed, spec.agreementNodes());
            c.request = new Request(clientId, timestamp, body, signature, macs);
            c.votes = seal == null ? new Reply[responders] : null;
            c.retransmitWait = config.retransmitAfterNanos();
            outstanding = c;
            out.sendToNode(leaderGuess, c.request);
            out.setTimer(new RetransmitTimer(timestamp), c.retransmitWait);
            c.retransmitWait = config.nextRetransmitWait(c.retransmitWait);
            out.setTimer(new DeadlineTimer(c.id), c.deadline - nowNanos);
        }
    }

    private void retransmitToAll(Call c, Outbox out) {
        for (int node : peers) out.sendToNode(node, c.request);
    }

    private String certificateDescription() {
        if (seal != null) return "a valid REPLY-CERTIFICATE from a filter of row 0";
        return replyQuorum + " matching replies from " + (firstResponder == 0 ? "agreement" : "execution") + " nodes";
    }

    private void finish(Call c, CallOutcome outcome, Outbox out) {
        out.cancelTimer(new RetransmitTimer(c.request.timestamp()));
        out.cancelTimer(new DeadlineTimer(c.id));
        if (c.retransmissions > 0) leaderGuess = (leaderGuess + 1) % spec.agreementNodes();
        outstanding = null;
        outcomes.add(outcome);
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000L;
    }

    // ---------------------------------------------------------------- inspection

    public long clientId() {
        return clientId;
    }

    public ClusterSpec spec() {
        return spec;
    }

    public ClientConfig config() {
        return config;
    }

    /**
     * Matching replies from distinct nodes that make a reply certificate: g+1, or f+1 without an
     * execution cluster; 1 (one certificate) behind a firewall.
     */
    public int replyQuorum() {
        return replyQuorum;
    }

    /** Whether the cluster has a privacy firewall: requests are sealed, replies are threshold-certified. */
    public boolean firewall() {
        return seal != null;
    }

    /** Every node this client sends to ({@link #peersOf}); a copy. */
    public int[] peers() {
        return peers.clone();
    }

    /** The nodes whose messages can complete a call ({@link #repliersOf}); a copy. */
    public int[] repliers() {
        return repliersOf(spec);
    }

    /**
     * The largest operation a client of {@code spec} can submit: {@link WireLimits#OPERATION_BYTES_MAX},
     * less the seal's tag behind a firewall (the sealed body must fit in a request).
     */
    public static int maxOperationBytes(ClusterSpec spec) {
        return spec.firewall() ? WireLimits.OPERATION_BYTES_MAX - ClientSeal.TAG_BYTES : WireLimits.OPERATION_BYTES_MAX;
    }

    /** {@link #maxOperationBytes(ClusterSpec)} of this client's cluster. */
    public int maxOperationBytes() {
        return maxOperationBytes(spec);
    }

    /** The agreement node the next request is first sent to. */
    public int leaderGuess() {
        return leaderGuess;
    }

    /** The timestamp the next request will carry. */
    public long nextTimestamp() {
        return nextTimestamp;
    }

    /** Calls queued or outstanding. */
    public int pendingCalls() {
        return queue.size() + (outstanding == null ? 0 : 1);
    }

    /** The timestamp of the request in flight, if any. */
    public OptionalLong outstandingTimestamp() {
        return outstanding == null ? OptionalLong.empty() : OptionalLong.of(outstanding.request.timestamp());
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /** Retransmissions to all nodes so far. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Messages that were not a fresh, countable reply to the outstanding request. */
    public long ignoredMessages() {
        return ignoredMessages;
    }

    /**
     * Firewall mode: certificates for the outstanding request that were dropped because they did
     * not check out (not from row 0, bad path, bad signature, unopenable result). Each is also in
     * {@link #ignoredMessages()}. Correct filters never send one: a non-zero count points at a
     * faulty filter or a misconfigured key.
     */
    public long rejectedCertificates() {
        return rejectedCertificates;
    }

    public long ignoredTimers() {
        return ignoredTimers;
    }
}
