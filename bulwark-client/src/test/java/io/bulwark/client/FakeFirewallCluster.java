package io.bulwark.client;

import io.bulwark.client.firewall.FirewallFixture;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.Request;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * An in-memory {@link ClientTransport} standing for a cluster behind a privacy firewall, as a
 * client sees it: agreement nodes order the (sealed) request once per (client, timestamp), the
 * execution cluster opens it, "executes" it ({@code ok:<operation>}) and certifies the sealed
 * reply with a real threshold signature, and a row-0 filter delivers the REPLY-CERTIFICATE; a
 * retransmission that reaches a row-0 filter gets the cached certificate again. With
 * {@code noisy}, every execution node also sends a plain forged REPLY first, and a row-0 filter
 * a certificate with a broken signature — both must count for nothing.
 */
final class FakeFirewallCluster implements ClientTransport {
    private final ClusterSpec spec;
    private final SignatureVerifier keys;
    private final FirewallFixture fx;
    private final ExecutorService network = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-firewall-network");
        t.setDaemon(true);
        return t;
    });
    private volatile BiConsumer<Principal, Message> handler;
    volatile boolean noisy;
    /** Certificates to drop before the filters start delivering them (lost replies). */
    final AtomicInteger dropCertificates = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    final Queue<Principal> recipients = new ConcurrentLinkedQueue<>();
    /** The operation bytes every agreement node was shown. */
    final Queue<Bytes> orderedBodies = new ConcurrentLinkedQueue<>();
    final AtomicInteger badSignatures = new AtomicInteger();
    final AtomicInteger resentByRow0 = new AtomicInteger();

    // Touched on the network thread only.
    private final Map<Long, ReplyCertificate> lastCertificate = new HashMap<>();
    private long nextSlot = 1;

    FakeFirewallCluster(ClusterSpec spec, SignatureVerifier keys, FirewallFixture fx) {
        this.spec = spec;
        this.keys = keys;
        this.fx = fx;
    }

    @Override
    public void send(Principal to, Message message) {
        recipients.add(to);
        if (closed.get() || !(message instanceof Request r)) return;
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

    private void receive(int node, Request r) {
        if (!keys.verify(Principal.client(r.clientId()), WireCodec.signedBytes(r), r.signature())) {
            badSignatures.incrementAndGet();
            return;
        }
        ReplyCertificate last = lastCertificate.get(r.clientId());
        long lastTs = last == null ? -1 : last.reply().timestamp();
        if (spec.isAgreementNode(node)) {
            orderedBodies.add(r.operation());
            if (r.timestamp() <= lastTs) return; // ordered already: its certificate went down once
            long slot = nextSlot++;
            Bytes result = Bytes.ofUtf8("ok:" + fx.openRequest(r).toUtf8());
            ReplyCertificate cert = fx.certificate(slot, List.of(
                    fx.leaf(r.clientId() + 1000, slot, Bytes.ofUtf8("someone else")),
                    fx.leaf(r.clientId(), r.timestamp(), result)), 1);
            lastCertificate.put(r.clientId(), cert);
            deliver(cert);
        } else if (spec.isFilterNode(node) && spec.filterRow(node) == 0 && last != null && r.timestamp() == lastTs) {
            resentByRow0.incrementAndGet();
            deliverFrom(node, last);
        }
    }

    private void deliver(ReplyCertificate cert) {
        if (dropCertificates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) return;
        deliverFrom(spec.filterNode(0, 0), cert);
    }

    private void deliverFrom(int filter, ReplyCertificate cert) {
        BiConsumer<Principal, Message> h = handler;
        if (h == null || closed.get()) return;
        if (noisy) {
            for (int e = spec.agreementNodes(); e < spec.agreementNodes() + spec.executionNodes(); e++) {
                h.accept(Principal.node(e), new Reply(cert.reply().clientId(), cert.reply().timestamp(), cert.slot(),
                        Bytes.ofUtf8("forged")));
            }
            byte[] sig = cert.signature().toByteArray();
            sig[0] ^= 1;
            h.accept(Principal.node(filter), new ReplyCertificate(cert.slot(), cert.reply(), cert.leafIndex(), cert.leafCount(),
                    cert.path(), Bytes.wrapOwned(sig)));
        }
        h.accept(Principal.node(filter), cert);
    }
}
