package io.bulwark.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BulwarkClientTest {
    /** Agreement nodes 0..5, execution nodes 6, 7, 8 (g = 1: a certificate is 2 matching replies). */
    static final ClusterSpec SEPARATED = new ClusterSpec(1, 1, 1, -1);
    static final long CLIENT = 7;

    private final Bytes secret = Ed25519Keys.generateSecretKey(new Random(7));
    private final Signer signer = Ed25519Keys.signer(Principal.client(CLIENT), secret);
    private final PublicKeyDirectory keys =
            new PublicKeyDirectory(Map.of(Principal.client(CLIENT), Ed25519Keys.publicKeyOf(secret)));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose) c.close();
    }

    private FakeCluster cluster(ClusterSpec spec, Integer... byzantine) {
        FakeCluster c = new FakeCluster(spec, keys, Set.of(byzantine));
        toClose.add(c);
        return c;
    }

    private BulwarkClient.Builder builder(ClusterSpec spec, FakeCluster transport) {
        return BulwarkClient.builder()
                .clusterSpec(spec)
                .clientId(CLIENT)
                .signer(signer)
                .transport(transport)
                .retransmitAfter(Duration.ofMillis(50))
                .callTimeout(Duration.ofSeconds(10));
    }

    private BulwarkClient client(BulwarkClient.Builder b) {
        BulwarkClient c = b.build();
        toClose.add(c);
        return c;
    }

    @Test
    void invokeReturnsTheCertifiedResultDespiteAByzantineExecutionNode() {
        FakeCluster cluster = cluster(SEPARATED, 6); // node 6 votes garbage first
        BulwarkClient client = client(builder(SEPARATED, cluster));
        assertThat(client.invoke(Bytes.ofUtf8("hello"))).isEqualTo(Bytes.ofUtf8("ok:hello"));
        BulwarkClient.Result r = client.invokeWithSlot(Bytes.ofUtf8("again"));
        assertThat(r.result()).isEqualTo(Bytes.ofUtf8("ok:again"));
        assertThat(r.slot()).isEqualTo(1);
        assertThat(r.latency()).isPositive();
        assertThat(cluster.badSignatures).hasValue(0);
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void agreementOnlyClusterCertifiesWithFPlusOneAgreementReplies() {
        ClusterSpec spec = ClusterSpec.agreementOnly(1, 1);
        FakeCluster cluster = cluster(spec, 0);
        BulwarkClient client = client(builder(spec, cluster));
        BulwarkClient.Result r = client.invokeWithSlot(Bytes.ofUtf8("x"));
        assertThat(r.result()).isEqualTo(Bytes.EMPTY);
        assertThat(r.slot()).isZero();
    }

    @Test
    void manyAsyncCallsCompleteInSubmissionOrderWithIncreasingTimestampsAndSlots() throws Exception {
        FakeCluster cluster = cluster(SEPARATED, 8);
        BulwarkClient client = client(builder(SEPARATED, cluster).initialTimestamp(1_000));
        int n = 200;
        List<Integer> completionOrder = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<BulwarkClient.Result>> results = new ArrayList<>();
        List<CompletableFuture<Bytes>> plain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            CompletableFuture<BulwarkClient.Result> f = client.invokeWithSlotAsync(Bytes.ofUtf8("op" + i));
            f.thenRun(() -> completionOrder.add(index));
            results.add(f);
            if (i % 10 == 0) plain.add(client.invokeAsync(Bytes.ofUtf8("plain" + i)));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        CompletableFuture.allOf(plain.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).get().result()).isEqualTo(Bytes.ofUtf8("ok:op" + i));
            if (i > 0) {
                assertThat(results.get(i).get().timestamp()).isGreaterThan(results.get(i - 1).get().timestamp());
                assertThat(results.get(i).get().slot()).isGreaterThan(results.get(i - 1).get().slot());
            }
        }
        assertThat(results.get(0).get().timestamp()).isEqualTo(1_000);
        for (int i = 0; i < plain.size(); i++) assertThat(plain.get(i).get()).isEqualTo(Bytes.ofUtf8("ok:plain" + i * 10));
        assertThat(completionOrder).containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());
    }

    @Test
    void lostRequestsAreRetransmittedToEveryNode() {
        FakeCluster cluster = cluster(SEPARATED);
        cluster.dropNext.set(1); // the send to the presumed leader is lost
        BulwarkClient client = client(builder(SEPARATED, cluster));
        assertThat(client.invoke(Bytes.ofUtf8("x"))).isEqualTo(Bytes.ofUtf8("ok:x"));
        Set<Long> reached = new HashSet<>();
        cluster.recipients.forEach(p -> reached.add(p.id()));
        assertThat(reached).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void aSilentClusterMakesInvokeThrowTimeoutWithinTheCallTimeout() {
        FakeCluster cluster = cluster(SEPARATED);
        cluster.silent = true;
        BulwarkClient client = client(builder(SEPARATED, cluster).callTimeout(Duration.ofMillis(300)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.invoke(Bytes.ofUtf8("anyone?")))
                .isInstanceOf(BulwarkTimeoutException.class)
                .isInstanceOf(BulwarkException.class)
                .hasMessageContaining("300 ms");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMs).isBetween(290L, 2_000L);
        Set<Long> reached = new HashSet<>();
        cluster.recipients.forEach(p -> reached.add(p.id()));
        assertThat(reached).hasSize(9); // it retransmitted to all agreement and execution nodes
        assertThat(client.pendingCalls()).isZero();
    }

    @Test
    void closeFailsPendingFuturesAndLaterCalls() throws Exception {
        FakeCluster cluster = cluster(SEPARATED);
        cluster.silent = true;
        BulwarkClient client = client(builder(SEPARATED, cluster));
        List<CompletableFuture<Bytes>> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) pending.add(client.invokeAsync(Bytes.ofUtf8("op" + i)));
        CompletableFuture<Bytes> blocked = CompletableFuture.supplyAsync(() -> client.invoke(Bytes.ofUtf8("blocking")));
        assertThat(cluster.firstSend.await(5, TimeUnit.SECONDS)).isTrue();
        client.close();
        for (CompletableFuture<Bytes> f : pending) {
            assertThatThrownBy(() -> f.get(2, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BulwarkClosedException.class);
        }
        assertThatThrownBy(() -> blocked.get(2, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BulwarkClosedException.class);
        assertThat(cluster.closed).isTrue();
        assertThat(client.isClosed()).isTrue();
        assertThatThrownBy(() -> client.invoke(Bytes.ofUtf8("late"))).isInstanceOf(BulwarkClosedException.class);
        CompletableFuture<Bytes> late = client.invokeAsync(Bytes.ofUtf8("late"));
        assertThat(late).isCompletedExceptionally();
        assertThatThrownBy(late::join).hasCauseInstanceOf(BulwarkClosedException.class);
        client.close(); // idempotent
    }

    @Test
    void submittingBeyondTheQueueBoundFailsFast() {
        FakeCluster cluster = cluster(SEPARATED);
        cluster.silent = true;
        BulwarkClient client = client(builder(SEPARATED, cluster).maxQueuedCalls(2));
        CompletableFuture<Bytes> a = client.invokeAsync(Bytes.ofUtf8("a"));
        CompletableFuture<Bytes> b = client.invokeAsync(Bytes.ofUtf8("b"));
        CompletableFuture<Bytes> c = client.invokeAsync(Bytes.ofUtf8("c"));
        assertThat(c).isCompletedExceptionally();
        assertThatThrownBy(c::join).hasCauseInstanceOf(BulwarkQueueFullException.class)
                .hasMessageContaining("maxQueuedCalls");
        assertThatThrownBy(() -> client.invoke(Bytes.ofUtf8("d"))).isInstanceOf(BulwarkQueueFullException.class);
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        assertThat(client.pendingCalls()).isEqualTo(2);
    }

    @Test
    void anOversizedOperationIsAnIllegalArgument() {
        FakeCluster cluster = cluster(SEPARATED);
        BulwarkClient client = client(builder(SEPARATED, cluster));
        Bytes big = Bytes.wrapOwned(new byte[WireLimits.OPERATION_BYTES_MAX + 1]);
        assertThatThrownBy(() -> client.invoke(big)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.invokeAsync(big)).isInstanceOf(IllegalArgumentException.class);
        assertThat(client.pendingCalls()).isZero();
        assertThat(client.invoke(Bytes.ofUtf8("small"))).isEqualTo(Bytes.ofUtf8("ok:small"));
    }

    @Test
    void futuresCompleteOnTheClientThreadWhereBlockingCallsAreRefused() throws Exception {
        FakeCluster cluster = cluster(SEPARATED);
        BulwarkClient client = client(builder(SEPARATED, cluster));
        // Hold the replies back until the callbacks are attached (the retransmission then gets through).
        cluster.silent = true;
        CompletableFuture<String> thread = client.invokeAsync(Bytes.ofUtf8("x"))
                .thenApply(r -> Thread.currentThread().getName());
        CompletableFuture<Bytes> nested = client.invokeAsync(Bytes.ofUtf8("y"))
                .thenApply(r -> client.invoke(Bytes.ofUtf8("z")));
        cluster.silent = false;
        assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("bulwark-client-7");
        assertThatThrownBy(() -> nested.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deadlock");
        // An async call from a callback is fine.
        Bytes chained = client.invokeAsync(Bytes.ofUtf8("p"))
                .thenCompose(r -> client.invokeAsync(Bytes.ofUtf8("q")))
                .get(5, TimeUnit.SECONDS);
        assertThat(chained).isEqualTo(Bytes.ofUtf8("ok:q"));
    }

    @Test
    void closingFromACallbackFailsTheRestWithoutDeadlock() throws Exception {
        FakeCluster cluster = cluster(SEPARATED);
        BulwarkClient client = client(builder(SEPARATED, cluster));
        cluster.silent = true;
        CompletableFuture<Bytes> first = client.invokeAsync(Bytes.ofUtf8("first"));
        CompletableFuture<Bytes> second = client.invokeAsync(Bytes.ofUtf8("second"));
        CompletableFuture<Void> closedFromCallback = first.thenRun(client::close);
        cluster.silent = false;
        closedFromCallback.get(5, TimeUnit.SECONDS);
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(Bytes.ofUtf8("ok:first"));
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BulwarkClosedException.class);
        assertThat(cluster.closed).isTrue();
    }

    @Test
    void builderValidates() {
        FakeCluster cluster = cluster(SEPARATED);
        assertThatThrownBy(() -> BulwarkClient.builder().signer(signer).transport(cluster).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("clusterSpec");
        assertThatThrownBy(() -> builder(SEPARATED, cluster).clientId(8).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signs as client-7");
        assertThatThrownBy(() -> builder(SEPARATED, cluster).callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        BulwarkClient defaulted = client(BulwarkClient.builder().clusterSpec(SEPARATED).signer(signer).transport(cluster));
        assertThat(defaulted.clientId()).isEqualTo(CLIENT);
        assertThat(defaulted.config().callTimeoutNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(10));
    }
}
