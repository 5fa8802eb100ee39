package io.bulwark.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.client.firewall.FirewallFixture;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BulwarkClient} behind a privacy firewall: builder, sealed operations, certified and opened results. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BulwarkClientFirewallTest {
    /** Agreement nodes 0..3, execution nodes 4, 5, 6, filters row 0: 7, 8; row 1: 9, 10. */
    static final ClusterSpec FIREWALL = new ClusterSpec(1, 0, 1, 1);
    static final long CLIENT = 7;

    private final Bytes secret = Ed25519Keys.generateSecretKey(new Random(7));
    private final Signer signer = Ed25519Keys.signer(Principal.client(CLIENT), secret);
    private final PublicKeyDirectory keys =
            new PublicKeyDirectory(Map.of(Principal.client(CLIENT), Ed25519Keys.publicKeyOf(secret)));
    private final FirewallFixture fx = new FirewallFixture(FIREWALL, CLIENT);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    private FakeFirewallCluster cluster() {
        FakeFirewallCluster c = new FakeFirewallCluster(FIREWALL, keys, fx);
        toClose.add(c);
        return c;
    }

    private BulwarkClient.Builder builder(FakeFirewallCluster transport) {
        return BulwarkClient.builder()
                .clusterSpec(FIREWALL)
                .clientId(CLIENT)
                .signer(signer)
                .transport(transport)
                .seal(fx.clientSeal)
                .executionKey(fx.executionKey)
                .retransmitAfter(Duration.ofMillis(50))
                .callTimeout(Duration.ofSeconds(10));
    }

    private BulwarkClient client(BulwarkClient.Builder b) {
        BulwarkClient c = b.build();
        toClose.add(c);
        return c;
    }

    @Test
    void invokeReturnsTheOpenedResultOfAThresholdCertifiedReplyAndForgeriesCountForNothing() {
        FakeFirewallCluster cluster = cluster();
        cluster.noisy = true; // forged plain replies and a broken certificate arrive before each good one
        BulwarkClient client = client(builder(cluster));
        assertThat(client.firewall()).isTrue();
        assertThat(client.invoke(Bytes.ofUtf8("hello"))).isEqualTo(Bytes.ofUtf8("ok:hello"));
        BulwarkClient.Result r = client.invokeWithSlot(Bytes.ofUtf8("secret plan"));
        assertThat(r.result()).isEqualTo(Bytes.ofUtf8("ok:secret plan"));
        assertThat(r.slot()).isEqualTo(2);
        assertThat(cluster.badSignatures).hasValue(0);
        // The agreement nodes only ever saw sealed bodies.
        assertThat(cluster.orderedBodies).isNotEmpty().allSatisfy(body -> {
            assertThat(body.toUtf8()).doesNotContain("hello", "secret", "plan");
            assertThat(body.length()).isGreaterThanOrEqualTo(ClientSeal.TAG_BYTES + 5);
        });
    }

    @Test
    void aLostCertificateIsFetchedAgainFromRow0ByTheRetransmission() {
        FakeFirewallCluster cluster = cluster();
        cluster.dropCertificates.set(1);
        BulwarkClient client = client(builder(cluster));
        assertThat(client.invoke(Bytes.ofUtf8("x"))).isEqualTo(Bytes.ofUtf8("ok:x"));
        assertThat(cluster.resentByRow0.get()).isPositive();
        Set<Long> reached = new HashSet<>();
        cluster.recipients.forEach(p -> reached.add(p.id()));
        assertThat(reached).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 7L, 8L); // agreement nodes and row 0 only
    }

    @Test
    void thePeersIncludeRow0AndTheOperationLimitLeavesRoomForTheSeal() {
        FakeFirewallCluster cluster = cluster();
        BulwarkClient client = client(builder(cluster));
        assertThat(client.peers()).containsExactly(0, 1, 2, 3, 7, 8);
        assertThat(client.repliers()).containsExactly(7, 8);
        assertThat(client.maxOperationBytes()).isEqualTo(WireLimits.OPERATION_BYTES_MAX - ClientSeal.TAG_BYTES);
        Bytes tooBig = Bytes.wrapOwned(new byte[client.maxOperationBytes() + 1]);
        assertThatThrownBy(() -> client.invokeAsync(tooBig)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderRequiresTheSealAndTheKeyBehindAFirewallAndRefusesThemElsewhere() {
        FakeFirewallCluster cluster = cluster();
        assertThatThrownBy(() -> BulwarkClient.builder().clusterSpec(FIREWALL).signer(signer).transport(cluster)
                .executionKey(fx.executionKey).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("seal is required");
        assertThatThrownBy(() -> BulwarkClient.builder().clusterSpec(FIREWALL).signer(signer).transport(cluster)
                .seal(fx.clientSeal).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("executionKey is required");
        assertThatThrownBy(() -> builder(cluster).clusterSpec(new ClusterSpec(1, 1, 1, -1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no");
        assertThatThrownBy(() -> builder(cluster).seal(new FirewallFixture(FIREWALL, 8).clientSeal).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("client-8");
    }
}
