package io.bulwark.client;

import io.bulwark.client.core.CallOutcome;
import io.bulwark.client.core.ClientConfig;
import io.bulwark.client.core.ClientCore;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.step.Outbox;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of a Bulwark cluster: submits operations, and returns a result only once it holds a
 * reply certificate (g+1 matching replies from distinct execution nodes; f+1 from agreement
 * nodes when the cluster has no execution cluster; behind a privacy firewall, one
 * REPLY-CERTIFICATE from a row-0 filter carrying the execution cluster's threshold signature,
 * see {@link ClientCore}). Calls are made one at a time, in
 * submission order (the protocol allows one outstanding request per client); further calls
 * wait in a bounded queue.
 *
 * <pre>{@code
 * try (BulwarkClient client = BulwarkClient.builder()
 *         .clusterSpec(spec).clientId(7).signer(signer).transport(transport)
 *         .callTimeout(Duration.ofSeconds(5))
 *         .build()) {
 *     Bytes result = client.invoke(Bytes.ofUtf8("PUT k v"));
 * }
 * }</pre>
 *
 * <p>The protocol runs in a {@link ClientCore} driven by one thread of this client's own,
 * named {@code bulwark-client-<id>}: inbound messages, timers and submissions are all handed
 * to it. Every public method is thread-safe. Futures are completed on that thread, so
 * callbacks attached with the non-async {@code CompletableFuture} methods run there and must
 * not block; a blocking {@link #invoke} from that thread fails with
 * {@link IllegalStateException} instead of deadlocking.
 *
 * <p>Each client id must be used by one client at a time. Timestamps start from wall-clock
 * microseconds at construction, so a restarted client with the same id moves forward.
 *
 * <p>Behind a privacy firewall ({@code spec.firewall()}) the builder also needs the client's
 * {@link Builder#seal seal} with the execution cluster and the cluster's
 * {@link Builder#executionKey threshold key}; operations are then sealed before they leave, and
 * the transport must reach the filters of row 0 as well as the agreement nodes
 * ({@link #peers()}).
 */
public final class BulwarkClient implements AutoCloseable {
    /**
     * A certified result.
     *
     * @param slot      the agreement slot in which the request was ordered
     * @param timestamp the request's timestamp
     * @param latency   from submission (time queued behind earlier calls included) to the certificate
     */
    public record Result(Bytes result, long slot, long timestamp, Duration latency) {
        public Result {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(latency, "latency");
        }
    }

    private static final System.Logger LOG = System.getLogger(BulwarkClient.class.getName());
    /** A blocking call waits this much beyond its timeout for the core's verdict before giving up itself. */
    private static final long AWAIT_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long clientId;
    private final ClusterSpec spec;
    private final ClientConfig config;
    private final ClientTransport transport;
    private final int maxOperationBytes;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread clientThread;

    // Owned by the client thread.
    private final ClientCore core;
    private final Outbox out = new Outbox();
    private final Map<Long, CompletableFuture<Result>> calls = new HashMap<>();
    private final Map<Object, ScheduledFuture<?>> timers = new HashMap<>();

    // Shared.
    /** Every future handed out and not yet completed: whatever happens, close() completes them. */
    private final Set<CompletableFuture<Result>> unfinished = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong droppedInbound = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();

    private BulwarkClient(ClusterSpec spec, long clientId, Signer signer, RequestAuthenticator authenticator,
            ClientTransport transport, ClientConfig config, long initialTimestamp, ClientSeal seal,
            ThresholdVerifier executionKey) {
        this.spec = spec;
        this.clientId = clientId;
        this.config = config;
        this.transport = transport;
        this.core = new ClientCore(spec, clientId, signer, authenticator, config, initialTimestamp, seal, executionKey);
        this.maxOperationBytes = core.maxOperationBytes();
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "bulwark-client-" + clientId);
            t.setDaemon(true);
            clientThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        transport.onReceive(this::onInbound);
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- calls

    /**
     * Executes {@code operation} on the replicated state machine and returns its certified result.
     *
     * @throws BulwarkTimeoutException   no reply certificate within the call timeout (outcome unknown)
     * @throws BulwarkClosedException    the client is or was closed meanwhile
     * @throws BulwarkQueueFullException too many calls are pending
     * @throws IllegalArgumentException  the operation is larger than {@link #maxOperationBytes()}
     * @throws IllegalStateException     called on the client's own thread (from a completion callback)
     */
    public Bytes invoke(Bytes operation) {
        return invokeWithSlot(operation).result();
    }

    /** As {@link #invoke}, with the slot, timestamp and latency of the call. */
    public Result invokeWithSlot(Bytes operation) {
        if (Thread.currentThread() == clientThread) {
            throw new IllegalStateException("a blocking call on bulwark-client-" + clientId
                    + "'s own thread (a completion callback?) would deadlock; use invokeAsync");
        }
        CompletableFuture<Result> f = invokeWithSlotAsync(operation);
        try {
            return f.get(config.callTimeoutNanos() + AWAIT_MARGIN_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new BulwarkException("call failed: " + cause, cause);
        } catch (TimeoutException e) {
            // Only if the client thread is stuck (e.g. in a user's callback): the core's own deadline came and went.
            throw new BulwarkTimeoutException("no outcome within " + config.callTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulwarkException("interrupted while waiting for a reply; the call goes on in the background", e);
        }
    }

    /**
     * Queues {@code operation} and returns a future for its certified result. The future fails
     * with the exceptions {@link #invoke} throws (except {@link IllegalArgumentException}, which
     * is thrown here). Calls complete in the order they were submitted.
     */
    public CompletableFuture<Bytes> invokeAsync(Bytes operation) {
        return invokeWithSlotAsync(operation).thenApply(Result::result);
    }

    /** As {@link #invokeAsync}, with the slot, timestamp and latency of the call. */
    public CompletableFuture<Result> invokeWithSlotAsync(Bytes operation) {
        Objects.requireNonNull(operation, "operation");
        if (operation.length() > maxOperationBytes) {
            throw new IllegalArgumentException("operation of " + operation.length() + " bytes exceeds the limit of "
                    + maxOperationBytes + " bytes");
        }
        CompletableFuture<Result> f = new CompletableFuture<>();
        if (closed.get()) {
            f.completeExceptionally(closedException());
            return f;
        }
        if (!admit()) {
            f.completeExceptionally(new BulwarkQueueFullException("bulwark-client-" + clientId + " already has "
                    + config.maxQueuedCalls() + " calls queued or outstanding (maxQueuedCalls)"));
            return f;
        }
        unfinished.add(f);
        if (closed.get()) { // close() may have swept the set before the add
            fail(f, closedException());
            return f;
        }
        try {
            executor.execute(() -> submitOnClientThread(operation, f));
        } catch (RejectedExecutionException shutDown) {
            fail(f, closedException());
        }
        return f;
    }

    /**
     * Fails every pending call with {@link BulwarkClosedException}, stops the client thread and
     * closes the transport. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Runnable shutdownCore = () -> step(() -> core.shutdown(System.nanoTime(), "bulwark-client-" + clientId + " was closed", out));
        if (Thread.currentThread() == clientThread) {
            shutdownCore.run();
            executor.shutdown();
        } else {
            try {
                Future<?> done = executor.submit(shutdownCore);
                executor.shutdown(); // calls already queued still run (and fail: the core is shut down)
                done.get(CLOSE_WAIT_NANOS, TimeUnit.NANOSECONDS);
                executor.awaitTermination(CLOSE_WAIT_NANOS, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "bulwark-client-" + clientId + " did not shut down cleanly", e);
            } finally {
                executor.shutdownNow();
            }
        }
        // Whatever the client thread could not finish (stuck in a callback, tasks dropped by shutdownNow).
        for (CompletableFuture<Result> f : List.copyOf(unfinished)) fail(f, closedException());
        try {
            transport.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the transport of bulwark-client-" + clientId + " failed", e);
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    public long clientId() {
        return clientId;
    }

    public ClusterSpec clusterSpec() {
        return spec;
    }

    public ClientConfig config() {
        return config;
    }

    /** Whether the cluster has a privacy firewall (operations sealed, replies threshold-certified). */
    public boolean firewall() {
        return spec.firewall();
    }

    /**
     * Every node this client sends to: the agreement nodes and the execution nodes, or behind a
     * firewall the agreement nodes and the filters of row 0. The transport must reach them all.
     */
    public int[] peers() {
        return ClientCore.peersOf(spec);
    }

    /** The nodes whose messages can complete a call (execution nodes, agreement nodes, or row-0 filters). */
    public int[] repliers() {
        return ClientCore.repliersOf(spec);
    }

    /** The largest operation accepted: 1 MiB, less the seal's 16-byte tag behind a firewall. */
    public int maxOperationBytes() {
        return maxOperationBytes;
    }

    /** Calls queued or outstanding. */
    public int pendingCalls() {
        return admitted.get();
    }

    /** Inbound messages dropped before reaching the core (not a reply to this client, or closing). */
    public long droppedInbound() {
        return droppedInbound.get();
    }

    /** Sends the transport refused with an exception. */
    public long failedSends() {
        return failedSends.get();
    }

    // ---------------------------------------------------------------- the client thread

    private void submitOnClientThread(Bytes operation, CompletableFuture<Result> f) {
        step(() -> {
            long callId;
            try {
                callId = core.submit(System.nanoTime(), operation, out);
            } catch (RuntimeException e) { // not expected: the operation was checked on the caller's thread
                fail(f, new BulwarkException("submission failed: " + e.getMessage(), e));
                return;
            }
            calls.put(callId, f);
        });
    }

    private void onInbound(Principal from, Message message) {
        // Cheap filtering on the transport's thread: only replies to this client can matter.
        boolean forUs = switch (message) {
            case Reply r -> r.clientId() == clientId;
            case ReplyCertificate rc -> rc.reply().clientId() == clientId;
            case null, default -> false;
        };
        if (from == null || !forUs || closed.get()) {
            droppedInbound.incrementAndGet();
            return;
        }
        try {
            executor.execute(() -> step(() -> core.onMessage(System.nanoTime(), from, message, out)));
        } catch (RejectedExecutionException shutDown) {
            droppedInbound.incrementAndGet();
        }
    }

    /** One step of the core, then its effects: timers, sends, and finally the futures. */
    private void step(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "bulwark-client-" + clientId + ": client core step failed", e);
        }
        for (Outbox.TimerCommand t : out.timers()) {
            ScheduledFuture<?> previous = timers.remove(t.key());
            if (previous != null) previous.cancel(false);
            if (!t.cancel()) schedule(t.key(), t.delayNanos());
        }
        List<Outbox.Send> sends = List.copyOf(out.sends());
        out.clear();
        for (Outbox.Send s : sends) {
            try {
                transport.send(s.to(), s.message());
            } catch (RuntimeException e) {
                failedSends.incrementAndGet(); // as good as a lost message: the core retransmits
            }
        }
        for (CallOutcome outcome : core.drainOutcomes()) {
            CompletableFuture<Result> f = calls.remove(outcome.callId());
            if (f == null) continue;
            switch (outcome) {
                case CallOutcome.Completed c -> {
                    if (unfinished.remove(f)) admitted.decrementAndGet();
                    f.complete(new Result(c.result(), c.slot(), c.timestamp(), Duration.ofNanos(c.latencyNanos())));
                }
                case CallOutcome.Failed x -> fail(f, switch (x.reason()) {
                    case TIMEOUT -> new BulwarkTimeoutException(x.detail());
                    case QUEUE_FULL -> new BulwarkQueueFullException(x.detail());
                    case CLOSED -> new BulwarkClosedException(x.detail());
                });
            }
        }
    }

    private void schedule(Object key, long delayNanos) {
        TimerTask task = new TimerTask(key);
        try {
            // Scheduled from the client thread, which alone runs it: it cannot fire before it is recorded.
            task.handle = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            timers.put(key, task.handle);
        } catch (RejectedExecutionException shutDown) {
            // closing: nothing left to time
        }
    }

    private final class TimerTask implements Runnable {
        final Object key;
        ScheduledFuture<?> handle;

        TimerTask(Object key) {
            this.key = key;
        }

        @Override
        public void run() {
            if (timers.get(key) != handle) return; // replaced or cancelled meanwhile
            timers.remove(key);
            step(() -> core.onTimer(System.nanoTime(), key, out));
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean admit() {
        while (true) {
            int n = admitted.get();
            if (n >= config.maxQueuedCalls()) return false;
            if (admitted.compareAndSet(n, n + 1)) return true;
        }
    }

    private void fail(CompletableFuture<Result> f, BulwarkException e) {
        if (unfinished.remove(f)) admitted.decrementAndGet();
        f.completeExceptionally(e);
    }

    private BulwarkClosedException closedException() {
        return new BulwarkClosedException("bulwark-client-" + clientId + " is closed");
    }

    // ---------------------------------------------------------------- builder

    /**
     * Builds a {@link BulwarkClient}. Required: clusterSpec, signer, transport (clientId defaults
     * to the signer's); behind a privacy firewall also seal and executionKey (and only there).
     */
    public static final class Builder {
        private ClusterSpec spec;
        private Long clientId;
        private Signer signer;
        private RequestAuthenticator authenticator = RequestAuthenticator.NONE;
        private ClientTransport transport;
        private ClientConfig config = ClientConfig.defaults();
        private Long callTimeoutNanos;
        private Long retransmitAfterNanos;
        private Double backoffFactor;
        private Long retransmitMaxNanos;
        private Integer maxQueuedCalls;
        private Long initialTimestamp;
        private ClientSeal seal;
        private ThresholdVerifier executionKey;

        private Builder() {}

        public Builder clusterSpec(ClusterSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        public Builder clientId(long clientId) {
            this.clientId = clientId;
            return this;
        }

        /** The client's Ed25519 signer; it must sign as {@code Principal.client(clientId)}. */
        public Builder signer(Signer signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** MAC authenticators for the agreement nodes (optional; {@link RequestAuthenticator#NONE} by default). */
        public Builder authenticator(RequestAuthenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        public Builder transport(ClientTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** All tunables at once; the individual setters below override its fields. */
        public Builder config(ClientConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** How long a call may take from submission (default 10 s). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeoutNanos = positiveNanos(timeout, "callTimeout");
            return this;
        }

        /** How long the first send may go unanswered before the request goes to every node (default 250 ms). */
        public Builder retransmitAfter(Duration after) {
            this.retransmitAfterNanos = positiveNanos(after, "retransmitAfter");
            return this;
        }

        /** Growth of the wait between retransmissions, and its cap (default ×2 up to 4 s). */
        public Builder retransmitBackoff(double factor, Duration max) {
            this.backoffFactor = factor;
            this.retransmitMaxNanos = positiveNanos(max, "retransmit backoff cap");
            return this;
        }

        /** Calls that may be queued or outstanding at once (default 1024). */
        public Builder maxQueuedCalls(int calls) {
            this.maxQueuedCalls = calls;
            return this;
        }

        /** The first request timestamp (default: wall-clock microseconds now). For tests and special hosts. */
        public Builder initialTimestamp(long timestamp) {
            this.initialTimestamp = timestamp;
            return this;
        }

        /**
         * Firewall mode: the seal between this client and the execution cluster (from the
         * client's X25519 secret key and the cluster's public key, {@link ClientSeal#between}).
         * Operations are sealed with it before they leave; certified replies are opened with it.
         */
        public Builder seal(ClientSeal seal) {
            this.seal = Objects.requireNonNull(seal, "seal");
            return this;
        }

        /**
         * Firewall mode: the execution cluster's threshold public key; a reply certificate counts
         * only if its signature verifies under it.
         */
        public Builder executionKey(ThresholdVerifier executionKey) {
            this.executionKey = Objects.requireNonNull(executionKey, "executionKey");
            return this;
        }

        public BulwarkClient build() {
            Objects.requireNonNull(spec, "clusterSpec is required");
            Objects.requireNonNull(signer, "signer is required");
            Objects.requireNonNull(transport, "transport is required");
            if (spec.firewall()) {
                Objects.requireNonNull(seal, "seal is required: the cluster has a privacy firewall");
                Objects.requireNonNull(executionKey, "executionKey is required: the cluster has a privacy firewall");
            } else if (seal != null || executionKey != null) {
                throw new IllegalStateException("seal and executionKey are for clusters with a privacy firewall; this one has none (h = -1)");
            }
            long id = clientId != null ? clientId : signer.principal().id();
            long after = retransmitAfterNanos != null ? retransmitAfterNanos : config.retransmitAfterNanos();
            double factor = backoffFactor != null ? backoffFactor : config.backoffFactor();
            long max = retransmitMaxNanos != null ? retransmitMaxNanos : Math.max(after, config.retransmitMaxNanos());
            ClientConfig c = new ClientConfig(after, factor, max,
                    callTimeoutNanos != null ? callTimeoutNanos : config.callTimeoutNanos(),
                    maxQueuedCalls != null ? maxQueuedCalls : config.maxQueuedCalls());
            long ts = initialTimestamp != null ? initialTimestamp : System.currentTimeMillis() * 1000L;
            if (seal != null && seal.clientId() != id) {
                throw new IllegalStateException("the seal is client-" + seal.clientId() + "'s, not client-" + id + "'s");
            }
            return new BulwarkClient(spec, id, signer, authenticator, transport, c, ts, seal, executionKey);
        }

        private static long positiveNanos(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
            return d.toNanos();
        }
    }
}
