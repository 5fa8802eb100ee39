package io.bulwark.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.client.BulwarkClient;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.PairwiseRequestAuthenticator;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.runtime.TestClusters;
import io.bulwark.runtime.client.ClusterClients;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import io.bulwark.runtime.net.NettyClientTransport;
import io.bulwark.runtime.storage.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agreement-only cluster (f = 1, t = 1: six nodes) of real {@link NodeHost}s over mutual TLS
 * on loopback, with fsync'd write-ahead logs, driven by a raw client that sends signed (and
 * MAC-authenticated) requests and waits for f + 1 matching replies.
 */
class AgreementClusterTest {
    @TempDir
    Path tmp;

    ClusterConfig config;
    NodeHost[] hosts;
    NettyClientTransport client;
    Identity clientId;
    PairwiseRequestAuthenticator macs;
    /** (timestamp) → replying node → reply. */
    final Map<Long, Map<Principal, Reply>> replies = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        config = TestClusters.create(tmp.resolve("cluster"), 1, 1, -1, 2);
        hosts = new NodeHost[config.nodes().size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = startNode(i);
        clientId = config.identity(Principal.client(0));
        macs = new PairwiseRequestAuthenticator(clientId.principal(), clientId.x25519Secret(), config.agreementKeys());
        client = new NettyClientTransport(config, clientId);
        client.onReceive((from, m) -> {
            if (m instanceof Reply r && r.clientId() == 0) {
                replies.computeIfAbsent(r.timestamp(), t -> new ConcurrentHashMap<>()).put(from, r);
            }
        });
        awaitMesh();
    }

    /** Every node has dialed every other (they do so at start). */
    private void awaitMesh() throws InterruptedException {
        await(() -> {
            for (NodeHost a : hosts) {
                for (NodeHost b : hosts) {
                    if (a != b && !a.transport().isConnectedTo(b.info().id())) return false;
                }
            }
            return true;
        }, 20, "the mesh of node connections");
    }

    private NodeHost startNode(int i) throws Exception {
        NodeHost h = NodeHost.open(config, i, tmp.resolve("data/node-" + i),
                NodeHost.Options.defaults().withFsync(FsyncPolicy.ALWAYS).withSummaryInterval(60_000)
                        .withWal(16 * 1024, 8 * 1024)); // small: the logs roll and compact during the test
        h.start();
        return h;
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (hosts != null) {
            for (NodeHost h : hosts) {
                if (h != null) h.stop();
            }
        }
    }

    private Request request(long ts) {
        Bytes op = Bytes.ofUtf8("op-" + ts);
        byte[] signed = WireCodec.requestSignedBytes(0, ts, op);
        return new Request(0, ts, op, clientId.signer().sign(signed), macs.authenticate(0, signed, config.spec().agreementNodes()));
    }

    private static void await(BooleanSupplier condition, long seconds, String what) throws InterruptedException {
        Awaitility.await(what).atMost(seconds, TimeUnit.SECONDS).until(condition::getAsBoolean);
    }

    /** f + 1 replies from distinct nodes that agree on the slot: the request was decided. */
    private long certifiedSlot(long ts) {
        Map<Principal, Reply> got = replies.getOrDefault(ts, Map.of());
        Map<Long, Integer> bySlot = new HashMap<>();
        for (Reply r : got.values()) {
            if (bySlot.merge(r.slot(), 1, Integer::sum) >= config.spec().f() + 1) return r.slot();
        }
        return -1;
    }

    /** Sends a request to every agreement node (as a client that timed out would) and waits for its certificate. */
    private long decide(long ts, Set<Integer> up) throws InterruptedException {
        Request r = request(ts);
        for (int n : up) client.send(Principal.node(n), r);
        // Retransmit every 500 ms while waiting, as a client's retransmission timer would.
        long[] resendAt = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500)};
        Awaitility.await("request " + ts + " decided").atMost(10, TimeUnit.SECONDS).pollInterval(1, TimeUnit.MILLISECONDS)
                .until(() -> {
                    if (certifiedSlot(ts) >= 0) return true;
                    if (System.nanoTime() > resendAt[0]) {
                        for (int n : up) client.send(Principal.node(n), r);
                        resendAt[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    }
                    return false;
                });
        return certifiedSlot(ts);
    }

    @Test
    void decidesRequestsAndARestartedNodeCatchesUp() throws Exception {
        Set<Integer> all = new HashSet<>(Set.of(0, 1, 2, 3, 4, 5));
        long last = -1;
        for (long ts = 1; ts <= 20; ts++) {
            long slot = decide(ts, all);
            assertThat(slot).isGreaterThan(last); // one client, one request at a time: slots increase
            last = slot;
        }
        await(() -> hosts[0].nextSlot() >= 20 && hosts[3].nextSlot() >= 20, 10, "nodes 0 and 3 to deliver 20 slots");

        // crash-stop node 3 (not the leader); the other five keep deciding (a - t = 5: still the fast path)
        assertThat(hosts[3].metrics().wal().compactions()).isGreaterThan(0); // it will recover from a compacted log
        hosts[3].stop();
        long nextSlotOf3 = hosts[3].nextSlot();
        assertThat(nextSlotOf3).isGreaterThan(0);
        hosts[3] = null;
        all.remove(3);
        for (long ts = 21; ts <= 30; ts++) decide(ts, all);

        // restart it from its data directory: it recovers its log, then learns what it missed
        hosts[3] = startNode(3);
        assertThat(hosts[3].nextSlot()).isGreaterThanOrEqualTo(nextSlotOf3); // recovered, not started from scratch
        all.add(3);
        for (long ts = 31; ts <= 35; ts++) decide(ts, all);
        long target = hosts[0].nextSlot();
        await(() -> hosts[3].nextSlot() >= target, 20, "node-3 to catch up to slot " + target);

        for (NodeHost h : hosts) {
            assertThat(h.metrics().coreErrors()).isZero();
            assertThat(h.metrics().malformedFrames()).isZero();
            assertThat(h.metrics().wal().fsyncs()).isGreaterThan(0);
        }
        // every node's delivered log is the same: compare their log hashes at a common slot
        long common = target;
        Set<String> hashes = new HashSet<>();
        for (NodeHost h : hosts) {
            hashes.add(h.inspect(c -> ((AgreementCore) c).node().learner().nextSlot() >= common
                    ? "ok" : "behind").get(5, TimeUnit.SECONDS));
        }
        assertThat(hashes).containsExactly("ok");
    }

    @Test
    void theClientLibraryWorksOverTheRealTransport() throws Exception {
        try (BulwarkClient c = ClusterClients.connect(config, 1, null, b -> b.callTimeout(Duration.ofSeconds(10)))) {
            for (int i = 0; i < 10; i++) {
                BulwarkClient.Result r = c.invokeWithSlot(Bytes.ofUtf8("hello-" + i));
                assertThat(r.slot()).isGreaterThanOrEqualTo(0);
            }
        }
    }
}
