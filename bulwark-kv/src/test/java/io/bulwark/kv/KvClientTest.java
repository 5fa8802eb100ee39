package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The typed client over a local state machine standing in for the replicated service. */
class KvClientTest {

    private static Bytes b(String s) {
        return Bytes.ofUtf8(s);
    }

    /** An invoker that executes locally and counts calls. */
    private static final class LocalInvoker implements Invoker {
        final KvStateMachine sm;
        final long clientId;
        final AtomicInteger calls = new AtomicInteger();

        LocalInvoker(KvStateMachine sm, long clientId) {
            this.sm = sm;
            this.clientId = clientId;
        }

        @Override
        public CompletableFuture<Bytes> invokeAsync(Bytes operation) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(sm.execute(clientId, operation, 0));
        }
    }

    @Test
    void typedOperationsMapToTheStore() {
        KvClient kv = new KvClient(new LocalInvoker(new KvStateMachine(), 1));
        assertThat(kv.get(b("k"))).isEmpty();
        kv.put(b("k"), b("v"));
        assertThat(kv.get(b("k"))).contains(b("v"));
        assertThat(kv.compareAndSet(b("k"), b("x"), b("y"))).isEqualTo(KvResult.CasResult.of(false, b("v")));
        assertThat(kv.compareAndSet(b("k"), b("v"), b("w")).success()).isTrue();
        assertThat(kv.get(b("k"))).contains(b("w"));
        assertThat(kv.delete(b("k"))).isTrue();
        assertThat(kv.delete(b("k"))).isFalse();
        assertThat(kv.compareAndSet(b("k"), null, b("fresh")).success()).isTrue();
    }

    @Test
    void asyncVariantsComplete() throws Exception {
        KvClient kv = new KvClient(new LocalInvoker(new KvStateMachine(), 1));
        kv.putAsync(b("a"), b("1")).get();
        kv.putAsync(b("b"), b("2")).get();
        assertThat(kv.getAsync(b("a")).get()).contains(b("1"));
        assertThat(kv.compareAndSetAsync(b("a"), b("1"), null).get().success()).isTrue();
        assertThat(kv.deleteAsync(b("a")).get()).isFalse();
        assertThat(kv.scanAsync(Bytes.EMPTY, null, 10).get()).containsExactly(Map.entry(b("b"), b("2")));
        assertThat(kv.scanPageAsync(Bytes.EMPTY, null, 10).get().truncated()).isFalse();
    }

    @Test
    void storeErrorsBecomeKvExceptionsWithTheirCode() {
        AccessPolicy readOnly = new AccessPolicy() {
            @Override
            public boolean canRead(long clientId, Bytes key) {
                return true;
            }

            @Override
            public boolean canWrite(long clientId, Bytes key) {
                return false;
            }
        };
        KvClient kv = new KvClient(new LocalInvoker(new KvStateMachine(KvConfig.DEFAULTS, readOnly), 1));
        assertThatThrownBy(() -> kv.put(b("k"), b("v")))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.PERMISSION_DENIED));
        assertThatThrownBy(() -> kv.putAsync(b("k"), b("v")).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.PERMISSION_DENIED));
        assertThat(kv.get(b("k"))).isEmpty();

        KvClient full = new KvClient(new LocalInvoker(
                new KvStateMachine(KvConfig.DEFAULTS.withMaxStoreBytes(10), AccessPolicy.ALLOW_ALL), 1));
        assertThatThrownBy(() -> full.put(b("k"), b("v")))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.STORE_FULL));
        // execute() returns errors as values
        assertThat(full.execute(new KvOperation.Put(b("k"), b("v")))).isInstanceOf(KvResult.Error.class);
    }

    @Test
    void badRepliesBecomeUnexpectedReply() {
        KvClient garbage = new KvClient(op -> CompletableFuture.completedFuture(Bytes.fromHex("ff")));
        assertThatThrownBy(() -> garbage.get(b("k")))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.UNEXPECTED_REPLY));
        KvClient wrongType = new KvClient(op -> CompletableFuture.completedFuture(KvResult.OK.encode()));
        assertThatThrownBy(() -> wrongType.get(b("k")))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.UNEXPECTED_REPLY));
        assertThatThrownBy(() -> wrongType.delete(b("k"))).isInstanceOf(KvException.class);
    }

    @Test
    void invokerFailuresPassThroughUnwrapped() {
        IllegalStateException boom = new IllegalStateException("gave up");
        KvClient kv = new KvClient(op -> CompletableFuture.failedFuture(boom));
        assertThatThrownBy(() -> kv.get(b("k"))).isSameAs(boom);
        assertThatThrownBy(() -> kv.scan(Bytes.EMPTY, null, 5)).isSameAs(boom);
    }

    @Test
    void invalidArgumentsFailBeforeSending() {
        LocalInvoker inv = new LocalInvoker(new KvStateMachine(), 1);
        KvClient kv = new KvClient(inv);
        assertThatThrownBy(() -> kv.put(Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX + 1]), b("v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.scan(b("b"), b("a"), 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kv.scan(b("a"), null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(inv.calls).hasValue(0);
    }

    @Test
    void scanFollowsTruncatedPagesUpToTheLimit() {
        // budget fits two one-byte entries per page (10 bytes each)
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxScanResultBytes(20), AccessPolicy.ALLOW_ALL);
        LocalInvoker inv = new LocalInvoker(sm, 1);
        KvClient kv = new KvClient(inv);
        List<Map.Entry<Bytes, Bytes>> expected = new ArrayList<>();
        for (char c = 'a'; c <= 'g'; c++) {
            kv.put(b(String.valueOf(c)), b(String.valueOf(c)));
            expected.add(Map.entry(b(String.valueOf(c)), b(String.valueOf(c))));
        }
        inv.calls.set(0);
        assertThat(kv.scan(Bytes.EMPTY, null, 100)).isEqualTo(expected);
        assertThat(inv.calls).hasValue(4); // ab cd ef g
        inv.calls.set(0);
        assertThat(kv.scan(b("b"), b("f"), 3)).isEqualTo(expected.subList(1, 4));
        assertThat(inv.calls).hasValue(2);
        assertThat(kv.scanPage(Bytes.EMPTY, null, 100).entries()).hasSize(2);
        assertThat(kv.scanPage(Bytes.EMPTY, null, 100).truncated()).isTrue();
    }

    @Test
    void scanContinuesPastAMaximalLengthKey() {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxScanResultBytes(1), AccessPolicy.ALLOW_ALL);
        KvClient kv = new KvClient(new LocalInvoker(sm, 1));
        byte[] longest = new byte[KvLimits.KEY_BYTES_MAX];
        java.util.Arrays.fill(longest, (byte) 0xff);
        kv.put(Bytes.wrapOwned(longest.clone()), b("1"));
        kv.put(b("a"), b("2"));
        assertThat(kv.scan(Bytes.EMPTY, null, 10)).extracting(Map.Entry::getValue).containsExactly(b("2"), b("1"));
    }

    @Test
    void blockingInvokeUnwrapsTheCause() {
        Invoker failing = op -> CompletableFuture.failedFuture(new KvException(KvErrorCode.STORE_FULL, "x"));
        assertThatThrownBy(() -> failing.invoke(Bytes.EMPTY)).isInstanceOf(KvException.class);
        Invoker ok = op -> CompletableFuture.completedFuture(op);
        assertThat(ok.invoke(b("echo"))).isEqualTo(b("echo"));
    }
}
