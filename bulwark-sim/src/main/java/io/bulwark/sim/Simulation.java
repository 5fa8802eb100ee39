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
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.step.Outbox;
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
            int operationBytes, PrintStream trace) {}

    private static final long MS = NetworkProfile.MS;
    /** Depth given to messages whose causal chain from a PROPOSE is not tracked (timer-driven). */
    static final int DEPTH_UNTRACKED = 1_000;

    private final Options o;
    private final ClusterSpec spec;
    private final FabConfig config;
    private final SimSignatures signatures;
    private final SplittableRandom networkRandom;
    private final SplittableRandom clientRandom;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Object[] nodes; // HonestHost or FaultyHost
    private final Set<Integer> faulty = new HashSet<>();
    private final List<Integer> correct = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final RunChecks checks;

    private long now;
    private long seq;
    private boolean stopped;
    private long messagesSent;
    private long bytesSent;
    private long malformedReceived;
    private long lastViewChangeStart = -1;

    public Simulation(Options options) {
        this.o = options;
        this.spec = options.spec();
        this.config = options.config();
        this.signatures = new SimSignatures(options.seed());
        SplittableRandom root = new SplittableRandom(options.seed());
        this.networkRandom = root.split();
        this.clientRandom = root.split();
        SplittableRandom faultRandom = root.split();
        SplittableRandom crashRandom = root.split();
        int a = spec.agreementNodes();
        if (options.faults().size() > spec.f()) throw new IllegalArgumentException("more faulty nodes than f");
        for (Fault f : options.faults()) faulty.add(f.node());
        for (int i = 0; i < a; i++) {
            if (!faulty.contains(i)) correct.add(i);
        }
        this.checks = new RunChecks(spec, correct, options.network().gstNanos());
        this.nodes = new Object[a];
        Map<Integer, Signer> colluders = new HashMap<>();
        for (int id : faulty) colluders.put(id, signatures.signerFor(Principal.node(id)));
        for (int i = 0; i < a; i++) {
            nodes[i] = faulty.contains(i) ? null : new HonestHost(i);
        }
        for (Fault f : options.faults()) {
            nodes[f.node()] = new FaultyHost(f.node(), f.strategy(), Map.copyOf(colluders), faultRandom.split());
        }
        for (int c = 0; c < options.clients(); c++) clients.add(new SimClient(c));
        if (options.network().crashProbability() > 0) planCrashes(crashRandom);
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
            if (n instanceof HonestHost h) h.start();
            else ((FaultyHost) n).start();
        }
        for (SimClient c : clients) at(clientRandom.nextLong(MS), c::next);
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

    /** Ends the run once every client is idle and lagging nodes had time to catch up. */
    private void monitor() {
        boolean idle = clients.stream().allMatch(SimClient::idle);
        if (idle && allDoneAt < 0) allDoneAt = now;
        if (idle && now - allDoneAt >= o.settleNanos()) {
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
        List<Request> outstanding = new ArrayList<>();
        for (SimClient c : clients) {
            if (c.outstanding != null) outstanding.add(c.outstanding);
        }
        return checks.finish(o.seed(), now, heights, outstanding, lastViewChangeStart, messagesSent, bytesSent,
                malformedReceived);
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
        messagesSent++;
        bytesSent += bytes.length;
        NetworkProfile net = o.network();
        boolean chaotic = now < net.gstNanos();
        if (chaotic) {
            if (networkRandom.nextDouble() < net.lossProbability()) return;
            if (to.kind() == Principal.Kind.NODE && from >= 0 && partitioned(from, (int) to.id())) return;
        }
        int copies = chaotic && networkRandom.nextDouble() < net.duplicateProbability() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long latency = chaotic
                    ? net.stableLatencyMinNanos() + networkRandom.nextLong(net.chaoticLatencyMaxNanos() - net.stableLatencyMinNanos() + 1)
                    : net.stableLatencyMinNanos() + networkRandom.nextLong(net.stableLatencyMaxNanos() - net.stableLatencyMinNanos() + 1);
            Principal sender = from >= 0 ? Principal.node(from) : null;
            at(now + latency, () -> arrive(sender, to, bytes, depth));
        }
        if (o.trace() != null) trace((from >= 0 ? "n" + from : "?") + " -> " + to + " " + (m == null ? bytes.length + " raw bytes" : TraceFormat.describe(m)));
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
        Message m;
        try {
            m = WireCodec.decode(bytes);
        } catch (MalformedMessageException e) {
            malformedReceived++;
            return;
        }
        if (from == null) return;
        if (to.kind() == Principal.Kind.CLIENT) {
            int c = (int) to.id();
            if (c >= 0 && c < clients.size() && m instanceof Reply r && from.kind() == Principal.Kind.NODE) {
                clients.get(c).onReply((int) from.id(), r);
            }
            return;
        }
        Object n = nodes[(int) to.id()];
        if (n instanceof HonestHost h) h.receive(from, m, depth);
        else ((FaultyHost) n).receive(from, m);
    }

    /** Client → node: clients are not agreement nodes; sender -1 with the client principal. */
    private void clientSend(int clientIndex, int node, Request r) {
        byte[] bytes = WireCodec.encode(r);
        messagesSent++;
        bytesSent += bytes.length;
        NetworkProfile net = o.network();
        boolean chaotic = now < net.gstNanos();
        if (chaotic && networkRandom.nextDouble() < net.lossProbability()) return;
        long max = chaotic ? net.chaoticLatencyMaxNanos() : net.stableLatencyMaxNanos();
        long latency = net.stableLatencyMinNanos() + networkRandom.nextLong(max - net.stableLatencyMinNanos() + 1);
        Principal from = Principal.client(clientIndex);
        at(now + latency, () -> {
            Object n = nodes[node];
            Message m;
            try {
                m = WireCodec.decode(bytes);
            } catch (MalformedMessageException e) {
                malformedReceived++;
                return;
            }
            if (n instanceof HonestHost h) h.receive(from, m, -1);
            else ((FaultyHost) n).receive(from, m);
        });
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

    // ---------------------------------------------------------------- correct nodes

    /** Hosts one correct agreement node the way the runtime does: persist, timers, sends, deliveries. */
    private final class HonestHost {
        final int id;
        final List<Persisted> disk = new ArrayList<>();
        final Outbox out = new Outbox();
        final Map<Object, Long> timers = new HashMap<>();
        long timerGeneration;
        AgreementNode core;
        /** Slot depth tracking: the largest depth of learner inputs from correct nodes, per undelivered slot. */
        final Map<Long, Integer> maxDepth = new HashMap<>();
        final Map<Long, Integer> learnedDepth = new HashMap<>();
        long inputSlot = -1;
        int inputDepth = -1;
        long viewChanges;

        HonestHost(int id) {
            this.id = id;
            this.core = newCore(List.of());
        }

        AgreementNode newCore(List<Persisted> records) {
            return AgreementNode.recover(spec, config, id, signatures.signerFor(Principal.node(id)), signatures,
                    new int[0], records);
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
            boolean fromCorrect = from.kind() == Principal.Kind.NODE && !faulty.contains((int) from.id());
            if (slot >= 0 && isLearnerInput(m) && fromCorrect && slot >= core.nextSlotToDeliver()
                    && !learnedDepth.containsKey(slot)) {
                maxDepth.merge(slot, depth < 0 ? DEPTH_UNTRACKED : depth, Math::max);
            }
            long undeliveredBefore = core.nextSlotToDeliver();
            core.onMessage(now, from, m, out);
            if (slot >= undeliveredBefore && isLearnerInput(m) && !learnedDepth.containsKey(slot)
                    && core.learner().isLearned(slot)) {
                learnedDepth.put(slot, maxDepth.getOrDefault(slot, DEPTH_UNTRACKED));
            }
            drain();
        }

        void fire(Object key, long generation) {
            if (core == null) return;
            Long g = timers.get(key);
            if (g == null || g != generation) return;
            timers.remove(key);
            inputSlot = -1;
            inputDepth = -1;
            core.onTimer(now, key, out);
            drain();
        }

        void drain() {
            for (Object p : out.persists()) disk.add((Persisted) p);
            for (Outbox.TimerCommand t : out.timers()) {
                if (t.cancel()) {
                    timers.remove(t.key());
                } else {
                    long g = ++timerGeneration;
                    Object key = t.key();
                    timers.put(key, g);
                    at(now + t.delayNanos(), () -> fire(key, g));
                }
            }
            Set<Long> proposedHere = null;
            for (Outbox.Send s : out.sends()) {
                if (s.message() instanceof Propose p) {
                    if (proposedHere == null) proposedHere = new HashSet<>();
                    if (proposedHere.add(p.slot())) checks.proposed(id, p.pn(), p.slot(), now, allCorrectNodesIn(p.pn()));
                }
            }
            for (Outbox.Send s : out.sends()) {
                Message m = s.message();
                long slot = slotOf(m);
                int depth;
                if (slot < 0) depth = -1;
                else if (m instanceof Propose) depth = 1;
                else if (slot == inputSlot && inputDepth >= 0) depth = inputDepth + 1;
                else if (proposedHere != null && proposedHere.contains(slot)) depth = 1;
                else depth = DEPTH_UNTRACKED;
                if (s.to().kind() == Principal.Kind.CLIENT) {
                    transmitToClient(id, s.to(), m);
                } else {
                    transmit(id, s.to(), m, depth);
                }
            }
            for (Outbox.Delivery d : out.deliveries()) {
                Integer depth = learnedDepth.remove(d.slot());
                maxDepth.remove(d.slot());
                checks.delivered(id, d.slot(), d.batch(), depth == null ? -1 : depth, now);
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
            maxDepth.clear();
            learnedDepth.clear();
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

    private final class FaultyHost implements FaultyNode.Context {
        final int id;
        final FaultyNode behaviour;
        final Map<Integer, Signer> colluders;
        final SplittableRandom random;
        final Map<Object, Long> timers = new HashMap<>();
        long timerGeneration;

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
            long g = ++timerGeneration;
            timers.put(key, g);
            at(now + delayNanos, () -> {
                Long current = timers.get(key);
                if (current != null && current == g) {
                    timers.remove(key);
                    behaviour.onTimer(key);
                }
            });
        }

        void cancelTimer(Object key) {
            timers.remove(key);
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
                timers.keySet().removeIf(this::ownsTimer);
            }

            @Override
            public void restart() {
                if (node != null) return;
                node = AgreementNode.recover(spec, config, id, colluders.get(id), signatures, new int[0], disk);
                node.start(now, out);
                drain();
            }

            @Override public boolean isUp() { return node != null; }

            void drain() {
                for (Object p : out.persists()) disk.add((Persisted) p);
                for (Outbox.TimerCommand t : out.timers()) {
                    HonestTimer key = new HonestTimer(this, t.key());
                    if (t.cancel()) cancelTimer(key);
                    else setTimer(key, t.delayNanos());
                }
                List<Outbox.Send> sends = List.copyOf(out.sends());
                out.clear();
                for (Outbox.Send s : sends) sink.send(s.to(), s.message());
            }
        }
    }

    // ---------------------------------------------------------------- clients

    /** A closed-loop client: one request outstanding, answered by f+1 matching replies. */
    private final class SimClient {
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

        boolean idle() {
            return outstanding == null && now >= o.clientActiveNanos();
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
}
