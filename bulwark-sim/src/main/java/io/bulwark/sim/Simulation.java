package io.bulwark.sim;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.agreement.Persisted;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Accepted;
import io.bulwark.client.core.CallOutcome;
import io.bulwark.client.core.ClientConfig;
import io.bulwark.client.core.ClientCore;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.ClientSeals;
import io.bulwark.core.crypto.ThresholdShareSigner;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.execution.ExecutionFirewall;
import io.bulwark.firewall.FilterConfig;
import io.bulwark.firewall.FilterNode;
import io.bulwark.execution.ExecutionNode;
import io.bulwark.execution.ExecutionPersisted;
import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import io.bulwark.kv.KvStateMachine;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.step.Outbox;
import io.bulwark.core.step.ProtocolCore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One deterministic simulated run: virtual time, a seeded network, correct agreement nodes
 * hosted exactly as the runtime hosts them (persist, then timers, then sends), faulty nodes
 * driven by {@link ByzantineStrategy}s, closed-loop clients, and checkers watching it all.
 *
 * <p>Every random choice comes from streams split off the run's seed, and events at equal
 * times run in the order they were scheduled, so one seed replays one run exactly.
 * Messages cross the network as bytes: every receiver decodes what it gets, exactly as over
 * a socket.
 *
 * <p>With an execution cluster (g ≥ 0) correct execution nodes run the key-value store, whose
 * initial state holds a secret no client may read ({@link SimSecrets}); with a privacy firewall
 * (h ≥ 0, docs/firewall.md) the (h+1)² filters are hosts too, the execution cluster signs with
 * {@link SimThresholdScheme}, clients seal their requests, and the network has only the links of
 * the firewall's topology. An {@link OutsideObserver} sees what the outside world is sent.
 */
public final class Simulation {
    /** A faulty agreement node and how it misbehaves. */
    public record Fault(int node, ByzantineStrategy strategy) {}

    /**
     * @param clientActiveNanos clients submit new requests until this virtual time
     * @param livenessBoundNanos every request must be answered by max(GST, clientActive) + this
     * @param settleNanos       quiet time at the end for lagging correct nodes to catch up before heights are compared
     */
    public record Options(ClusterSpec spec, FabConfig config, long seed, NetworkProfile network, List<Fault> faults,
            int clients, long clientActiveNanos, long livenessBoundNanos, long settleNanos, long clientTimeoutNanos,
            int operationBytes, PrintStream trace, ExecutionSetup execution) {

        /** An agreement-only run: the agreement nodes are the learners and answer the clients. */
        public Options(ClusterSpec spec, FabConfig config, long seed, NetworkProfile network, List<Fault> faults,
                int clients, long clientActiveNanos, long livenessBoundNanos, long settleNanos, long clientTimeoutNanos,
                int operationBytes, PrintStream trace) {
            this(spec, config, seed, network, faults, clients, clientActiveNanos, livenessBoundNanos, settleNanos,
                    clientTimeoutNanos, operationBytes, trace, null);
        }

        public Options withExecution(ExecutionSetup execution) {
            return new Options(spec, config, seed, network, faults, clients, clientActiveNanos, livenessBoundNanos,
                    settleNanos, clientTimeoutNanos, operationBytes, trace, execution);
        }

        public Options withTrace(PrintStream trace) {
            return new Options(spec, config, seed, network, faults, clients, clientActiveNanos, livenessBoundNanos,
                    settleNanos, clientTimeoutNanos, operationBytes, trace, execution);
        }
    }

    /** A faulty execution node and how it misbehaves. */
    public record ExecutionFaultAt(int node, ExecutionFault fault) {}

    /**
     * The execution cluster of a run (the spec must have g >= 0): correct nodes run the
     * key-value store, clients run a random key-value workload over {@code keys} keys through the
     * real client core, and their history is checked for linearizability.
     *
     * @param wipeProbability chance that a correct execution node that crashes restarts with an
     *                        empty data directory (and must rejoin through state transfer)
     */
    public record ExecutionSetup(ExecutionConfig config, List<ExecutionFaultAt> faults, int keys, double wipeProbability,
            Bytes secret, Workload workload, int scheduledIdentities, FilterConfig filterConfig, List<FilterFaultAt> filterFaults) {
        public ExecutionSetup {
            faults = List.copyOf(faults);
            filterFaults = List.copyOf(filterFaults);
            java.util.Objects.requireNonNull(workload, "workload");
            java.util.Objects.requireNonNull(filterConfig, "filterConfig");
            if (scheduledIdentities < 0) throw new IllegalArgumentException("scheduledIdentities < 0");
        }

        /** Closed-loop clients, no secret in the store, the simulator's filter settings and no faulty filter. */
        public ExecutionSetup(ExecutionConfig config, List<ExecutionFaultAt> faults, int keys, double wipeProbability) {
            this(config, faults, keys, wipeProbability, null, Workload.CLOSED_LOOP, 0, SimPlan.simulatorFilterConfig(), List.of());
        }

        /** The same setup with {@code secret} (null: none) as the value of {@link SimSecrets#KEY} in the initial store. */
        public ExecutionSetup withSecret(Bytes secret) {
            return new ExecutionSetup(config, faults, keys, wipeProbability, secret, workload, scheduledIdentities, filterConfig, filterFaults);
        }

        /** With {@link Workload#SCHEDULED}: call k of a client host uses identity k mod {@code identities} (0: one per call). */
        public ExecutionSetup withWorkload(Workload workload, int scheduledIdentities) {
            return new ExecutionSetup(config, faults, keys, wipeProbability, secret, workload, scheduledIdentities, filterConfig,
                    filterFaults);
        }

        public ExecutionSetup withConfig(ExecutionConfig config) {
            return new ExecutionSetup(config, faults, keys, wipeProbability, secret, workload, scheduledIdentities, filterConfig,
                    filterFaults);
        }

        /** With a firewall (h >= 0): the filters' settings and which of them are faulty. */
        public ExecutionSetup withFilters(FilterConfig filterConfig, List<FilterFaultAt> filterFaults) {
            return new ExecutionSetup(config, faults, keys, wipeProbability, secret, workload, scheduledIdentities, filterConfig, filterFaults);
        }
    }

    /** A faulty filter and how it misbehaves. */
    public record FilterFaultAt(int node, FilterFault fault) {}

    /** How the key-value clients pace their calls. */
    public enum Workload {
        /** Each client submits its next call as soon as the previous one completes. */
        CLOSED_LOOP,
        /**
         * Each client host makes a call every 20 to 60 ms (times drawn from its own random stream),
         * whatever happens to earlier ones, with a few client identities in turn or one per call. What the outside
         * world sends then does not depend on when replies arrive: a timing difference cannot
         * snowball into different requests and batches, which is what the non-interference check
         * needs in order to compare contents.
         */
        SCHEDULED
    }

    private static final long MS = NetworkProfile.MS;
    /** Depth given to messages whose causal chain from a PROPOSE is not tracked (timer-driven). */
    static final int DEPTH_UNTRACKED = 1_000;
    /** The input "slot" of a step run by a timer. */
    private static final long TIMER_STEP = -2;

    private final Options o;
    private final ClusterSpec spec;
    private final FabConfig config;
    private final SimSignatures signatures;
    /** Base of the per-link network streams (see {@link #link}). */
    private final long networkSeed;
    /**
     * The network's randomness is drawn per directed link and, within a link, per message: the
     * loss, duplication and latency of a message from x to y depend only on the seed, the link,
     * the message's bytes and how many identical messages went over that link before it. An extra
     * message, or messages sent in another order, therefore change nothing for the other messages:
     * two runs that differ in a few messages stay comparable message for message everywhere else
     * (what the non-interference check needs). Per link: occurrences of each message's hash.
     */
    private final Map<Long, Map<Long, Integer>> links = new HashMap<>();
    private final SplittableRandom clientRandom;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Object[] nodes; // HonestHost, FaultyHost, ExecutionHost, FaultyExecutionHost, FilterHost, FaultyFilterHost
    private final int[] executionIds;
    /** Learners the agreement nodes feed: the execution nodes, except behind a firewall (where filters carry ORDERED). */
    private final int[] externalLearners;
    /** With a firewall: the execution cluster's threshold key, and the X25519 keys that seal requests and replies. */
    private final SimThresholdScheme executionKey;
    private final Bytes clusterSealSecret;
    private final Bytes clusterSealPublic;
    private final ClientSeals clientSeals;
    private final List<Integer> correctFilters = new ArrayList<>();
    /** Messages sent on a link the firewall topology does not have: dropped, as a physical firewall would. */
    private long offLinkMessages;
    private final List<Integer> correctExecution = new ArrayList<>();
    private final Set<Integer> faulty = new HashSet<>();
    private final List<Integer> correct = new ArrayList<>();
    private final List<SimulatedClient> clients = new ArrayList<>();
    private final RunChecks checks;

