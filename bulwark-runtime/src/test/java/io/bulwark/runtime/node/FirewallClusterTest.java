package io.bulwark.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.agreement.FabConfig;
import io.bulwark.client.BulwarkClient;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.firewall.FilterConfig;
import io.bulwark.kv.KvClient;
import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvException;
import io.bulwark.runtime.TestClusters;
import io.bulwark.runtime.client.ClusterClients;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.storage.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall deployment on in-process hosts over loopback TLS: one agreement node (f=0), three
 * execution nodes (g=1) and two rows of two filters (h=1), with a 512-bit threshold key (fast to
 * deal; the arithmetic is the same). A {@link KvClient} over the real client library seals its
 * requests and accepts only threshold-certified replies from row 0; the access policy written by
 * init hides {@code secret/} from all but client 0; an execution node restarts from its
 * checkpoint and its logged REPLY-SHAREs, a filter restarts with nothing.
 */
class FirewallClusterTest {
    @TempDir
    Path tmp;

    NodeHost[] hosts;

    @AfterEach
    void stop() {
        if (hosts != null) {
            for (NodeHost h : hosts) {
                if (h != null) h.stop();
            }
        }
    }

    private NodeHost startNode(ClusterConfig config, int i) throws Exception {
        NodeHost.Options o = NodeHost.Options.defaults().withFsync(FsyncPolicy.ALWAYS).withSummaryInterval(60_000)
                .withFab(FabConfig.defaults(0, 0))
                .withExecution(ExecutionConfig.defaults().withCheckpointInterval(8))
                .withFilter(FilterConfig.defaults().withHeartbeatNanos(FilterConfig.ms(50)));
        NodeHost h = NodeHost.open(config, i, tmp.resolve("data/node-" + i), o);
        h.start();
        return h;
    }

    private static void await(BooleanSupplier condition, long seconds, String what) throws InterruptedException {
        Awaitility.await(what).atMost(seconds, TimeUnit.SECONDS).until(condition::getAsBoolean);
    }

    @Test
    void keyValueStoreBehindTheFirewallSurvivesRestartsOfAnExecutionNodeAndAFilter() throws Exception {
        ClusterConfig config = TestClusters.createFirewall(tmp.resolve("cluster"), 0, 0, 1, 1, 3, 512);
        hosts = new NodeHost[config.nodes().size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = startNode(config, i);
        assertThat(config.filterNodeIds()).containsExactly(4, 5, 6, 7);
        try (BulwarkClient client = ClusterClients.connect(config, 1, null, b -> b.callTimeout(Duration.ofSeconds(20)));
                BulwarkClient admin = ClusterClients.connect(config, 0, null, b -> b.callTimeout(Duration.ofSeconds(20)))) {
            assertThat(client.firewall()).isTrue();
            KvClient kv = new KvClient(client::invokeAsync);
            KvClient adminKv = new KvClient(admin::invokeAsync);
            for (int i = 0; i < 20; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i));
            assertThat(kv.get(Bytes.ofUtf8("k7"))).isEqualTo(Optional.of(Bytes.ofUtf8("v7")));

            // access control through the firewall
            adminKv.put(Bytes.ofUtf8("secret/x"), Bytes.ofUtf8("s3cret"));
            assertThatThrownBy(() -> kv.get(Bytes.ofUtf8("secret/x"))).isInstanceOfSatisfying(KvException.class,
                    e -> assertThat(e.code()).isEqualTo(KvErrorCode.PERMISSION_DENIED));
            assertThatThrownBy(() -> kv.put(Bytes.ofUtf8("secret/x"), Bytes.ofUtf8("overwritten"))).isInstanceOf(KvException.class);
            assertThat(adminKv.get(Bytes.ofUtf8("secret/x"))).isEqualTo(Optional.of(Bytes.ofUtf8("s3cret")));

            // an execution node stops after checkpoints were taken, and comes back from its checkpoint and its logged shares
            int exec = config.executionNodeIds()[1];
            Path checkpoints = tmp.resolve("data/node-" + exec + "/checkpoints");
            await(() -> {
                try (var files = Files.list(checkpoints)) {
                    return files.count() == 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 10, "checkpoint files");
            hosts[exec].stop();
            hosts[exec] = null;
            int filter = config.filterRow(0)[0];
            hosts[filter].stop();
            hosts[filter] = null;
            for (int i = 20; i < 30; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i)); // g = 1, h = 1: the others suffice

            hosts[exec] = startNode(config, exec);
            long recovered = hosts[exec].nextSlot();
            assertThat(recovered).isGreaterThan(0);
            ReplyShareCheck shares = hosts[exec].inspect(c -> {
                var n = ((ExecutionCore) c).node();
                return new ReplyShareCheck(n.retainedShares(), n.retainedShare(recovered - 1) != null);
            }).get(10, TimeUnit.SECONDS);
            assertThat(shares.retained()).as("shares recovered from the log").isPositive();
            assertThat(shares.ofCheckpointSlot()).as("the share of the checkpoint's own slot").isTrue();
            hosts[filter] = startNode(config, filter);
            for (int i = 30; i < 40; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i));
            long target = hosts[config.executionNodeIds()[0]].nextSlot();
            await(() -> hosts[exec].nextSlot() >= target, 30, "the restarted execution node to catch up to " + target);
            await(() -> hosts[filter].nextSlot() >= target, 30, "the restarted filter to catch up to " + target);
            assertThat(kv.get(Bytes.ofUtf8("k25"))).isEqualTo(Optional.of(Bytes.ofUtf8("v25")));
        }
        for (NodeHost h : hosts) {
            assertThat(h.metrics().coreErrors()).as("%s core errors", h.info()).isZero();
            assertThat(h.metrics().malformedFrames()).isZero();
            assertThat(h.transport().stats().topologyDroppedOut() + h.transport().stats().topologyDroppedIn()
                    + h.transport().stats().topologyRefusedConnections()).as("%s: traffic across the topology", h.info()).isZero();
        }
        // the execution nodes never had a client connected
        for (int e : config.executionNodeIds()) assertThat(hosts[e].transport().connectedClients()).isZero();
    }

    private record ReplyShareCheck(int retained, boolean ofCheckpointSlot) {}

    @Test
    void anExecutionNodeWhoseCheckpointsCarryFewerRecentRepliesThanTheOrderingWindowIsRefused() throws Exception {
        ClusterConfig config = TestClusters.createFirewall(tmp.resolve("cluster"), 0, 0, 1, 1, 3, 512);
        int exec = config.executionNodeIds()[0];
        NodeHost.Options o = NodeHost.Options.defaults().withFab(FabConfig.defaults(0, 0).withFirewallExecutionWindow(16))
                .withExecution(ExecutionConfig.defaults().withRecentReplySlots(8));
        assertThatThrownBy(() -> NodeHost.open(config, exec, tmp.resolve("data/node-" + exec), o))
                .isInstanceOf(io.bulwark.runtime.config.ConfigException.class)
                .hasMessageContaining("recentReplySlots (8)").hasMessageContaining("firewallExecutionWindowSlots (16)");
    }
}
