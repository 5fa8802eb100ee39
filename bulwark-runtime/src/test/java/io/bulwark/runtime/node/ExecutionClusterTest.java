package io.bulwark.runtime.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.agreement.FabConfig;
import io.bulwark.client.BulwarkClient;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.execution.ExecutionConfig;
import io.bulwark.kv.KvClient;
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
 * The separated architecture on real processes' worth of hosts: six agreement nodes and three
 * execution nodes running the key-value store, a {@link KvClient} over the real client library
 * and transport, and an execution node restarted from its checkpoint files.
 */
class ExecutionClusterTest {
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
                .withFab(FabConfig.defaults(1, 1).withWindows(8, 512, 8, 32, 1024))
                .withExecution(ExecutionConfig.defaults().withCheckpointInterval(8));
        NodeHost h = NodeHost.open(config, i, tmp.resolve("data/node-" + i), o);
        h.start();
        return h;
    }

    private static void await(BooleanSupplier condition, long seconds, String what) throws InterruptedException {
        Awaitility.await(what).atMost(seconds, TimeUnit.SECONDS).until(condition::getAsBoolean);
    }

    @Test
    void keyValueStoreOverTheSeparatedClusterSurvivesAnExecutionNodeRestart() throws Exception {
        ClusterConfig config = TestClusters.create(tmp.resolve("cluster"), 1, 1, 1, 1);
        hosts = new NodeHost[config.nodes().size()];
        for (int i = 0; i < hosts.length; i++) hosts[i] = startNode(config, i);
        try (BulwarkClient client = ClusterClients.connect(config, 0, null, b -> b.callTimeout(Duration.ofSeconds(15)))) {
            KvClient kv = new KvClient(client::invokeAsync);
            for (int i = 0; i < 30; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i));
            assertThat(kv.get(Bytes.ofUtf8("k7"))).isEqualTo(Optional.of(Bytes.ofUtf8("v7")));

            int exec = config.executionNodeIds()[1];
            Path checkpoints = tmp.resolve("data/node-" + exec + "/checkpoints");
            await(() -> {
                try (var files = Files.list(checkpoints)) {
                    return files.count() == 2; // the newest two are kept
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 10, "checkpoint files");
            long before = hosts[exec].nextSlot();
            hosts[exec].stop();
            hosts[exec] = null;
            for (int i = 30; i < 40; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i)); // g = 1: two of three suffice

            hosts[exec] = startNode(config, exec);
            long recovered = hosts[exec].nextSlot();
            assertThat(recovered).isGreaterThan(0).isLessThanOrEqualTo(before); // from its latest checkpoint file
            for (int i = 40; i < 45; i++) kv.put(Bytes.ofUtf8("k" + i), Bytes.ofUtf8("v" + i));
            long target = hosts[config.executionNodeIds()[0]].nextSlot();
            await(() -> hosts[exec].nextSlot() >= target, 20, "the restarted execution node to catch up to " + target);
            assertThat(kv.get(Bytes.ofUtf8("k35"))).isEqualTo(Optional.of(Bytes.ofUtf8("v35")));
        }
        for (NodeHost h : hosts) {
            assertThat(h.metrics().coreErrors()).isZero();
            assertThat(h.metrics().malformedFrames()).isZero();
        }
    }
}
