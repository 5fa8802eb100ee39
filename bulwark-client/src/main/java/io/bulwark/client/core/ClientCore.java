package io.bulwark.client.core;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *   no reply certificate within retransmitAfter → REQUEST to ALL agreement and ALL execution
 *       nodes, again and again with exponential backoff (capped), until the call's deadline
 *   reply certificate = g+1 matching (slot, result) REPLYs from distinct execution nodes
 *       (f+1 from distinct agreement nodes when there is no execution cluster);
 *       each node's first reply for the timestamp is its only vote
 *   deadline (submission + callTimeout) passes → the call fails with TIMEOUT; never hangs
 * </pre>
 *
 * <p>Why these sizes: at most g execution nodes (f agreement nodes) are faulty, so g+1 (f+1)
 * matching replies include one from a correct node, and correct nodes reply only with what
 * the ordered request produced. Retransmitting to everyone covers a faulty or crashed leader
 * (agreement nodes forward the request to the current leader and start watching it, so a
 * leader that ignores it is suspected) and lost replies (execution nodes re-send their cached
 * reply for the client's last request).
 *
 * <p>After a call that needed a retransmission the presumed leader moves to the next
 * agreement node: a presumed leader that is down would otherwise cost a full retransmit wait
 * on every call, while a wrong but live guess costs only one forwarding hop. (Leaders rotate
 * round-robin by proposal number, so after a leader change the next node is also the most
 * likely new leader.)
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
        /** First reply of each responder for this call's timestamp, by responder index. */
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
    /** Node ids whose replies count: {@code [firstResponder, firstResponder + responders)}. */
    private final int firstResponder;
    private final int responders;
    private final int replyQuorum;

    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private final List<CallOutcome> outcomes = new ArrayList<>();
    private Call outstanding;
    private long nextTimestamp;
    private long nextCallId;
    private int leaderGuess;
    private boolean shutdown;

    private long retransmissions;
    private long ignoredMessages;
    private long ignoredTimers;

    /**
     * @param clientId         this client; {@code signer} must sign as {@code Principal.client(clientId)}
     * @param signer           the client's Ed25519 signer (requests are shown to third parties)
     * @param authenticator    builds the MAC vector for the agreement nodes, or
     *                         {@link RequestAuthenticator#NONE}
     * @param initialTimestamp the first timestamp to use; must be above any this client id used
     *                         before (the host passes e.g. wall-clock microseconds)
     */
    public ClientCore(ClusterSpec spec, long clientId, Signer signer, RequestAuthenticator authenticator,
            ClientConfig config, long initialTimestamp) {
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
            // Behind a privacy firewall a reply certificate is one threshold signature, not g+1
            // replies; counting replies there would wait for messages that never come.
            throw new IllegalArgumentException("clusters with a privacy firewall (h >= 0) are not supported by this client yet");
        }
        if (initialTimestamp < 0 || initialTimestamp > WireLimits.SEQUENCE_MAX) {
            throw new IllegalArgumentException("initialTimestamp must be in [0, " + WireLimits.SEQUENCE_MAX + "]");
        }
        this.clientId = clientId;
        this.nextTimestamp = initialTimestamp;
        if (spec.executionNodes() > 0) {
            this.firstResponder = spec.agreementNodes();
            this.responders = spec.executionNodes();
            this.replyQuorum = spec.g() + 1;
        } else {
            this.firstResponder = 0;
            this.responders = spec.agreementNodes();
            this.replyQuorum = spec.f() + 1;
        }
    }

    // ---------------------------------------------------------------- inputs

    /**
     * Queues a call to execute {@code operation}; sends it at once if no call is outstanding.
     * Returns the call's id, under which its {@link CallOutcome} will be reported. If the client
     * is shut down or already holds {@link ClientConfig#maxQueuedCalls} calls, the outcome is a
     * {@link CallOutcome.Failed} reported in this same step.
     *
     * @throws IllegalArgumentException if the operation is larger than {@link WireLimits#OPERATION_BYTES_MAX}
     */
    public long submit(long nowNanos, Bytes operation, Outbox out) {
        Objects.requireNonNull(operation, "operation");
        if (operation.length() > WireLimits.OPERATION_BYTES_MAX) {
            throw new IllegalArgumentException("operation of " + operation.length() + " bytes exceeds the limit of "
                    + WireLimits.OPERATION_BYTES_MAX + " bytes");
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
        Call c = outstanding;
        if (!(message instanceof Reply r)
                || from.kind() != Principal.Kind.NODE
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
                        + replyQuorum + " matching replies from " + (firstResponder == 0 ? "agreement" : "execution")
                        + " nodes) within " + millis(config.callTimeoutNanos()) + " ms for request client-" + clientId
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
            byte[] signed = WireCodec.requestSignedBytes(clientId, timestamp, c.operation);
            Bytes signature = signer.sign(signed);
            Bytes macs = authenticator.authenticate(clientId, signed, spec.agreementNodes());
            c.request = new Request(clientId, timestamp, c.operation, signature, macs);
            c.votes = new Reply[responders];
            c.retransmitWait = config.retransmitAfterNanos();
            outstanding = c;
            out.sendToNode(leaderGuess, c.request);
            out.setTimer(new RetransmitTimer(timestamp), c.retransmitWait);
            c.retransmitWait = config.nextRetransmitWait(c.retransmitWait);
            out.setTimer(new DeadlineTimer(c.id), c.deadline - nowNanos);
        }
    }

    private void retransmitToAll(Call c, Outbox out) {
        for (int node = 0; node < spec.agreementNodes(); node++) out.sendToNode(node, c.request);
        int firstExecution = spec.agreementNodes();
        for (int i = 0; i < spec.executionNodes(); i++) out.sendToNode(firstExecution + i, c.request);
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

    /** Matching replies from distinct nodes that make a reply certificate: g+1, or f+1 without an execution cluster. */
    public int replyQuorum() {
        return replyQuorum;
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

    public long ignoredTimers() {
        return ignoredTimers;
    }
}
