package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Semantics of every operation, errors, access control, size cap, snapshot and digest. */
class KvStateMachineTest {
    private static final long CLIENT = 7;

    private static Bytes b(String s) {
        return Bytes.ofUtf8(s);
    }

    private static KvResult run(KvStateMachine sm, KvOperation op) throws Exception {
        // through the byte interface, as an execution node calls it
        return KvResult.decode(sm.execute(CLIENT, op.encode(), 1000));
    }

    private static KvResult run(KvStateMachine sm, long client, KvOperation op) throws Exception {
        return KvResult.decode(sm.execute(client, op.encode(), 1000));
    }

    private static KvResult.Error error(KvResult r) {
        assertThat(r).isInstanceOf(KvResult.Error.class);
        return (KvResult.Error) r;
    }

    @Test
    void putThenGetThenOverwrite() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        assertThat(run(sm, new KvOperation.Get(b("k")))).isEqualTo(KvResult.Value.absent());
        assertThat(run(sm, new KvOperation.Put(b("k"), b("v1")))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Get(b("k")))).isEqualTo(KvResult.Value.of(b("v1")));
        assertThat(run(sm, new KvOperation.Put(b("k"), b("v2")))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Get(b("k")))).isEqualTo(KvResult.Value.of(b("v2")));
        assertThat(run(sm, new KvOperation.Put(b("e"), Bytes.EMPTY))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Get(b("e")))).isEqualTo(KvResult.Value.of(Bytes.EMPTY));
        assertThat(run(sm, new KvOperation.Put(Bytes.EMPTY, b("empty key")))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Get(Bytes.EMPTY))).isEqualTo(KvResult.Value.of(b("empty key")));
        assertThat(sm.size()).isEqualTo(3);
    }

    @Test
    void deleteReportsWhetherTheKeyExisted() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        assertThat(run(sm, new KvOperation.Delete(b("k")))).isEqualTo(new KvResult.Deleted(false));
        run(sm, new KvOperation.Put(b("k"), b("v")));
        assertThat(run(sm, new KvOperation.Delete(b("k")))).isEqualTo(new KvResult.Deleted(true));
        assertThat(run(sm, new KvOperation.Get(b("k")))).isEqualTo(KvResult.Value.absent());
        assertThat(run(sm, new KvOperation.Delete(b("k")))).isEqualTo(new KvResult.Deleted(false));
        assertThat(sm.size()).isZero();
        assertThat(sm.storeBytes()).isZero();
    }

    @Test
    void compareAndSetCoversAbsentPresentAndDelete() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        Bytes k = b("k");
        // create if absent
        assertThat(run(sm, new KvOperation.CompareAndSet(k, null, b("1")))).isEqualTo(KvResult.CasResult.of(true, b("1")));
        // create-if-absent again fails and reports the current value
        assertThat(run(sm, new KvOperation.CompareAndSet(k, null, b("x")))).isEqualTo(KvResult.CasResult.of(false, b("1")));
        // wrong expected value
        assertThat(run(sm, new KvOperation.CompareAndSet(k, b("0"), b("x")))).isEqualTo(KvResult.CasResult.of(false, b("1")));
        // right expected value
        assertThat(run(sm, new KvOperation.CompareAndSet(k, b("1"), b("2")))).isEqualTo(KvResult.CasResult.of(true, b("2")));
        // an empty value is not absent
        assertThat(run(sm, new KvOperation.CompareAndSet(k, Bytes.EMPTY, b("x")))).isEqualTo(KvResult.CasResult.of(false, b("2")));
        // delete by cas
        assertThat(run(sm, new KvOperation.CompareAndSet(k, b("2"), null))).isEqualTo(KvResult.CasResult.of(true, null));
        assertThat(run(sm, new KvOperation.Get(k))).isEqualTo(KvResult.Value.absent());
        // expected value on an absent key
        assertThat(run(sm, new KvOperation.CompareAndSet(k, b("2"), b("3")))).isEqualTo(KvResult.CasResult.of(false, null));
        // absent -> absent succeeds and changes nothing
        assertThat(run(sm, new KvOperation.CompareAndSet(k, null, null))).isEqualTo(KvResult.CasResult.of(true, null));
        assertThat(sm.size()).isZero();
    }

    private static KvStateMachine abcde(KvConfig config) throws Exception {
        KvStateMachine sm = new KvStateMachine(config, AccessPolicy.ALLOW_ALL);
        for (String k : List.of("a", "b", "c", "d", "e")) {
            run(sm, new KvOperation.Put(b(k), b(k.toUpperCase())));
        }
        return sm;
    }

    private static List<String> keys(KvResult r) {
        return ((KvResult.ScanResult) r).entries().stream().map(e -> e.getKey().toUtf8()).toList();
    }

    private static boolean truncated(KvResult r) {
        return ((KvResult.ScanResult) r).truncated();
    }

    @Test
    void scanReturnsARangeInKeyOrderWithLimitAndTruncation() throws Exception {
        KvStateMachine sm = abcde(KvConfig.DEFAULTS);
        KvResult all = run(sm, new KvOperation.Scan(Bytes.EMPTY, null, 100));
        assertThat(keys(all)).containsExactly("a", "b", "c", "d", "e");
        assertThat(truncated(all)).isFalse();
        assertThat(((KvResult.ScanResult) all).entries().getFirst()).isEqualTo(Map.entry(b("a"), b("A")));

        KvResult range = run(sm, new KvOperation.Scan(b("b"), b("d"), 100));
        assertThat(keys(range)).containsExactly("b", "c");
        assertThat(truncated(range)).isFalse();

        KvResult limited = run(sm, new KvOperation.Scan(b("b"), null, 2));
        assertThat(keys(limited)).containsExactly("b", "c");
        assertThat(truncated(limited)).isTrue();

        // exactly as many as the limit: not truncated
        KvResult exact = run(sm, new KvOperation.Scan(b("d"), null, 2));
        assertThat(keys(exact)).containsExactly("d", "e");
        assertThat(truncated(exact)).isFalse();

        assertThat(keys(run(sm, new KvOperation.Scan(b("c"), b("c"), 5)))).isEmpty();
        assertThat(keys(run(sm, new KvOperation.Scan(b("f"), null, 5)))).isEmpty();
        // bounds need not be keys
        assertThat(keys(run(sm, new KvOperation.Scan(b("a\0"), b("c\0"), 5)))).containsExactly("b", "c");
    }

    @Test
    void scanOrderIsUnsignedLexicographic() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        for (String hex : List.of("ff", "7f", "80", "00", "", "0000", "01")) {
            run(sm, new KvOperation.Put(Bytes.fromHex(hex), Bytes.EMPTY));
        }
        KvResult.ScanResult r = (KvResult.ScanResult) run(sm, new KvOperation.Scan(Bytes.EMPTY, null, 100));
        assertThat(r.entries().stream().map(e -> e.getKey().toHex()).toList())
                .containsExactly("", "00", "0000", "01", "7f", "80", "ff");
    }

    @Test
    void scanByteBudgetTruncatesButAlwaysReturnsOneEntry() throws Exception {
        // each entry costs 8 + 1 + 1 = 10 bytes; a budget of 25 fits two
        KvStateMachine sm = abcde(KvConfig.DEFAULTS.withMaxScanResultBytes(25));
        KvResult r = run(sm, new KvOperation.Scan(Bytes.EMPTY, null, 100));
        assertThat(keys(r)).containsExactly("a", "b");
        assertThat(truncated(r)).isTrue();

        KvStateMachine tiny = abcde(KvConfig.DEFAULTS.withMaxScanResultBytes(1));
        KvResult one = run(tiny, new KvOperation.Scan(b("e"), null, 100));
        assertThat(keys(one)).containsExactly("e");
        assertThat(truncated(one)).isFalse();
        KvResult first = run(tiny, new KvOperation.Scan(b("d"), null, 100));
        assertThat(keys(first)).containsExactly("d");
        assertThat(truncated(first)).isTrue();
    }

    @Test
    void aFullScanResultFitsInOneReply() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        Bytes big = Bytes.wrapOwned(new byte[300_000]);
        for (int i = 0; i < 8; i++) run(sm, new KvOperation.Put(b("k" + i), big));
        Bytes maxKey = Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX]);
        run(sm, new KvOperation.Put(maxKey, Bytes.wrapOwned(new byte[KvLimits.VALUE_BYTES_MAX])));
        Bytes page = sm.execute(CLIENT, new KvOperation.Scan(b("k"), null, 100).encode(), 0);
        assertThat(page.length()).isLessThanOrEqualTo(io.bulwark.core.message.WireLimits.RESULT_BYTES_MAX);
        KvResult.ScanResult r = (KvResult.ScanResult) KvResult.decode(page);
        assertThat(r.entries()).hasSize(3);
        assertThat(r.truncated()).isTrue();
        Bytes single = sm.execute(CLIENT, new KvOperation.Scan(Bytes.EMPTY, b("k"), 100).encode(), 0);
        assertThat(single.length()).isLessThanOrEqualTo(io.bulwark.core.message.WireLimits.RESULT_BYTES_MAX);
        assertThat(((KvResult.ScanResult) KvResult.decode(single)).entries()).hasSize(1);
    }

    @Test
    void malformedOperationsGetAnErrorAndChangeNothing() throws Exception {
        KvStateMachine sm = abcde(KvConfig.DEFAULTS);
        Digest before = sm.digest();
        for (String hex : List.of("", "01", "0109", "0102", "01020000", "0102000000016b00", "01ffffff", "0104000000016b02")) {
            KvResult.Error e = error(KvResult.decode(sm.execute(CLIENT, Bytes.fromHex(hex), 0)));
            assertThat(e.code()).as(hex).isEqualTo(KvErrorCode.MALFORMED_OPERATION);
            assertThat(e.message()).isNotEmpty();
        }
        assertThat(error(KvResult.decode(sm.execute(CLIENT, Bytes.fromHex("0202000000016b"), 0))).code())
                .isEqualTo(KvErrorCode.UNSUPPORTED_VERSION);
        assertThat(error(sm.apply(CLIENT, (Bytes) null)).code()).isEqualTo(KvErrorCode.MALFORMED_OPERATION);
        assertThat(sm.digest()).isEqualTo(before);
    }

    @Test
    void sameMalformedInputGivesTheSameResultBytesEverywhere() {
        Bytes garbage = Bytes.fromHex("0101000000ff00");
        assertThat(new KvStateMachine().execute(1, garbage, 0)).isEqualTo(new KvStateMachine().execute(2, garbage, 99));
    }

    // ------------------------------------------------------------------------------ size cap

    @Test
    void writesBeyondTheSizeCapAreRefusedAndShrinkingWritesAlwaysPass() throws Exception {
        // cap fits exactly two entries of (overhead + 1 + 10)
        long entry = KvStateMachine.ENTRY_OVERHEAD_BYTES + 1 + 10;
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxStoreBytes(2 * entry), AccessPolicy.ALLOW_ALL);
        Bytes ten = b("0123456789");
        assertThat(run(sm, new KvOperation.Put(b("a"), ten))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Put(b("b"), ten))).isEqualTo(KvResult.OK);
        assertThat(sm.storeBytes()).isEqualTo(2 * entry);
        Digest full = sm.digest();

        assertThat(error(run(sm, new KvOperation.Put(b("c"), Bytes.EMPTY))).code()).isEqualTo(KvErrorCode.STORE_FULL);
        assertThat(error(run(sm, new KvOperation.Put(b("a"), b("0123456789X")))).code()).isEqualTo(KvErrorCode.STORE_FULL);
        assertThat(error(run(sm, new KvOperation.CompareAndSet(b("c"), null, Bytes.EMPTY))).code()).isEqualTo(KvErrorCode.STORE_FULL);
        assertThat(sm.digest()).isEqualTo(full);
        assertThat(run(sm, new KvOperation.Get(b("c")))).isEqualTo(KvResult.Value.absent());

        // same-size overwrite, shrinking overwrite, delete: all fine
        assertThat(run(sm, new KvOperation.Put(b("a"), b("9876543210")))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Put(b("a"), b("short")))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.CompareAndSet(b("b"), ten, null))).isEqualTo(KvResult.CasResult.of(true, null));
        assertThat(sm.storeBytes()).isEqualTo(entry - 5);
        // and now there is room again
        assertThat(run(sm, new KvOperation.Put(b("c"), ten))).isEqualTo(KvResult.OK);
        assertThat(run(sm, new KvOperation.Delete(b("c")))).isEqualTo(new KvResult.Deleted(true));
        assertThat(sm.storeBytes()).isEqualTo(entry - 5);
    }

    @Test
    void aZeroCapStoreHoldsNothing() throws Exception {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS.withMaxStoreBytes(0), AccessPolicy.ALLOW_ALL);
        assertThat(error(run(sm, new KvOperation.Put(Bytes.EMPTY, Bytes.EMPTY))).code()).isEqualTo(KvErrorCode.STORE_FULL);
        assertThatThrownBy(() -> KvConfig.DEFAULTS.withMaxStoreBytes(KvConfig.MAX_STORE_BYTES_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvConfig.DEFAULTS.withMaxScanResultBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvConfig.DEFAULTS.withMaxScanResultBytes(KvConfig.MAX_SCAN_RESULT_BYTES_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------ access control

    /** Client 1 reads and writes everything; client 2 reads "pub/" and writes "drop/"; others nothing. */
    private static final AccessPolicy PREFIXES = new AccessPolicy() {
        @Override
        public boolean canRead(long clientId, Bytes key) {
            return clientId == 1 || (clientId == 2 && key.toUtf8().startsWith("pub/"));
        }

        @Override
        public boolean canWrite(long clientId, Bytes key) {
            return clientId == 1 || (clientId == 2 && key.toUtf8().startsWith("drop/"));
        }
    };

    @Test
    void accessPolicyIsCheckedPerOperationAndRefusalsHaveNoEffect() throws Exception {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS, PREFIXES);
        for (String k : List.of("drop/1", "pub/1", "secret/1")) {
            assertThat(run(sm, 1, new KvOperation.Put(b(k), b("v")))).isEqualTo(KvResult.OK);
        }
        // client 2: write-only on drop/
        assertThat(run(sm, 2, new KvOperation.Put(b("drop/2"), b("v")))).isEqualTo(KvResult.OK);
        Digest before = sm.digest();
        assertThat(error(run(sm, 2, new KvOperation.Get(b("drop/1")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);
        // delete and cas reveal existence/value, so they need read as well as write
        assertThat(error(run(sm, 2, new KvOperation.Delete(b("drop/1")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);
        assertThat(error(run(sm, 2, new KvOperation.CompareAndSet(b("drop/1"), null, b("x")))).code())
                .isEqualTo(KvErrorCode.PERMISSION_DENIED);
        // read-only on pub/
        assertThat(run(sm, 2, new KvOperation.Get(b("pub/1")))).isEqualTo(KvResult.Value.of(b("v")));
        assertThat(error(run(sm, 2, new KvOperation.Put(b("pub/1"), b("w")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);
        assertThat(error(run(sm, 2, new KvOperation.Delete(b("pub/1")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);
        // nothing on secret/
        assertThat(error(run(sm, 2, new KvOperation.Get(b("secret/1")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);
        assertThat(error(run(sm, 3, new KvOperation.Put(b("drop/9"), b("v")))).code()).isEqualTo(KvErrorCode.PERMISSION_DENIED);

        assertThat(sm.digest()).isEqualTo(before); // every refusal above had no effect

        assertThat(run(sm, 1, new KvOperation.Delete(b("drop/2")))).isEqualTo(new KvResult.Deleted(true));
        assertThat(sm.size()).isEqualTo(3);
        // Client 2 cannot see that its drop-box entry is gone, so its account keeps the charge.
        assertThat(sm.accountBytes(2)).isEqualTo(KvStateMachine.entryBytes(b("drop/2"), b("v")));
    }

    @Test
    void scansSkipUnreadableKeysAsIfTheyDidNotExist() throws Exception {
        KvStateMachine sm = new KvStateMachine(KvConfig.DEFAULTS, PREFIXES);
        for (String k : List.of("a", "pub/1", "pub/2", "q", "pub/3", "zz")) {
            run(sm, 1, new KvOperation.Put(b(k), b("v")));
        }
        run(sm, 1, new KvOperation.Put(b("pub/25"), b("v")));
        assertThat(keys(run(sm, 2, new KvOperation.Scan(Bytes.EMPTY, null, 100))))
                .containsExactly("pub/1", "pub/2", "pub/25", "pub/3");
        // the truncated flag only counts readable keys: nothing readable after pub/3
        KvResult tail = run(sm, 2, new KvOperation.Scan(b("pub/3"), null, 1));
        assertThat(keys(tail)).containsExactly("pub/3");
        assertThat(truncated(tail)).isFalse();
        KvResult head = run(sm, 2, new KvOperation.Scan(Bytes.EMPTY, null, 1));
        assertThat(keys(head)).containsExactly("pub/1");
        assertThat(truncated(head)).isTrue();
        assertThat(keys(run(sm, 3, new KvOperation.Scan(Bytes.EMPTY, null, 100)))).isEmpty();
        assertThat(keys(run(sm, 1, new KvOperation.Scan(Bytes.EMPTY, null, 100)))).hasSize(7);
    }

    // ------------------------------------------------------------------------------ snapshot / digest

    @Test
    void snapshotFormatIsExactlyAsDocumented() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        assertThat(sm.snapshot().toHex()).isEqualTo("02" + "00000000" + "00000000");
        run(sm, new KvOperation.Put(b("b"), b("2")));
        run(sm, new KvOperation.Put(b("a"), Bytes.EMPTY));
        String writer7 = "0000000000000007";
        assertThat(sm.snapshot().toHex()).isEqualTo("02" + "00000002"
                + "0000000161" + "00000000" + writer7
                + "0000000162" + "0000000132" + writer7
                + "00000001" + writer7 + String.format("%016x", 2 * 64 + 1 + 2));
    }

    @Test
    void snapshotRestoreGivesAnEqualStateAndDigest() throws Exception {
        KvStateMachine sm = abcde(KvConfig.DEFAULTS);
        run(sm, new KvOperation.Put(b("big"), Bytes.wrapOwned(new byte[200_000]))); // spans digest chunks
        Bytes snap = sm.snapshot();
        KvStateMachine other = new KvStateMachine();
        run(other, new KvOperation.Put(b("junk"), b("to be replaced")));
        other.restore(snap);
        assertThat(other.snapshot()).isEqualTo(snap);
        assertThat(other.digest()).isEqualTo(sm.digest());
        assertThat(other.digest()).isEqualTo(Digest.sha256(snap.toByteArray()));
        assertThat(other.storeBytes()).isEqualTo(sm.storeBytes());
        assertThat(other.size()).isEqualTo(sm.size());
        assertThat(run(other, new KvOperation.Get(b("junk")))).isEqualTo(KvResult.Value.absent());
        assertThat(run(other, new KvOperation.Get(b("c")))).isEqualTo(KvResult.Value.of(b("C")));
    }

    @Test
    void digestIsTheHashOfTheSnapshotAndTracksEveryChange() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        Digest empty = sm.digest();
        assertThat(empty).isEqualTo(Digest.sha256(sm.snapshot().toByteArray()));
        run(sm, new KvOperation.Put(b("k"), b("v")));
        Digest one = sm.digest();
        assertThat(one).isNotEqualTo(empty).isEqualTo(Digest.sha256(sm.snapshot().toByteArray()));
        run(sm, new KvOperation.Get(b("k")));
        assertThat(sm.digest()).isEqualTo(one);
        run(sm, new KvOperation.Put(b("k"), b("w")));
        assertThat(sm.digest()).isNotEqualTo(one).isEqualTo(Digest.sha256(sm.snapshot().toByteArray()));
        run(sm, new KvOperation.Put(b("k"), b("v")));
        assertThat(sm.digest()).isEqualTo(one);
        run(sm, new KvOperation.Delete(b("k")));
        assertThat(sm.digest()).isEqualTo(empty);
    }

    @Test
    void insertionOrderDoesNotMatter() throws Exception {
        KvStateMachine x = new KvStateMachine();
        KvStateMachine y = new KvStateMachine();
        List<String> keys = List.of("m", "a", "z", "b", "y");
        for (String k : keys) run(x, new KvOperation.Put(b(k), b(k)));
        for (String k : keys.reversed()) run(y, new KvOperation.Put(b(k), b(k)));
        run(y, new KvOperation.Put(b("extra"), b("1")));
        run(y, new KvOperation.Delete(b("extra")));
        assertThat(y.snapshot()).isEqualTo(x.snapshot());
        assertThat(y.digest()).isEqualTo(x.digest());
    }

    @Test
    void restoreRejectsGarbageAndLeavesTheStateAlone() throws Exception {
        KvStateMachine sm = abcde(KvConfig.DEFAULTS);
        Bytes good = sm.snapshot();
        Digest digest = sm.digest();
        String w1 = "0000000000000001";
        String a = "0000000161" + "00000000" + w1; // "a" -> "", written by client 1: 65 bytes
        String bb = "0000000162" + "00000000" + w1;
        String account1 = "00000001" + w1 + String.format("%016x", 130);
        List<String> garbage = List.of(
                "", "01" + "00000000", "03" + "00000000" + "00000000", "02", "020000", "02" + "00000001",
                "01" + "00000001" + "0000000161" + "00000000",          // version 1: no writers, no accounts
                "02" + "00000000",                                       // no account count
                "02" + "00000002" + bb + a + account1,                   // unsorted
                "02" + "00000002" + a + a + account1,                    // duplicate
                "02" + "00000001" + a + account1 + "00",                 // trailing byte
                "02" + "ffffffff",                                       // negative count
                "02" + "7fffffff" + a,                                   // count that cannot fit
                "02" + "00000001" + String.format("%08x", KvLimits.KEY_BYTES_MAX + 1),
                "02" + "00000001" + "0000000161" + String.format("%08x", KvLimits.VALUE_BYTES_MAX + 1),
                "02" + "00000001" + "0000000161" + "00000000" + "ffffffffffffffff" + "00000000", // negative writer
                "02" + "00000001" + a + "00000000",                      // client 1's entry charged to nobody
                "02" + "00000001" + a + "00000001" + w1 + String.format("%016x", 64), // account below its entries
                "02" + "00000000" + "00000001" + w1 + "0000000000000000",            // zero account
                "02" + "00000000" + "00000002" + "0000000000000002" + "0000000000000001" + w1 + "0000000000000001"); // unsorted accounts
        for (String hex : garbage) {
            assertThatThrownBy(() -> sm.restore(Bytes.fromHex(hex))).as(hex).isInstanceOf(IllegalArgumentException.class);
        }
        for (int n = 0; n < good.length(); n++) {
            Bytes prefix = Bytes.copyOf(good.toByteArray(), 0, n);
            assertThatThrownBy(() -> sm.restore(prefix)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(sm.snapshot()).isEqualTo(good);
        assertThat(sm.digest()).isEqualTo(digest);
        // An account may exceed its entries (blind writes are never refunded), and may belong to someone with none.
        sm.restore(Bytes.fromHex("02" + "00000001" + a + "00000002" + w1 + String.format("%016x", 500)
                + "0000000000000009" + "0000000000000001"));
        assertThat(sm.size()).isOne();
        assertThat(sm.accountBytes(1)).isEqualTo(500);
        assertThat(sm.accountBytes(9)).isOne();
        sm.restore(Bytes.fromHex("02" + "00000000" + "00000000"));
        assertThat(sm.size()).isZero();
        assertThat(sm.accountBytes(1)).isZero();
    }
}
