package io.bulwark.client;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * An in-memory {@link ClientTransport} whose "cluster" orders and executes requests the way a
 * real one does from a client's point of view: exactly once per (client, timestamp), fresh only
 * above the client's last executed timestamp, the last reply cached and re-sent. Replies come
 * from every execution node (agreement nodes without an execution cluster) on a "network"
 * thread of its own; the nodes in {@code byzantine} reply with garbage first.
 */
final class FakeCluster implements ClientTransport {
    private final ClusterSpec spec;
    private final SignatureVerifier keys;
    private final Set<Integer> byzantine;
    private final ExecutorService network = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-network");
        t.setDaemon(true);
        return t;
    });
    private volatile BiConsumer<Principal, Message> handler;
    volatile boolean silent;
    /** Requests to drop before the cluster starts listening (lost messages). */
    final AtomicInteger dropNext = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    final Queue<Principal> recipients = new ConcurrentLinkedQueue<>();
    final CountDownLatch firstSend = new CountDownLatch(1);
    final AtomicInteger badSignatures = new AtomicInteger();

    // The cluster's replicated state, touched on the network thread only.
    private final Map<Long, Reply> lastReply = new HashMap<>();
    private long nextSlot;

    FakeCluster(ClusterSpec spec, SignatureVerifier keys, Set<Integer> byzantine) {
        this.spec = spec;
        this.keys = keys;
        this.byzantine = byzantine;
    }

    @Override
    public void send(Principal to, Message message) {
        recipients.add(to);
        firstSend.countDown();
        if (closed.get() || silent || !(message instanceof Request r)) return;
        if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) return;
        network.execute(() -> receive((int) to.id(), r));
    }

    @Override
    public void onReceive(BiConsumer<Principal, Message> handler) {
        this.handler = handler;
    }

    @Override
    public void close() {
        closed.set(true);
        network.shutdownNow();
    }

    void awaitQuiet() throws InterruptedException {
        network.shutdown();
        network.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void receive(int node, Request r) {
        if (!keys.verify(Principal.client(r.clientId()), WireCodec.signedBytes(r), r.signature())) {
            badSignatures.incrementAndGet();
            return;
        }
        Reply last = lastReply.get(r.clientId());
        if (spec.isAgreementNode(node)) {
            if (last == null || r.timestamp() > last.timestamp()) { // fresh: order and execute it
                Bytes result = spec.executionNodes() > 0 ? Bytes.ofUtf8("ok:" + r.operation().toUtf8()) : Bytes.EMPTY;
                last = new Reply(r.clientId(), r.timestamp(), nextSlot++, result);
                lastReply.put(r.clientId(), last);
                for (int learner : learners()) reply(learner, last);
            } else if (r.timestamp() == last.timestamp()) {
                for (int learner : learners()) reply(learner, last);
            }
        } else if (last != null && r.timestamp() == last.timestamp()) { // an execution node re-sends its cached reply
            reply(node, last);
        }
    }

    private int[] learners() {
        return spec.executionNodes() > 0
                ? java.util.stream.IntStream.range(spec.agreementNodes(), spec.agreementNodes() + spec.executionNodes()).toArray()
                : spec.agreementNodeIds().toArray();
    }

    private void reply(int node, Reply correct) {
        BiConsumer<Principal, Message> h = handler;
        if (h == null || closed.get()) return;
        if (byzantine.contains(node)) {
            h.accept(Principal.node(node), new Reply(correct.clientId(), correct.timestamp(), correct.slot() + 1,
                    Bytes.ofUtf8("garbage")));
        }
        h.accept(Principal.node(node), correct);
    }
}