    private long now;
    private long seq;
    private boolean stopped;
    private long messagesSent;
    private long bytesSent;
    private long malformedReceived;
    private long lastViewChangeStart = -1;

    /** Watches what the outside world receives (null: nobody watches). */
    private final OutsideObserver outside;

    public Simulation(Options options) {
        this(options, null);
    }

    /**
     * A run whose outside world (clients and agreement nodes) is watched: {@code observer} gets
     * every message they receive from a node that is not an agreement node, as bytes, on arrival.
     */
    public Simulation(Options options, OutsideObserver observer) {
        this.o = options;
        this.outside = observer;
        this.spec = options.spec();
        this.config = options.config();
        this.signatures = new SimSignatures(options.seed());
        SplittableRandom root = new SplittableRandom(options.seed());
        this.networkSeed = root.split().nextLong();
        this.clientRandom = root.split();
        SplittableRandom faultRandom = root.split();
        SplittableRandom crashRandom = root.split();
        int a = spec.agreementNodes();
        if (options.faults().size() > spec.f()) throw new IllegalArgumentException("more faulty nodes than f");
        for (Fault f : options.faults()) faulty.add(f.node());
        for (int i = 0; i < a; i++) {
            if (!faulty.contains(i)) correct.add(i);
        }
        int e = spec.executionNodes();
        if ((e > 0) != (options.execution() != null)) throw new IllegalArgumentException("execution setup and spec disagree");
        this.executionIds = new int[e];
        for (int i = 0; i < e; i++) executionIds[i] = a + i;
        Set<Integer> faultyExecution = new HashSet<>();
        if (options.execution() != null) {
            if (options.execution().faults().size() > spec.g()) throw new IllegalArgumentException("more faulty execution nodes than g");
            for (ExecutionFaultAt f : options.execution().faults()) faultyExecution.add(f.node());
        }
        for (int id : executionIds) {
            if (!faultyExecution.contains(id)) correctExecution.add(id);
        }
        this.checks = new RunChecks(spec, correct, correctExecution, options.network().gstNanos());
        this.nodes = new Object[spec.totalNodes()];
        if (spec.firewall()) {
            this.externalLearners = new int[0];
            this.executionKey = SimThresholdScheme.forCluster(spec, options.seed());
            this.clusterSealSecret = X25519Keys.generateSecretKey(new java.util.Random(options.seed() ^ 0x5EA15EA1L));
            this.clusterSealPublic = X25519Keys.publicKeyOf(clusterSealSecret);
            Map<Long, ClientSeal> seals = new java.util.concurrent.ConcurrentHashMap<>();
            this.clientSeals = id -> id < 0 || id >= CLIENT_IDS_MAX ? java.util.Optional.empty()
                    : java.util.Optional.of(seals.computeIfAbsent(id,
                            c -> ClientSeal.between(c, clusterSealSecret, clientSealKey(c, false)).orElseThrow()));
        } else {
            this.externalLearners = executionIds;
            this.executionKey = null;
            this.clusterSealSecret = null;
            this.clusterSealPublic = null;
            this.clientSeals = null;
        }
        Map<Integer, Signer> colluders = new HashMap<>();
        for (int id : faulty) colluders.put(id, signatures.signerFor(Principal.node(id)));
        for (int i = 0; i < a; i++) {
            nodes[i] = faulty.contains(i) ? null : new HonestHost(i);
        }
        for (Fault f : options.faults()) {
            nodes[f.node()] = new FaultyHost(f.node(), f.strategy(), Map.copyOf(colluders), faultRandom.split());
        }
        for (int id : executionIds) {
            nodes[id] = faultyExecution.contains(id) ? null : new ExecutionHost(id);
        }
        if (options.execution() != null) {
            for (ExecutionFaultAt f : options.execution().faults()) {
                nodes[f.node()] = new FaultyExecutionHost(f.node(), f.fault(), faultRandom.split());
            }
        }
        if (spec.firewall()) {
            Set<Integer> faultyFilters = new HashSet<>();
            if (options.execution().filterFaults().size() > spec.h()) throw new IllegalArgumentException("more faulty filters than h");
            for (FilterFaultAt f : options.execution().filterFaults()) {
                if (!spec.isFilterNode(f.node())) throw new IllegalArgumentException("not a filter: " + f.node());
                faultyFilters.add(f.node());
            }
            for (int row = 0; row <= spec.h(); row++) {
                for (int column = 0; column <= spec.h(); column++) {
                    int id = spec.filterNode(row, column);
                    if (faultyFilters.contains(id)) continue;
                    correctFilters.add(id);
                    nodes[id] = new FilterHost(id);
                }
            }
            for (FilterFaultAt f : options.execution().filterFaults()) {
                nodes[f.node()] = new FaultyFilterHost(f.node(), f.fault(), faultRandom.split());
            }
        }
        for (int c = 0; c < options.clients(); c++) {
            SimulatedClient client;
            if (e == 0) {
                client = new SimClient(c);
            } else if (options.execution().workload() == Workload.SCHEDULED) {
                client = new ScheduledKvClient(c, clientRandom.split());
            } else {
                client = new KvClientHost(c, clientRandom.split());
            }
            clients.add(client);
            clientRoutes.put((long) c, client);
        }
        if (options.network().crashProbability() > 0) planCrashes(crashRandom);
    }

    /** Client ids the simulator hands out (a scheduled workload uses one per call): the execution cluster knows their keys. */
    private static final long CLIENT_IDS_MAX = 1 << 20;
    /** Which client host a client id belongs to (every id it uses). */
    private final Map<Long, SimulatedClient> clientRoutes = new HashMap<>();

    /** Client {@code c}'s X25519 key (its secret half if {@code secret}), derived from the seed. */
    private Bytes clientSealKey(long c, boolean secret) {
        Bytes sk = X25519Keys.generateSecretKey(new java.util.Random(o.seed() * 31 + c * 0x9E3779B97F4A7C15L + 0xC11E47L));
        return secret ? sk : X25519Keys.publicKeyOf(sk);
    }

    /** Execution node {@code id}'s firewall keys: its threshold share and the cluster's side of every client seal. */
    private ExecutionFirewall firewallOf(int id) {
        return spec.firewall() ? new ExecutionFirewall(executionKey.shareSigner(id - spec.agreementNodes() + 1), clientSeals) : null;
    }

    // ---------------------------------------------------------------- events

    private static final class Event implements Comparable<Event> {
        final long time;
        final long seq;
        final Runnable action;

        Event(long time, long seq, Runnable action) {
            this.time = time;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public int compareTo(Event e) {
            int c = Long.compare(time, e.time);
            return c != 0 ? c : Long.compare(seq, e.seq);
        }
    }

