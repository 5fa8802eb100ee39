package io.bulwark.runtime.node;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.execution.ExecutionFirewall;
import io.bulwark.firewall.FilterConfig;
import io.bulwark.firewall.threshold.ShoupShareSigner;
import io.bulwark.kv.AccessPolicy;
import io.bulwark.kv.KvConfig;
import io.bulwark.kv.KvStateMachine;
import io.bulwark.kv.PrefixAccessPolicy;
import io.bulwark.runtime.config.ExecutionSecrets;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.config.NodeInfo;
import io.bulwark.runtime.config.NodeRole;
import io.bulwark.runtime.net.Frames;
import io.bulwark.runtime.net.NodeTransport;
import io.bulwark.runtime.net.TransportOptions;
import io.bulwark.runtime.storage.FsyncPolicy;
import io.bulwark.runtime.storage.WriteAheadLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one node: a protocol core ({@link HostedCore}) on one protocol thread, fed by a
 * {@link NodeTransport} and a timer table.
 *
 * <pre>
 *   I/O threads: decode frame → pre-verify signatures (cache) → bounded input queue (full: drop, count)
 *   protocol thread, per batch:
 *     drain up to batchInputsMax inputs, fire due timers, each into the core with one Outbox
 *     1. persist every record of the batch (WAL append, one fsync under ALWAYS: group commit)
 *     2. timers (keyed, replacing)   3. sends (each message encoded once)   4. deliveries
 *     then housekeeping (log compaction) and, every summaryInterval, a metrics line
 * </pre>
 *
 * On {@link #start}: the core is already recovered from its data directory (in {@link #open});
 * the transport starts, then the core's {@code start}. {@link #stop} stops accepting, lets the
 * protocol thread finish its batch, then fsyncs and closes the log.
 */
public final class NodeHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeHost.class);

    /**
     * Host tunables.
     *
     * @param fab       agreement tunables (null: {@code FabConfig.defaults(f, t)})
     * @param execution execution tunables (null: {@code ExecutionConfig.defaults()})
     * @param filter    filter tunables (null: {@code FilterConfig.defaults()})
     */
    public record Options(FsyncPolicy fsync, long fsyncIntervalMillis, long walSegmentBytes, long walCompactBytes,
            int inboundQueueMax, int batchInputsMax, long summaryIntervalMillis, int signatureCacheEntries,
            TransportOptions transport, FabConfig fab, ExecutionConfig execution, FilterConfig filter) {
        public Options {
            if (fsync == null || transport == null) throw new IllegalArgumentException("fsync and transport are required");
            if (inboundQueueMax < 1 || batchInputsMax < 1) throw new IllegalArgumentException("queue sizes");
            if (summaryIntervalMillis < 1) throw new IllegalArgumentException("summaryIntervalMillis < 1");
        }

        public static Options defaults() {
            return new Options(FsyncPolicy.ALWAYS, 100, 64L << 20, 256L << 20, 65_536, 1024, 10_000, 1 << 16,
                    TransportOptions.defaults(), null, null, null);
        }

        public Options withFsync(FsyncPolicy policy) {
            return new Options(policy, fsyncIntervalMillis, walSegmentBytes, walCompactBytes, inboundQueueMax, batchInputsMax,
                    summaryIntervalMillis, signatureCacheEntries, transport, fab, execution, filter);
        }

        public Options withWal(long segmentBytes, long compactBytes) {
            return new Options(fsync, fsyncIntervalMillis, segmentBytes, compactBytes, inboundQueueMax, batchInputsMax,
                    summaryIntervalMillis, signatureCacheEntries, transport, fab, execution, filter);
        }

        public Options withSummaryInterval(long millis) {
            return new Options(fsync, fsyncIntervalMillis, walSegmentBytes, walCompactBytes, inboundQueueMax, batchInputsMax,
                    millis, signatureCacheEntries, transport, fab, execution, filter);
        }

        public Options withFab(FabConfig fab) {
            return new Options(fsync, fsyncIntervalMillis, walSegmentBytes, walCompactBytes, inboundQueueMax, batchInputsMax,
                    summaryIntervalMillis, signatureCacheEntries, transport, fab, execution, filter);
        }

        public Options withFilter(FilterConfig filter) {
            return new Options(fsync, fsyncIntervalMillis, walSegmentBytes, walCompactBytes, inboundQueueMax, batchInputsMax,
                    summaryIntervalMillis, signatureCacheEntries, transport, fab, execution, filter);
        }

        public Options withExecution(ExecutionConfig execution) {
            return new Options(fsync, fsyncIntervalMillis, walSegmentBytes, walCompactBytes, inboundQueueMax, batchInputsMax,
                    summaryIntervalMillis, signatureCacheEntries, transport, fab, execution, filter);
        }

        WriteAheadLog.Options walOptions() {
            return new WriteAheadLog.Options(fsync, fsyncIntervalMillis, walSegmentBytes, walCompactBytes);
        }
    }

    /** One input for the protocol thread. */
    private sealed interface Input {}

    private record Inbound(Principal from, Message message) implements Input {}

    private record Task(Runnable run) implements Input {}

    private record Stop() implements Input {}

    private final NodeInfo info;
    private final Options options;
    private final HostedCore core;
    private final NodeTransport transport;
    private final VerifiedSignatureCache signatures;
    private final NodeMetrics metrics;
    private final BlockingQueue<Input> queue;
    private final TimerTable timers = new TimerTable();
    private final HostClock clock = new HostClock();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile long nextSlot;

    private NodeHost(NodeInfo info, Options options, HostedCore core, NodeTransport transport, VerifiedSignatureCache signatures,
            BlockingQueue<Input> queue) {
        this.info = info;
        this.options = options;
        this.core = core;
        this.transport = transport;
        this.signatures = signatures;
        this.queue = queue;
        this.metrics = new NodeMetrics(transport.stats(), core.walStats(), signatures);
        this.nextSlot = core.nextSlot();
        this.thread = new Thread(this::run, info.principal() + "-protocol");
        this.thread.setDaemon(true);
    }

    /**
     * Loads node {@code nodeId}'s identity from the cluster directory and recovers its core from
     * {@code dataDir} (created if missing). Nothing listens yet: call {@link #start}.
     */
    public static NodeHost open(ClusterConfig config, int nodeId, Path dataDir, Options options) throws ConfigException, IOException {
        if (nodeId < 0 || nodeId >= config.nodes().size()) {
            throw new ConfigException("no node " + nodeId + " in the cluster in " + config.dir() + " (it has nodes 0.."
                    + (config.nodes().size() - 1) + ")");
        }
        NodeInfo info = config.node(nodeId);
        Identity identity = config.identity(info.principal());
        VerifiedSignatureCache signatures = new VerifiedSignatureCache(config.publicKeys(), options.signatureCacheEntries());
        FabConfig fab = options.fab() != null ? options.fab() : defaultFabConfig(config);
        HostedCore core = switch (info.role()) {
            case AGREEMENT -> {
                AgreementCore a = AgreementCore.open(config, identity, fab, signatures, dataDir, options.walOptions());
                signatures.preVerifyProposedRequests(!a.checksMacs());
                yield a;
            }
            case EXECUTION -> {
                ExecutionConfig exec = options.execution() != null ? options.execution() : defaultExecutionConfig(config);
                if (config.spec().firewall() && exec.recentReplySlots() < fab.firewallExecutionWindowSlots()) {
                    // Ordering may run that far ahead of certified replies; a state transfer must not skip
                    // a slot whose replies this node could then never sign.
                    throw new ConfigException("execution recentReplySlots (" + exec.recentReplySlots()
                            + ") must be at least the agreement firewallExecutionWindowSlots (" + fab.firewallExecutionWindowSlots() + ")");
                }
                KvStateMachine store = keyValueStore(config, info);
                ExecutionFirewall firewall = null;
                if (config.spec().firewall()) {
                    ExecutionSecrets secrets = config.executionSecrets(nodeId);
                    firewall = new ExecutionFirewall(new ShoupShareSigner(secrets.keyShare()),
                            new ClusterClientSeals(config, secrets.clusterX25519Secret()));
                }
                yield ExecutionCore.open(config, identity, fab, exec, signatures, store, firewall, dataDir, options.walOptions());
            }
            case FILTER -> FilterCore.open(config, nodeId, options.filter() != null ? options.filter() : FilterConfig.defaults(), signatures);
        };
        try {
            BlockingQueue<Input> queue = new ArrayBlockingQueue<>(options.inboundQueueMax());
            NodeHost[] self = new NodeHost[1];
            NodeTransport transport = new NodeTransport(config, identity, options.transport(), (from, m) -> self[0].onInbound(from, m));
            self[0] = new NodeHost(info, options, core, transport, signatures, queue);
            return self[0];
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    /** Behind a firewall, the agreement cluster runs at most this many slots ahead of the last certified executed slot. */
    public static final int FIREWALL_EXECUTION_WINDOW_SLOTS = 4;

    /**
     * {@code FabConfig.defaults(f, t)}; behind a firewall with an execution window of
     * {@value #FIREWALL_EXECUTION_WINDOW_SLOTS} slots instead of 16. Every slot costs each execution
     * node one threshold signature share (about 20 ms at 2048 bits on a small machine) whatever
     * its batch holds, so when the execution cluster is the bottleneck a leader should wait and
     * fill bigger batches rather than run ahead with small ones: with 50 clients on one two-core
     * machine, a window of 4 gave about twice the throughput of 16.
     */
    static FabConfig defaultFabConfig(ClusterConfig config) {
        FabConfig d = FabConfig.defaults(config.spec().f(), config.spec().t());
        return config.spec().firewall() ? d.withFirewallExecutionWindow(Math.max(d.pipelineSlots(), FIREWALL_EXECUTION_WINDOW_SLOTS)) : d;
    }

    /**
     * {@code ExecutionConfig.defaults()}; behind a firewall with the filters' heartbeat (100 ms
     * instead of 20 ms): an execution node's heartbeat sends a DECISION-QUERY and re-sends its
     * latest share to every row-h filter, and a filter answers one query per node per heartbeat
     * of its own, so a faster one only makes traffic the filters drop (RATE_LIMITED, DUPLICATE).
     */
    static ExecutionConfig defaultExecutionConfig(ClusterConfig config) {
        ExecutionConfig d = ExecutionConfig.defaults();
        if (!config.spec().firewall()) return d;
        return new ExecutionConfig(d.checkpointInterval(), d.trackedSlots(), FilterConfig.defaults().heartbeatNanos(),
                d.stateTransferPatience(), d.checkpointsPerPeer(), d.checkpointResendHeartbeats(), d.shareRetentionSlots(),
                d.shareRetentionBytes(), d.recentReplySlots());
    }

    /**
     * The replicated key-value store of an execution node. With an access policy (every execution
     * node must read the same file: the policy is part of the application, and its digest is logged
     * to compare) each client gets a quota of the store's cap divided by the clients of the
     * cluster, so that no client can meet the global cap and learn from it how much others wrote.
     */
    private static KvStateMachine keyValueStore(ClusterConfig config, NodeInfo info) throws ConfigException {
        PrefixAccessPolicy policy = config.accessPolicy();
        if (policy == null) return new KvStateMachine(KvConfig.DEFAULTS, AccessPolicy.ALLOW_ALL);
        long quota = KvConfig.DEFAULTS.maxStoreBytes() / Math.max(1, config.clients());
        log.info("{}: access policy {} (sha256 {}), per-client quota {} bytes", info.principal(), config.accessPolicyFile(),
                policy.digest().value().toHex(), quota);
        try {
            return new KvStateMachine(KvConfig.DEFAULTS.withMaxClientBytes(quota), policy);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(config.accessPolicyFile() + ": " + e.getMessage());
        }
    }

    /** Called on I/O threads. */
    private void onInbound(Principal from, Message m) {
        if (stopping) return;
        if (!(from.kind() == Principal.Kind.CLIENT && !(m instanceof Request r && r.clientId() == from.id()))) {
            signatures.preVerify(m);
        }
        if (!queue.offer(new Inbound(from, m))) metrics.inboundDrops.increment();
    }

    /** Starts listening, then the protocol thread. */
    public synchronized void start() throws IOException {
        if (running) return;
        if (stopping) throw new IllegalStateException("node was stopped");
        try {
            transport.start();
        } catch (IOException | RuntimeException e) {
            stopping = true;
            core.close();
            throw e;
        }
        transport.connect(java.util.stream.IntStream.range(0, transport.clusterSize()).toArray());
        running = true;
        thread.start();
        log.info("{} started: {} node on {}, fsync={}, data recovered up to slot {}", info.principal(), core.role(), info.address(),
                options.fsync().name().toLowerCase(java.util.Locale.ROOT), core.nextSlot());
    }

    // ---------------------------------------------------------------- protocol thread

    private void run() {
        Outbox out = new Outbox();
        List<Input> batch = new ArrayList<>(options.batchInputsMax());
        Map<Message, Frames.Encoded> encoded = new IdentityHashMap<>();
        long summaryEvery = TimeUnit.MILLISECONDS.toNanos(options.summaryIntervalMillis());
        long nextSummary = System.nanoTime() + summaryEvery;
        boolean stop = false;
        try {
            core.start(clock.nowNanos(), out);
            carryOut(out, encoded);
            while (!stop) {
                long nowMono = System.nanoTime();
                long wait = Math.min(timers.nanosUntilNext(nowMono, TimeUnit.MILLISECONDS.toNanos(100)), Math.max(0, nextSummary - nowMono));
                Input first = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, options.batchInputsMax() - 1);
                }
                long now = clock.nowNanos();
                for (Input in : batch) {
                    switch (in) {
                        case Inbound i -> {
                            metrics.inputs.increment();
                            step(() -> core.onMessage(now, i.from(), i.message(), out));
                        }
                        case Task t -> t.run().run();
                        case Stop s -> stop = true;
                    }
                }
                batch.clear();
                int fired = timers.fireDue(System.nanoTime(), key -> step(() -> core.onTimer(now, key, out)));
                metrics.timersFired.add(fired);
                if (!out.isEmpty()) {
                    metrics.batches.increment();
                    carryOut(out, encoded);
                }
                core.afterBatch();
                signatures.leading(core.isLeader());
                String change = core.notableChange();
                if (change != null) log.info("{}: {}", info.principal(), change);
                nextSlot = core.nextSlot();
                if (System.nanoTime() - nextSummary >= 0) {
                    nextSummary = System.nanoTime() + summaryEvery;
                    log.info(metrics.summary(info.principal() + " " + core.role(), core.status()));
                }
            }
        } catch (IOException e) {
            failure = e;
            log.error("{}: cannot write its log ({}); stopping: a node that cannot persist cannot keep its promises", info.principal(),
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            log.error("{}: protocol thread failed; stopping", info.principal(), t);
        } finally {
            if (failure != null) transport.stop();
            try {
                core.close();
            } catch (IOException e) {
                if (failure == null) failure = e;
                log.error("{}: closing the log failed: {}", info.principal(), e.getMessage());
            }
            terminated.countDown();
        }
    }

    private void step(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            metrics.coreErrors.increment();
            log.error("{}: the core failed on an input (a bug; the node goes on)", info.principal(), e);
        }
    }

    /** The host's rule, applied once per batch: persist → timers → sends → deliveries. */
    private void carryOut(Outbox out, Map<Message, Frames.Encoded> encoded) throws IOException {
        if (!out.persists().isEmpty()) core.persist(out.persists());
        long mono = System.nanoTime();
        for (Outbox.TimerCommand t : out.timers()) {
            if (t.cancel()) timers.cancel(t.key());
            else timers.set(t.key(), mono + t.delayNanos());
        }
        for (Outbox.Send s : out.sends()) {
            Frames.Encoded f = encoded.computeIfAbsent(s.message(), Frames::encode);
            transport.send(s.to(), s.message(), f);
        }
        encoded.clear();
        metrics.deliveredSlots.add(out.deliveries().size());
        out.clear();
    }

    // ---------------------------------------------------------------- control and observation

    /**
     * Runs {@code query} on the protocol thread (between batches) and completes with its result:
     * the safe way to look at the core from another thread.
     */
    public <T> CompletableFuture<T> inspect(Function<HostedCore, T> query) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(query.apply(core));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        };
        if (!running || stopping || !queue.offer(new Task(r))) f.completeExceptionally(new IllegalStateException("node is not running"));
        return f;
    }

    /** The next slot the core will deliver, as of the last batch. */
    public long nextSlot() {
        return nextSlot;
    }

    public NodeInfo info() {
        return info;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    public NodeTransport transport() {
        return transport;
    }

    /** Why the node stopped by itself (a storage failure), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Waits until the protocol thread has ended (after {@link #stop} or a failure). */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Stops accepting, lets the protocol thread finish its batch, fsyncs and closes the log. Idempotent. */
    public void stop() {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
        }
        transport.stop();
        if (running) {
            while (!queue.offer(new Stop())) queue.poll(); // make room: pending inputs are dropped anyway
            try {
                if (!terminated.await(10, TimeUnit.SECONDS)) log.warn("{}: protocol thread did not stop in 10 s", info.principal());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            try {
                core.close();
            } catch (IOException e) {
                log.error("{}: closing the log failed: {}", info.principal(), e.getMessage());
            }
        }
        log.info("{} stopped: {} | messages in by type {} | out by type {}", info.principal(), core.status(),
                transport.stats().byType(true), transport.stats().byType(false));
    }

    @Override
    public void close() {
        stop();
    }
}