    private void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), seq++, action));
    }

    /** Runs to completion and returns what the checkers found. */
    public SimResult run() {
        for (Object n : nodes) {
            switch (n) {
                case HonestHost h -> h.start();
                case FaultyHost h -> h.start();
                case ExecutionHost h -> h.start();
                case FaultyExecutionHost h -> h.start();
                case FilterHost h -> h.start();
                case FaultyFilterHost h -> h.start();
                default -> throw new IllegalStateException("unknown host " + n);
            }
        }
        for (SimulatedClient c : clients) at(clientRandom.nextLong(MS), c::start);
        long activeEnd = Math.max(o.network().gstNanos(), o.clientActiveNanos());
        long hardLimit = activeEnd + o.livenessBoundNanos();
        at(activeEnd, this::monitor);
        while (!stopped && !queue.isEmpty()) {
            Event e = queue.poll();
            if (e.time > hardLimit) break;
            now = e.time;
            e.action.run();
        }
        return finish();
    }

    private long allDoneAt = -1;

    /** The last time any correct node delivered or executed a slot. */
    private long lastDeliveryAt;

    /**
     * Ends the run once every client is idle and the cluster has been quiet (no node delivered
     * anything) for the settle time: a node still catching up is given that long after the last
     * decision, not after the last client call.
     */
    private void monitor() {
        boolean idle = clients.stream().allMatch(SimulatedClient::idle);
        if (idle && allDoneAt < 0) allDoneAt = now;
        if (idle && now - Math.max(allDoneAt, lastDeliveryAt) >= o.settleNanos()) {
            stopped = true;
            return;
        }
        if (!idle) allDoneAt = -1;
        at(now + 10 * MS, this::monitor);
    }

    private SimResult finish() {
        if (o.trace() != null) {
            for (int i : correct) {
                AgreementNode n = ((HonestHost) nodes[i]).core;
                if (n == null) continue;
                trace(String.format("n%d final: pn=%d %s delivered=%d stable=%d rejected proposals=%d new-views=%d"
                        + " signatures=%d requests=%d ignored=%d", i, n.pn(), n.isNormal() ? "normal" : "changing",
                        n.nextSlotToDeliver(), n.stableSlot(), n.acceptor().rejectedProposals(),
                        n.acceptor().rejectedNewViews(), n.acceptor().rejectedSignatures(), n.rejectedRequests(),
                        n.ignoredMessages()));
            }
        }
        long[] heights = new long[spec.agreementNodes()];
        for (int i : correct) {
            HonestHost h = (HonestHost) nodes[i];
            heights[i] = h.core == null ? -1 : h.core.nextSlotToDeliver();
        }
        List<String> outstanding = new ArrayList<>();
        for (SimulatedClient c : clients) outstanding.addAll(c.unanswered());
        long[] executed = new long[nodes.length];
        for (int id : correctExecution) {
            ExecutionHost h = (ExecutionHost) nodes[id];
            executed[id] = h.core == null ? -1 : h.core.nextSlot();
        }
        return checks.finish(o.seed(), now, heights, executed, outstanding, lastViewChangeStart, messagesSent, bytesSent,
                malformedReceived, offLinkMessages);
    }

    // ---------------------------------------------------------------- network

    private void trace(String s) {
        if (o.trace() != null) o.trace().printf("%10.3fms %s%n", now / 1e6, s);
    }

    /** Sends {@code m} from node {@code from}; {@code depth} is its slot depth on arrival, or -1. */
    private void transmit(int from, Principal to, Message m, int depth) {
        transmitBytes(from, to, WireCodec.encode(m), depth, m);
    }

    private void transmitBytes(int from, Principal to, byte[] bytes, int depth, Message m) {
        if (!linked(Principal.node(from), to)) {
            offLinkMessages++;
            if (o.trace() != null) trace("n" + from + " -> " + to + " DROPPED: no such link in the firewall");
            return;
        }
        messagesSent++;
        bytesSent += bytes.length;
        NetworkProfile net = o.network();
        boolean chaotic = now < net.gstNanos();
        Principal sender = from >= 0 ? Principal.node(from) : null;
        if (outside != null && sender != null) observe(sender, to, bytes, true);
        SplittableRandom link = link(sender, to, bytes);
        // Every message draws the same numbers whatever happens to it.
        boolean lost = link.nextDouble() < net.lossProbability();
        boolean duplicated = link.nextDouble() < net.duplicateProbability();
        long[] latencies = {latency(link, chaotic), latency(link, chaotic)};
        if (chaotic) {
            if (lost) return;
            if (to.kind() == Principal.Kind.NODE && from >= 0 && partitioned(from, (int) to.id())) return;
        }
        int copies = chaotic && duplicated ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            at(now + latencies[i], () -> arrive(sender, to, bytes, depth));
        }
        if (o.trace() != null) trace((from >= 0 ? "n" + from : "?") + " -> " + to + " " + (m == null ? bytes.length + " raw bytes" : TraceFormat.describe(m)));
    }

    /**
     * Whether the network has a link from {@code from} to {@code to}. Without a firewall every
     * node and client reaches every other. With one (docs/firewall.md, Topology) agreement nodes
     * reach agreement nodes, row 0 and clients; a filter of row r the rows r−1 and r+1 (row 0 the
     * agreement nodes and clients instead of row −1, row h the execution nodes instead of row
     * h+1); execution nodes each other and row h only; clients the agreement nodes and row 0.
     */
    private boolean linked(Principal from, Principal to) {
        if (!spec.firewall()) return true;
        if (from.kind() == Principal.Kind.CLIENT) {
            return to.kind() == Principal.Kind.NODE && (spec.isAgreementNode((int) to.id()) || filterRowOf(to) == 0);
        }
        int x = (int) from.id();
        if (to.kind() == Principal.Kind.CLIENT) return spec.isAgreementNode(x) || filterRowOf(Principal.node(x)) == 0;
        int y = (int) to.id();
        if (spec.isAgreementNode(x)) return spec.isAgreementNode(y) || filterRowOf(to) == 0;
        if (spec.isExecutionNode(x)) return spec.isExecutionNode(y) || filterRowOf(to) == spec.h();
        int row = filterRowOf(Principal.node(x));
        if (row < 0) return false;
        if (spec.isAgreementNode(y)) return row == 0;
        if (spec.isExecutionNode(y)) return row == spec.h();
        int other = filterRowOf(to);
        return other >= 0 && Math.abs(other - row) == 1;
    }

    /** The filter row of a node, or -1 if it is not a filter. */
    private int filterRowOf(Principal p) {
        return p.kind() == Principal.Kind.NODE && spec.isFilterNode((int) p.id()) ? spec.filterRow((int) p.id()) : -1;
    }

    /** The random draws for one message {@code bytes} on the directed link {@code from → to} ({@code from} null: unknown sender). */
    private SplittableRandom link(Principal from, Principal to, byte[] bytes) {
        long key = (principalCode(from) << 32) | principalCode(to);
        long hash = 0xCBF29CE484222325L; // FNV-1a over the bytes, then mixed
        for (byte b : bytes) hash = (hash ^ (b & 0xFF)) * 0x100000001B3L;
        int occurrence = links.computeIfAbsent(key, k -> new HashMap<>()).merge(hash, 1, Integer::sum);
        return new SplittableRandom(mix64(mix64(mix64(networkSeed ^ 0x6C696E6BL) ^ key) ^ mix64(hash + occurrence)));
    }

    private static long principalCode(Principal p) {
        if (p == null) return 0xFFFF_FFFFL;
        return (p.kind() == Principal.Kind.CLIENT ? 1L << 31 : 0) | (p.id() & 0x7FFF_FFFFL);
    }

    /** Stafford's mix13 (as in SplittableRandom): neighbouring keys give unrelated streams. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private long latency(SplittableRandom link, boolean chaotic) {
        NetworkProfile net = o.network();
        long max = chaotic ? net.chaoticLatencyMaxNanos() : net.stableLatencyMaxNanos();
        return net.stableLatencyMinNanos() + link.nextLong(max - net.stableLatencyMinNanos() + 1);
    }

    private final Map<Long, BitSet> partitionsByEpoch = new HashMap<>();

    /** Before GST the network may cut a random minority of agreement nodes off, one epoch at a time. */
    private boolean partitioned(int a, int b) {
        NetworkProfile net = o.network();
        if (net.partitionProbability() <= 0) return false;
        long epoch = now / net.partitionEpochNanos();
        BitSet cut = partitionsByEpoch.computeIfAbsent(epoch, e -> {
            SplittableRandom r = new SplittableRandom(o.seed() ^ (e * 0x9E3779B97F4A7C15L));
            BitSet s = new BitSet();
            if (r.nextDouble() < net.partitionProbability()) {
                int size = 1 + r.nextInt(Math.max(1, (spec.agreementNodes() - 1) / 2));
                while (s.cardinality() < size) s.set(r.nextInt(spec.agreementNodes()));
            }
            return s;
        });
        return cut.get(a) != cut.get(b);
    }

    private void arrive(Principal from, Principal to, byte[] bytes, int depth) {
        if (outside != null && from != null) observe(from, to, bytes, false);
        Message m;
        try {
            m = WireCodec.decode(bytes);
        } catch (MalformedMessageException e) {
            malformedReceived++;
            if (from != null && to.kind() == Principal.Kind.NODE && nodes[(int) to.id()] instanceof FaultyFilterHost h) {
                h.receiveRaw(from, bytes);
            }
            return;
        }
        if (from == null) return;
        if (to.kind() == Principal.Kind.CLIENT) {
            int c = (int) to.id();
            SimulatedClient client = clientRoutes.get(to.id());
            if (client != null && from.kind() == Principal.Kind.NODE) client.receive(to.id(), from, m, depth);
            return;
        }
        deliverToNode(from, (int) to.id(), m, depth);
    }

    private void deliverToNode(Principal from, int to, Message m, int depth) {
        switch (nodes[to]) {
            case HonestHost h -> h.receive(from, m, depth);
            case FaultyHost h -> h.receive(from, m);
            case ExecutionHost h -> h.receive(from, m, depth);
            case FaultyExecutionHost h -> h.receive(from, m);
            case FilterHost h -> h.receive(from, m);
            case FaultyFilterHost h -> h.receive(from, m);
            default -> throw new IllegalStateException("no host for node " + to);
        }
    }

    /** The outside world is the clients and the agreement nodes; watched: what they get from the inside (execution nodes, filters). */
    private void observe(Principal from, Principal to, byte[] bytes, boolean sent) {
        boolean outsideRecipient = to.kind() == Principal.Kind.CLIENT || spec.isAgreementNode((int) to.id());
        boolean fromAgreement = from.kind() == Principal.Kind.NODE && spec.isAgreementNode((int) from.id());
        // Inside senders only: what a client sends is a function of what it got (watched) and of time.
        if (!outsideRecipient || fromAgreement || from.kind() == Principal.Kind.CLIENT) return;
        if (sent) {
            outside.sent(now, from, to, bytes);
        } else {
            outside.received(now, from, to, bytes);
        }
    }

    /** Client → node over the same network (clients are not nodes: their principal travels with the bytes). */
    private void clientSend(long clientIndex, int node, Message r) {
        if (!linked(Principal.client(clientIndex), Principal.node(node))) {
            offLinkMessages++;
            return;
        }
        byte[] bytes = WireCodec.encode(r);
        messagesSent++;
        bytesSent += bytes.length;
        NetworkProfile net = o.network();
        boolean chaotic = now < net.gstNanos();
        Principal from = Principal.client(clientIndex);
        if (outside != null) observe(from, Principal.node(node), bytes, true);
        SplittableRandom link = link(from, Principal.node(node), bytes);
        boolean lost = link.nextDouble() < net.lossProbability();
        long latency = latency(link, chaotic);
        if (chaotic && lost) return;
        at(now + latency, () -> {
            if (outside != null) observe(from, Principal.node(node), bytes, false);
            Message m;
            try {
                m = WireCodec.decode(bytes);
            } catch (MalformedMessageException e) {
                malformedReceived++;
                return;
            }
            deliverToNode(from, node, m, -1);
        });
        if (o.trace() != null) trace("client-" + clientIndex + " -> node-" + node + " " + TraceFormat.describe(r));
    }

    private void planCrashes(SplittableRandom r) {
        long gst = o.network().gstNanos();
        if (gst <= 10 * MS) return;
        for (int id : correct) {
            if (r.nextDouble() >= o.network().crashProbability()) continue;
            long crashAt = r.nextLong(gst - 5 * MS);
            long restartAt = Math.min(gst, crashAt + 10 * MS + r.nextLong(300 * MS));
            HonestHost h = (HonestHost) nodes[id];
            at(crashAt, h::crash);
            at(restartAt, h::restart);
        }
        for (int id : correctExecution) {
            if (r.nextDouble() >= o.network().crashProbability()) continue;
            long crashAt = r.nextLong(gst - 5 * MS);
            long restartAt = Math.min(gst, crashAt + 10 * MS + r.nextLong(300 * MS));
            boolean wipe = r.nextDouble() < o.execution().wipeProbability();
            ExecutionHost h = (ExecutionHost) nodes[id];
            at(crashAt, h::crash);
            at(restartAt, () -> h.restart(wipe));
        }
        for (int id : correctFilters) {
            if (r.nextDouble() >= o.network().crashProbability()) continue;
            long crashAt = r.nextLong(gst - 5 * MS);
            long restartAt = Math.min(gst, crashAt + 10 * MS + r.nextLong(300 * MS));
            FilterHost h = (FilterHost) nodes[id];
            at(crashAt, h::crash);
            at(restartAt, h::restart);
        }
    }

    static long slotOf(Message m) {
        return switch (m) {
            case Propose p -> p.slot();
            case Accepted a -> a.slot();
            case SignedAccept s -> s.slot();
            case Commit c -> c.slot();
            case Decided d -> d.slot();
            default -> -1;
        };
    }

    private static boolean isLearnerInput(Message m) {
        return m instanceof Accepted || m instanceof Commit || m instanceof Decided;
    }

    /**
     * The slot depth a message sent in this step has on arrival: message delays since its
     * slot's PROPOSE left, along the causal chain through this step's input. Replies carry the
     * depth of the slot they answer, so a client can count the whole request path.
     */
    private static int sendDepth(Message m, long inputSlot, int inputDepth, Set<Long> proposedHere) {
        long slot = m instanceof Reply r ? r.slot() : slotOf(m);
        if (slot < 0) return -1;
        if (m instanceof Propose) return 1;
        if (slot == inputSlot && inputDepth >= 0) return inputDepth + 1;
        if (proposedHere != null && proposedHere.contains(slot)) return 1;
        return DEPTH_UNTRACKED;
    }

    /**
     * Per learner: the largest slot depth among learner inputs from correct agreement nodes,
     * per undelivered slot, frozen when the slot is learned. That is the message-delay count of
     * the decision.
     */
    private final class SlotDepths {
        private final Map<Long, Integer> maxDepth = new HashMap<>();
        private final Map<Long, Integer> learnedDepth = new HashMap<>();

        void beforeInput(Principal from, Message m, long slot, int depth, long undelivered) {
            boolean fromCorrect = from.kind() == Principal.Kind.NODE && !faulty.contains((int) from.id());
            if (slot >= 0 && isLearnerInput(m) && fromCorrect && slot >= undelivered && !learnedDepth.containsKey(slot)) {
                maxDepth.merge(slot, depth < 0 ? DEPTH_UNTRACKED : depth, Math::max);
            }
        }

        void afterInput(Message m, long slot, long undeliveredBefore, io.bulwark.agreement.FabLearner learner) {
            if (slot >= undeliveredBefore && isLearnerInput(m) && !learnedDepth.containsKey(slot) && learner.isLearned(slot)) {
                learnedDepth.put(slot, maxDepth.getOrDefault(slot, DEPTH_UNTRACKED));
            }
        }

        /** The depth of a reply for {@code slot} sent as it is delivered: one more than the depth it was learned at; -1 if not delivering it now. */
        int replyDepth(long slot) {
            Integer d = learnedDepth.get(slot);
            return d == null ? -1 : d + 1;
        }

        /** The depth at which a slot now delivered was learned, or -1 if that was not observed. */
        int delivered(long slot) {
            Integer depth = learnedDepth.remove(slot);
            maxDepth.remove(slot);
            return depth == null ? -1 : depth;
        }

        void clear() {
            maxDepth.clear();
            learnedDepth.clear();
        }
    }

    // ---------------------------------------------------------------- correct nodes

    /**
     * One host's timers in virtual time: setting a key replaces its previous deadline, and a
     * firing whose generation is stale (re-set or cancelled since) is ignored.
     */
    private final class SimTimers {
        private final Map<Object, Long> generations = new HashMap<>();
        private final java.util.function.Consumer<Object> onFire;
        private long generation;

        SimTimers(java.util.function.Consumer<Object> onFire) {
            this.onFire = onFire;
        }

        void set(Object key, long delayNanos) {
            long g = ++generation;
            generations.put(key, g);
            at(now + delayNanos, () -> {
                Long current = generations.get(key);
                if (current != null && current == g) {
                    generations.remove(key);
                    onFire.accept(key);
                }
            });
        }

        void cancel(Object key) {
            generations.remove(key);
        }

        /** Carries out a core's timer commands. */
        void apply(List<Outbox.TimerCommand> commands) {
            for (Outbox.TimerCommand t : commands) {
                if (t.cancel()) cancel(t.key());
                else set(t.key(), t.delayNanos());
            }
        }

        void clear() {
            generations.clear();
        }

        void removeIf(java.util.function.Predicate<Object> which) {
            generations.keySet().removeIf(which);
        }
    }

    /** Hosts one correct agreement node the way the runtime does: persist, timers, sends, deliveries. */
    private final class HonestHost {
        final int id;
        final List<Persisted> disk = new ArrayList<>();
        final Outbox out = new Outbox();
        final SimTimers timers = new SimTimers(this::fire);
        AgreementNode core;
        final SlotDepths depths = new SlotDepths();
        long inputSlot = -1;
        int inputDepth = -1;
        long viewChanges;

        HonestHost(int id) {
            this.id = id;
            this.core = newCore(List.of());
        }

        AgreementNode newCore(List<Persisted> records) {
            return AgreementNode.recover(spec, config, id, signatures.signerFor(Principal.node(id)), signatures,
                    io.bulwark.core.crypto.RequestAuthenticator.NONE, externalLearners, records, executionKey);
        }

        void start() {
            core.start(now, out);
            drain();
        }

        void receive(Principal from, Message m, int depth) {
            if (core == null) return;
            long slot = slotOf(m);
            inputSlot = slot;
            inputDepth = depth;
            long undeliveredBefore = core.nextSlotToDeliver();
            depths.beforeInput(from, m, slot, depth, undeliveredBefore);
            core.onMessage(now, from, m, out);
            depths.afterInput(m, slot, undeliveredBefore, core.learner());
            drain();
        }

        void fire(Object key) {
            if (core == null) return;
            inputSlot = TIMER_STEP;
            inputDepth = -1;
            core.onTimer(now, key, out);
            drain();
        }

        void drain() {
            for (Object p : out.persists()) disk.add((Persisted) p);
            timers.apply(out.timers());
            Set<Long> proposedHere = null;
            for (Outbox.Send s : out.sends()) {
                if (s.message() instanceof Propose p) {
                    if (proposedHere == null) proposedHere = new HashSet<>();
                    // A PROPOSE sent on a timer is a retransmission (or of a NewView's value): not a fresh proposal.
                    if (proposedHere.add(p.slot())) {
                        checks.proposed(id, p.pn(), p.slot(), now, inputSlot != TIMER_STEP && allCorrectNodesIn(p.pn()));
                    }
                }
            }
            for (Outbox.Send s : out.sends()) {
                Message m = s.message();
                int depth = sendDepth(m, inputSlot, inputDepth, proposedHere);
                if (s.to().kind() == Principal.Kind.CLIENT) {
                    transmitToClient(id, s.to(), m);
                } else {
                    transmit(id, s.to(), m, depth);
                }
            }
            for (Outbox.Delivery d : out.deliveries()) {
                lastDeliveryAt = now;
                checks.delivered(id, d.slot(), d.batch(), depths.delivered(d.slot()), now);
                trace("n" + id + " delivered slot " + d.slot() + " " + TraceFormat.batch(d.batch()));
            }
            out.clear();
            if (core != null && core.viewChangesStarted() != viewChanges) {
                viewChanges = core.viewChangesStarted();
                lastViewChangeStart = now;
                trace("n" + id + " started view change to pn " + core.pn());
            }
        }

        void crash() {
            if (core == null) return;
            trace("n" + id + " CRASH");
            core = null;
            timers.clear();
            depths.clear();
        }

        void restart() {
            if (core != null) return;
            trace("n" + id + " RESTART from " + disk.size() + " persisted records");
            core = newCore(disk);
            viewChanges = core.viewChangesStarted();
            core.start(now, out);
            drain();
        }
    }

    /** True if every correct node is up and in normal operation under {@code pn}: the fast path's premise. */
    private boolean allCorrectNodesIn(long pn) {
        for (int i : correct) {
            AgreementNode n = ((HonestHost) nodes[i]).core;
            if (n == null || n.pn() != pn || !n.isNormal()) return false;
        }
        return true;
    }

    private void transmitToClient(int from, Principal to, Message m) {
        transmit(from, to, m, -1);
    }

    // ---------------------------------------------------------------- faulty nodes

    /** A timer of an honest core run on behalf of a faulty node. */
    private record HonestTimer(Object core, Object key) {}

    /**
     * An honest core run inside a faulty host (execution node or filter), whose strategy sees and
     * may alter what it sends: its outbox goes to the strategy's sink, its timers are namespaced
     * so the host can tell them from the strategy's own. Started at the current virtual time.
     */
    private final class HonestCore {
        private final ProtocolCore core;
        private final FaultyNode.Sink sink;
        private final SimTimers timers;
        private final Outbox out = new Outbox();

        /** @param timers the faulty host's timers */
        HonestCore(ProtocolCore core, FaultyNode.Sink sink, SimTimers timers) {
            this.core = core;
            this.sink = sink;
            this.timers = timers;
            at(now, () -> {
                core.start(now, out);
                drain();
            });
        }

        void onMessage(Principal from, Message message) {
            core.onMessage(now, from, message, out);
            drain();
        }

        void onTimer(Object key) {
            core.onTimer(now, ((HonestTimer) key).key(), out);
            drain();
        }

        boolean ownsTimer(Object key) {
            return key instanceof HonestTimer t && t.core() == this;
        }

        private void drain() {
            for (Outbox.TimerCommand t : out.timers()) {
                HonestTimer key = new HonestTimer(this, t.key());
                if (t.cancel()) timers.cancel(key);
                else timers.set(key, t.delayNanos());
            }
            List<Outbox.Send> sends = List.copyOf(out.sends());
            out.clear();
            for (Outbox.Send s : sends) sink.send(s.to(), s.message());
        }
    }

    private final class FaultyHost implements FaultyNode.Context {
        final int id;
        final FaultyNode behaviour;
        final Map<Integer, Signer> colluders;
        final SplittableRandom random;
        final SimTimers timers = new SimTimers(key -> behaviour().onTimer(key));

        FaultyHost(int id, ByzantineStrategy strategy, Map<Integer, Signer> colluders, SplittableRandom random) {
            this.id = id;
            this.colluders = colluders;
            this.random = random;
            this.behaviour = strategy.create(this);
        }

        void start() {
            behaviour.start();
        }

        void receive(Principal from, Message m) {
            behaviour.onMessage(from, m);
        }

        @Override public ClusterSpec spec() { return spec; }
        @Override public FabConfig config() { return config; }
        @Override public int self() { return id; }
        @Override public Signer signer() { return colluders.get(id); }
        @Override public Map<Integer, Signer> colluders() { return colluders; }
        @Override public SignatureVerifier verifier() { return signatures; }
        @Override public List<Integer> correctNodes() { return List.copyOf(correct); }
        @Override public long now() { return now; }
        @Override public SplittableRandom random() { return random; }

        @Override
        public void send(Principal to, Message message) {
            transmit(id, to, message, -1);
        }

        @Override
        public void sendRaw(Principal to, byte[] bytes) {
            transmitBytes(id, to, bytes, -1, null);
        }

        @Override
        public void setTimer(Object key, long delayNanos) {
            timers.set(key, delayNanos);
        }

        private FaultyNode behaviour() {
            return behaviour;
        }

        @Override
        public FaultyNode.HonestCore honest(FaultyNode.Sink sink) {
            return new HonestCoreImpl(sink);
        }

        /** A correct core whose outputs go to a strategy's sink instead of the network. */
        final class HonestCoreImpl implements FaultyNode.HonestCore {
            final FaultyNode.Sink sink;
            final List<Persisted> disk = new ArrayList<>();
            final Outbox out = new Outbox();
            AgreementNode node;

            HonestCoreImpl(FaultyNode.Sink sink) {
                this.sink = sink;
                restart();
            }

            @Override public AgreementNode node() { return node; }

            @Override
            public void onMessage(Principal from, Message message) {
                if (node == null) return;
                node.onMessage(now, from, message, out);
                drain();
            }

            @Override
            public void onTimer(Object key) {
                if (node == null) return;
                node.onTimer(now, ((HonestTimer) key).key(), out);
                drain();
            }

            @Override
            public boolean ownsTimer(Object key) {
                return key instanceof HonestTimer t && t.core() == this;
            }

            @Override
            public void crash() {
                node = null;
                timers.removeIf(this::ownsTimer);
            }

            @Override
            public void restart() {
                if (node != null) return;
                node = AgreementNode.recover(spec, config, id, colluders.get(id), signatures,
                        io.bulwark.core.crypto.RequestAuthenticator.NONE, externalLearners, disk, executionKey);
                node.start(now, out);
                drain();
            }

            @Override public boolean isUp() { return node != null; }

            void drain() {
                for (Object p : out.persists()) disk.add((Persisted) p);
                for (Outbox.TimerCommand t : out.timers()) {
                    HonestTimer key = new HonestTimer(this, t.key());
                    if (t.cancel()) timers.cancel(key);
                    else timers.set(key, t.delayNanos());
                }
                List<Outbox.Send> sends = List.copyOf(out.sends());
                out.clear();
                for (Outbox.Send s : sends) sink.send(s.to(), s.message());
            }
        }
    }

    // ---------------------------------------------------------------- clients

    /** What the run needs from a client, whichever kind. */
    private interface SimulatedClient {
        void start();

        /** A message for client id {@code client} (one of this host's). */
        void receive(long client, Principal from, Message m, int depth);

        /** Done submitting and nothing outstanding. */
        boolean idle();

        /** What is still waiting for an answer, for the liveness report. */
        List<String> unanswered();
    }

    /** A closed-loop client of an agreement-only cluster: one request outstanding, answered by f+1 matching replies. */
    private final class SimClient implements SimulatedClient {
        final int index;
        final Signer signer;
        long timestamp;
        Request outstanding;
        long generation;
        final Map<Long, BitSet> repliesBySlot = new HashMap<>();

        SimClient(int index) {
            this.index = index;
            this.signer = signatures.signerFor(Principal.client(index));
        }

        @Override
        public boolean idle() {
            return outstanding == null && now >= o.clientActiveNanos();
        }

        @Override
        public void start() {
            next();
        }

        @Override
        public void receive(long client, Principal from, Message m, int depth) {
            if (m instanceof Reply r) onReply((int) from.id(), r);
        }

        @Override
        public List<String> unanswered() {
            return outstanding == null ? List.of() : List.of("request " + outstanding.id());
        }

        void next() {
            outstanding = null;
            if (now >= o.clientActiveNanos()) return;
            timestamp++;
            byte[] op = new byte[o.operationBytes()];
            for (int i = 0; i < op.length; i++) op[i] = (byte) clientRandom.nextInt(256);
            Bytes operation = Bytes.wrapOwned(op);
            byte[] signed = WireCodec.requestSignedBytes(index, timestamp, operation);
            outstanding = new Request(index, timestamp, operation, signer.sign(signed));
            repliesBySlot.clear();
            checks.submitted(outstanding, now);
            clientSend(index, spec.leaderOf(0), outstanding);
            armTimeout();
        }

        void armTimeout() {
            long g = ++generation;
            at(now + o.clientTimeoutNanos(), () -> {
                if (g != generation || outstanding == null) return;
                for (int node = 0; node < spec.agreementNodes(); node++) clientSend(index, node, outstanding);
                armTimeout();
            });
        }

        void onReply(int node, Reply r) {
            if (outstanding == null || r.clientId() != index || r.timestamp() != outstanding.timestamp()) return;
            if (node < 0 || node >= spec.agreementNodes()) return;
            BitSet from = repliesBySlot.computeIfAbsent(r.slot(), s -> new BitSet());
            from.set(node);
            if (from.cardinality() >= spec.f() + 1) {
                checks.completed(outstanding, r.slot(), now);
                generation++;
                Request done = outstanding;
                outstanding = null;
                at(now, () -> {
                    if (outstanding == null && timestamp == done.timestamp()) next();
                });
            }
        }
    }

    // ---------------------------------------------------------------- execution nodes

    /** Hosts one correct execution node running the key-value store, the way the runtime does. */
    private final class ExecutionHost {
        final int id;
        List<ExecutionPersisted> disk = new ArrayList<>();
        final Outbox out = new Outbox();
        final SimTimers timers = new SimTimers(this::fire);
        final SlotDepths depths = new SlotDepths();
        final Set<Long> checkpointsSeen = new HashSet<>();
        long inputSlot = -1;
        int inputDepth = -1;
        ExecutionNode core;

        ExecutionHost(int id) {
            this.id = id;
            this.core = newCore(List.of());
        }

        ExecutionNode newCore(List<ExecutionPersisted> records) {
            return ExecutionNode.recover(spec, config.quorums(), o.execution().config(), id,
                    signatures.signerFor(Principal.node(id)), signatures, SimSecrets.store(o.execution().secret()), records,
                    firewallOf(id));
        }

        void start() {
            core.start(now, out);
            drain();
        }

        void receive(Principal from, Message m, int depth) {
            if (core == null) return;
            long slot = slotOf(m);
            inputSlot = slot;
            inputDepth = depth;
            long undeliveredBefore = core.nextSlot();
            depths.beforeInput(from, m, slot, depth, undeliveredBefore);
            core.onMessage(now, from, m, out);
            depths.afterInput(m, slot, undeliveredBefore, core.learner());
            drain();
        }

        void fire(Object key) {
            if (core == null) return;
            inputSlot = -1;
            inputDepth = -1;
            core.onTimer(now, key, out);
            drain();
        }

        void drain() {
            for (Object p : out.persists()) disk.add((ExecutionPersisted) p);
            timers.apply(out.timers());
            for (Outbox.Send s : out.sends()) {
                Message m = s.message();
                if (m instanceof ExecutionCheckpoint c && checkpointsSeen.add(c.slot())) {
                    checks.executionCheckpoint(id, c.slot(), c.stateDigest());
                }
                // A reply leaves one delay after the decision it reports was learned; a cached reply
                // re-sent to a retransmitting client is not on that path (-1: not counted).
                int depth = m instanceof Reply r ? depths.replyDepth(r.slot()) : sendDepth(m, inputSlot, inputDepth, null);
                transmit(id, s.to(), m, depth);
            }
            for (Outbox.Delivery d : out.deliveries()) {
                lastDeliveryAt = now;
                checks.delivered(id, d.slot(), d.batch(), spec.firewall() ? RunChecks.NOT_A_LEARNER : depths.delivered(d.slot()), now);
                trace("n" + id + " executed slot " + d.slot() + " " + TraceFormat.batch(d.batch()));
            }
            out.clear();
        }

        void crash() {
            if (core == null) return;
            trace("n" + id + " CRASH");
            core = null;
            timers.clear();
            depths.clear();
        }

        void restart(boolean wipe) {
            if (core != null) return;
            if (wipe) disk = new ArrayList<>();
            trace("n" + id + " RESTART " + (wipe ? "with an empty data directory" : "from " + disk.size() + " persisted records"));
            core = newCore(disk);
            core.start(now, out);
            drain();
        }
    }

    /** A faulty execution node: its strategy, with a correct core to wrap if it wants one. */
    private final class FaultyExecutionHost implements FaultyExecutor.Context {
        final int id;
        final Signer signer;
        final SplittableRandom random;
        final SimTimers timers = new SimTimers(key -> behaviour().onTimer(key));
        final FaultyExecutor behaviour;

        FaultyExecutionHost(int id, ExecutionFault fault, SplittableRandom random) {
            this.id = id;
            this.signer = signatures.signerFor(Principal.node(id));
            this.random = random;
            this.behaviour = fault.create(this);
        }

        void start() {
            behaviour.start();
        }

        void receive(Principal from, Message m) {
            behaviour.onMessage(from, m);
        }

        @Override public ClusterSpec spec() { return spec; }
        @Override public int self() { return id; }
        @Override public Signer signer() { return signer; }
        @Override public long now() { return now; }
        @Override public SplittableRandom random() { return random; }
        @Override public Bytes secret() { return o.execution().secret() == null ? Bytes.EMPTY : o.execution().secret(); }
        @Override public ThresholdShareSigner shareSigner() { return spec.firewall() ? firewallOf(id).shareSigner() : null; }
        @Override public ClientSeals seals() { return clientSeals; }

        @Override
        public void send(Principal to, Message message) {
            transmit(id, to, message, -1);
        }

        @Override
        public void sendRaw(Principal to, byte[] bytes) {
            transmitBytes(id, to, bytes, -1, null);
        }

        @Override
        public void setTimer(Object key, long delayNanos) {
            timers.set(key, delayNanos);
        }

        private FaultyExecutor behaviour() {
            return behaviour;
        }

        @Override
        public FaultyExecutor.HonestExecution honest(FaultyNode.Sink sink) {
            ExecutionNode node = new ExecutionNode(spec, config.quorums(), o.execution().config(), id, signer, signatures,
                    SimSecrets.store(o.execution().secret()), firewallOf(id));
            HonestCore core = new HonestCore(node, sink, timers);
            return new FaultyExecutor.HonestExecution() {
                @Override public ExecutionNode node() { return node; }
                @Override public void onMessage(Principal from, Message message) { core.onMessage(from, message); }
                @Override public void onTimer(Object key) { core.onTimer(key); }
                @Override public boolean ownsTimer(Object key) { return core.ownsTimer(key); }
            };
        }
    }

    // ---------------------------------------------------------------- filters

    /** Hosts one correct filter. Filters persist nothing: a restarted one catches up through DECISION-QUERY. */
    private final class FilterHost {
        final int id;
        final Outbox out = new Outbox();
        final SimTimers timers = new SimTimers(this::fire);
        FilterNode core;

        FilterHost(int id) {
            this.id = id;
            this.core = newCore();
        }

        FilterNode newCore() {
            return new FilterNode(spec, o.execution().filterConfig(), id, signatures, executionKey);
        }

        void start() {
            core.start(now, out);
            drain();
        }

        void receive(Principal from, Message m) {
            if (core == null) return;
            core.onMessage(now, from, m, out);
            drain();
        }

        void fire(Object key) {
            if (core == null) return;
            core.onTimer(now, key, out);
            drain();
        }

        void drain() {
            timers.apply(out.timers());
            for (Outbox.Send s : out.sends()) transmit(id, s.to(), s.message(), -1);
            out.clear();
        }

        void crash() {
            if (core == null) return;
            trace("n" + id + " CRASH");
            core = null;
            timers.clear();
        }

        void restart() {
            if (core != null) return;
            trace("n" + id + " RESTART (filters keep nothing)");
            core = newCore();
            core.start(now, out);
            drain();
        }
    }

    /** A faulty filter: its strategy, with a correct filter core to wrap if it wants one. */
    private final class FaultyFilterHost implements FaultyFilter.Context {
        final int id;
        final SplittableRandom random;
        final SimTimers timers = new SimTimers(key -> behaviour().onTimer(key));
        final FaultyFilter behaviour;

        FaultyFilterHost(int id, FilterFault fault, SplittableRandom random) {
            this.id = id;
            this.random = random;
            this.behaviour = fault.create(this);
        }

        private FaultyFilter behaviour() {
            return behaviour;
        }

        void start() {
            behaviour.start();
        }

        void receive(Principal from, Message m) {
            behaviour.onMessage(from, m);
        }

        void receiveRaw(Principal from, byte[] bytes) {
            behaviour.onRaw(from, bytes.clone());
        }

        @Override public ClusterSpec spec() { return spec; }
        @Override public int self() { return id; }
        @Override public int row() { return spec.filterRow(id); }
        @Override public long now() { return now; }
        @Override public SplittableRandom random() { return random; }

        @Override
        public void send(Principal to, Message message) {
            transmit(id, to, message, -1);
        }

        @Override
        public void sendRaw(Principal to, byte[] bytes) {
            transmitBytes(id, to, bytes.clone(), -1, null);
        }

        @Override
        public void setTimer(Object key, long delayNanos) {
            timers.set(key, delayNanos);
        }

        @Override
        public FaultyFilter.HonestFilter honest(FaultyNode.Sink sink) {
            FilterNode node = new FilterNode(spec, o.execution().filterConfig(), id, signatures, executionKey);
            HonestCore core = new HonestCore(node, sink, timers);
            return new FaultyFilter.HonestFilter() {
                @Override public FilterNode node() { return node; }
                @Override public void onMessage(Principal from, Message message) { core.onMessage(from, message); }
                @Override public void onTimer(Object key) { core.onTimer(key); }
                @Override public boolean ownsTimer(Object key) { return core.ownsTimer(key); }
            };
        }
    }

    /**
     * A closed-loop client of the key-value store driven by the real client core: random operations
     * over a few keys, every call and its certified result recorded for the linearizability checker.
     * Now and then it also tries a key under
     * {@code secret/}, which it may not touch: the answer must be "permission denied" (such calls
     * stay out of the history; they had no effect).
     */
    private final class KvClientHost implements SimulatedClient {
        final int index;
        final SplittableRandom random;
        final ClientCore core;
        final Outbox out = new Outbox();
        final SimTimers timers = new SimTimers(this::fire);
        final Map<Long, Integer> historyIds = new HashMap<>();
        final Map<Long, KvOperation> operations = new HashMap<>();
        long outstandingCall = -1;

        KvClientHost(int index, SplittableRandom random) {
            this.index = index;
            this.random = random;
            // Calls never time out inside a run: a call unanswered at the end is a liveness violation.
            ClientConfig cc = ClientConfig.defaults()
                    .withRetransmit(o.clientTimeoutNanos(), 2.0, 8 * o.clientTimeoutNanos())
                    .withCallTimeout(o.livenessBoundNanos() + o.clientActiveNanos() + o.network().gstNanos() + 1);
            this.core = spec.firewall()
                    ? new ClientCore(spec, index, signatures.signerFor(Principal.client(index)),
                            io.bulwark.core.crypto.RequestAuthenticator.NONE, cc, 1,
                            ClientSeal.between(index, clientSealKey(index, true), clusterSealPublic).orElseThrow(), executionKey)
                    : new ClientCore(spec, index, signatures.signerFor(Principal.client(index)),
                            io.bulwark.core.crypto.RequestAuthenticator.NONE, cc, 1);
        }

        @Override
        public void start() {
            next();
        }

        /** The next call once the previous one completed. */
        void next() {
            outstandingCall = -1;
            if (now >= o.clientActiveNanos()) return;
            outstandingCall = submit();
        }

        long submit() {
            KvOperation op = randomOperation(random, index, o.execution().keys());
            long call = core.submit(now, op.encode(), out);
            operations.put(call, op);
            checks.callMade();
            if (!secretOperation(op)) historyIds.put(call, checks.history().invoke(index, now, op));
            drain();
            return call;
        }

        static KvOperation randomOperation(SplittableRandom random, int index, int keys) {
            if (random.nextInt(10) == 0) {
                Bytes key = random.nextBoolean() ? SimSecrets.KEY : Bytes.ofUtf8("secret/" + random.nextInt(3));
                return switch (random.nextInt(4)) {
                    case 0, 1 -> new KvOperation.Get(key);
                    case 2 -> new KvOperation.Put(key, Bytes.ofUtf8(index + "." + random.nextInt(1_000_000)));
                    default -> new KvOperation.CompareAndSet(key, null, Bytes.ofUtf8("x"));
                };
            }
            Bytes key = Bytes.ofUtf8("k" + random.nextInt(keys));
            Bytes value = Bytes.ofUtf8(index + "." + random.nextInt(1_000_000));
            return switch (random.nextInt(8)) {
                case 0, 1, 2 -> new KvOperation.Put(key, value);
                case 3, 4 -> new KvOperation.Get(key);
                case 5 -> new KvOperation.Delete(key);
                case 6 -> new KvOperation.CompareAndSet(key, null, value);
                default -> new KvOperation.CompareAndSet(key, Bytes.ofUtf8(index + "." + random.nextInt(4)), value);
            };
        }

        private static boolean secretOperation(KvOperation op) {
            Bytes key = switch (op) {
                case KvOperation.Put p -> p.key();
                case KvOperation.Get g -> g.key();
                case KvOperation.Delete d -> d.key();
                case KvOperation.CompareAndSet c -> c.key();
                case KvOperation.Scan s -> s.fromInclusive();
            };
            return SimSecrets.isSecret(key);
        }

        @Override
        public void receive(long client, Principal from, Message m, int depth) {
            if (m instanceof Reply r && depth >= 0 && correctExecution.contains((int) from.id())) checks.replyDepth(r, depth);
            core.onMessage(now, from, m, out);
            drain();
        }

        void fire(Object key) {
            core.onTimer(now, key, out);
            drain();
        }

        void drain() {
            timers.apply(out.timers());
            for (Outbox.Send s : out.sends()) {
                if (s.message() instanceof Request r) checks.submitted(r, now);
                clientSend(index, (int) s.to().id(), s.message());
            }
            out.clear();
            for (CallOutcome outcome : core.drainOutcomes()) {
                Integer historyId = historyIds.remove(outcome.callId());
                KvOperation op = operations.remove(outcome.callId());
                if (outcome instanceof CallOutcome.Completed c) {
                    KvResult result;
                    try {
                        result = KvResult.decode(c.result());
                    } catch (MalformedMessageException e) {
                        checks.badReply("client " + index + " got an undecodable certified result for " + op);
                        continue;
                    } finally {
                        checks.completed(index, c.timestamp(), c.slot(), now);
                    }
                    if (historyId != null) {
                        checks.history().complete(historyId, now, result);
                    } else if (op != null && !(result instanceof KvResult.Error e && e.code() == KvErrorCode.PERMISSION_DENIED)) {
                        checks.badReply("access control: client " + index + " got " + result + " for " + op
                                + " on a key it may not touch");
                    }
                }
                if (outcome.callId() == outstandingCall) at(now, this::next);
            }
        }

        @Override
        public boolean idle() {
            return outstandingCall < 0 && core.pendingCalls() == 0 && now >= o.clientActiveNanos();
        }

        @Override
        public List<String> unanswered() {
            List<String> calls = new ArrayList<>();
            for (Map.Entry<Long, KvOperation> e : new java.util.TreeMap<>(operations).entrySet()) {
                calls.add("client " + index + " call " + e.getValue());
            }
            return calls;
        }
    }

    /**
     * The scheduled workload ({@link Workload#SCHEDULED}) of one client host: a call every 20 to
     * 60 ms of virtual time, whatever became of earlier ones. Call k is made by client identity
     * {@code index + clients * (k mod identities)}, or {@code index + clients * k} (one identity per
     * call) with {@code identities == 0}: with one identity per call no call ever waits for another,
     * so when each is sent is fixed by the seed alone; with a few, each identity gets several
     * replies (a stream whose order can be compared), and a call that comes while its identity is
     * still busy waits in its client core. Each identity runs its own real client core, with a
     * retransmission timeout past the slowest path a message can take before GST, so that a
     * retransmission means a loss and not a race with a slow reply.
     */
    private final class ScheduledKvClient implements SimulatedClient {
        private record CallTimer(long client, Object key) {}

        private record Call(long client, long call) {}

        final int index;
        final SplittableRandom random;
        final SimTimers timers = new SimTimers(this::fire);
        final Outbox out = new Outbox();
        final Map<Long, ClientCore> cores = new HashMap<>();
        /** Calls not yet answered: their history id (absent for secret probes) and operation. */
        final Map<Call, Integer> historyIds = new HashMap<>();
        final Map<Call, KvOperation> operations = new java.util.TreeMap<>(
                java.util.Comparator.comparingLong(Call::client).thenComparingLong(Call::call));
        long calls;

        ScheduledKvClient(int index, SplittableRandom random) {
            this.index = index;
            this.random = random;
        }

        @Override
        public void start() {
            tick();
        }

        void tick() {
            if (now >= o.clientActiveNanos()) return;
            int identities = o.execution().scheduledIdentities();
            long k = calls++;
            long id = index + (long) o.clients() * (identities == 0 ? k : k % identities);
            if (id < CLIENT_IDS_MAX) {
                ClientCore core = cores.computeIfAbsent(id, this::newCore);
                KvOperation op = KvClientHost.randomOperation(random, index, o.execution().keys());
                long callId = core.submit(now, op.encode(), out);
                Call call = new Call(id, callId);
                operations.put(call, op);
                checks.callMade();
                if (!KvClientHost.secretOperation(op)) historyIds.put(call, checks.history().invoke(id, now, op));
                drain(id, core);
            }
            at(now + (20 + random.nextInt(41)) * MS, this::tick);
        }

        ClientCore newCore(long id) {
            clientRoutes.put(id, this);
            long retransmit = Math.max(o.clientTimeoutNanos(), SCHEDULED_RETRANSMIT_NANOS);
            ClientConfig cc = ClientConfig.defaults()
                    .withRetransmit(retransmit, 2.0, 8 * retransmit)
                    .withCallTimeout(o.livenessBoundNanos() + o.clientActiveNanos() + o.network().gstNanos() + 1);
            return spec.firewall()
                    ? new ClientCore(spec, id, signatures.signerFor(Principal.client(id)),
                            io.bulwark.core.crypto.RequestAuthenticator.NONE, cc, 1,
                            ClientSeal.between(id, clientSealKey(id, true), clusterSealPublic).orElseThrow(), executionKey)
                    : new ClientCore(spec, id, signatures.signerFor(Principal.client(id)),
                            io.bulwark.core.crypto.RequestAuthenticator.NONE, cc, 1);
        }

        @Override
        public void receive(long client, Principal from, Message m, int depth) {
            ClientCore core = cores.get(client);
            if (core == null) return;
            core.onMessage(now, from, m, out);
            drain(client, core);
        }

        void fire(Object key) {
            CallTimer t = (CallTimer) key;
            ClientCore core = cores.get(t.client());
            if (core == null) return;
            core.onTimer(now, t.key(), out);
            drain(t.client(), core);
        }

        void drain(long id, ClientCore core) {
            for (Outbox.TimerCommand t : out.timers()) {
                CallTimer key = new CallTimer(id, t.key());
                if (t.cancel()) timers.cancel(key);
                else timers.set(key, t.delayNanos());
            }
            for (Outbox.Send s : out.sends()) {
                if (s.message() instanceof Request r) checks.submitted(r, now);
                clientSend(id, (int) s.to().id(), s.message());
            }
            out.clear();
            for (CallOutcome outcome : core.drainOutcomes()) {
                Call call = new Call(id, outcome.callId());
                Integer historyId = historyIds.remove(call);
                KvOperation op = operations.remove(call);
                if (outcome instanceof CallOutcome.Completed c) {
                    checks.completed(id, c.timestamp(), c.slot(), now);
                    KvResult result;
                    try {
                        result = KvResult.decode(c.result());
                    } catch (MalformedMessageException e) {
                        checks.badReply("client " + id + " got an undecodable certified result for " + op);
                        continue;
                    }
                    if (historyId != null) {
                        checks.history().complete(historyId, now, result);
                    } else if (op != null && !(result instanceof KvResult.Error e && e.code() == KvErrorCode.PERMISSION_DENIED)) {
                        checks.badReply("access control: client " + id + " got " + result + " for " + op
                                + " on a key it may not touch");
                    }
                }
            }
        }

        @Override
        public boolean idle() {
            return now >= o.clientActiveNanos() && operations.isEmpty();
        }

        @Override
        public List<String> unanswered() {
            List<String> list = new ArrayList<>();
            for (Map.Entry<Call, KvOperation> e : operations.entrySet()) {
                list.add("client " + e.getKey().client() + " call " + e.getValue());
            }
            return list;
        }
    }

    /** Retransmission timeout of scheduled calls: beyond the slowest path through a chaotic network. */
    private static final long SCHEDULED_RETRANSMIT_NANOS = 1_000 * MS;
}
