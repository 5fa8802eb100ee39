package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The access-control audit of {@link KvStateMachine}: per-client quotas instead of a global limit,
 * refunds only where the writer can see them, blind writes charged in full, refusals that do not
 * depend on what the refused key holds.
 */
class KvAccessControlTest {
    /** 1: everything. 2: reads pub/ and own2/, writes own2/ and the drop box drop/. Others: read pub/. */
    static final PrefixAccessPolicy POLICY = PrefixAccessPolicy.parse("""
            client 1 read *
            client 1 write *
            client 2 read pub/ own2/
            client 2 write own2/ drop/
            default read pub/
            """);
    static final long ENTRY = KvStateMachine.ENTRY_OVERHEAD_BYTES + 6 + 2; // key "own2/x"-sized, value of 2

    private static Bytes b(String s) {
        return Bytes.ofUtf8(s);
    }

    private static KvStateMachine store(long quota) {
        return new KvStateMachine(KvConfig.DEFAULTS.withMaxClientBytes(quota), POLICY);
    }

    private static Bytes run(KvStateMachine sm, long client, KvOperation op) {
        return sm.execute(client, op.encode(), 0);
    }

    private static KvResult result(KvStateMachine sm, long client, KvOperation op) throws Exception {
        return KvResult.decode(run(sm, client, op));
    }

    private static KvErrorCode code(KvResult r) {
        assertThat(r).isInstanceOf(KvResult.Error.class);
        return ((KvResult.Error) r).code();
    }

    @Test
    void writesBeyondTheClientsQuotaAreRefusedWithNoEffect() throws Exception {
        KvStateMachine sm = store(2 * ENTRY);
        assertThat(result(sm, 2, new KvOperation.Put(b("own2/a"), b("vv")))).isEqualTo(KvResult.OK);
        assertThat(result(sm, 2, new KvOperation.Put(b("own2/b"), b("vv")))).isEqualTo(KvResult.OK);
        assertThat(sm.accountBytes(2)).isEqualTo(2 * ENTRY);
        var before = sm.snapshot();
        assertThat(code(result(sm, 2, new KvOperation.Put(b("own2/c"), Bytes.EMPTY)))).isEqualTo(KvErrorCode.QUOTA_EXCEEDED);
        assertThat(code(result(sm, 2, new KvOperation.Put(b("own2/a"), b("vvv"))))).isEqualTo(KvErrorCode.QUOTA_EXCEEDED);
        assertThat(code(result(sm, 2, new KvOperation.CompareAndSet(b("own2/c"), null, Bytes.EMPTY)))).isEqualTo(KvErrorCode.QUOTA_EXCEEDED);
        assertThat(code(result(sm, 2, new KvOperation.Put(b("drop/1"), Bytes.EMPTY)))).isEqualTo(KvErrorCode.QUOTA_EXCEEDED);
        assertThat(sm.snapshot()).isEqualTo(before);
        // Another client's quota is its own: client 1 is not affected by client 2's account.
        assertThat(result(sm, 1, new KvOperation.Put(b("x/1"), b("vv")))).isEqualTo(KvResult.OK);
        // Overwriting or deleting its own readable entries gives client 2 room again.
        assertThat(result(sm, 2, new KvOperation.Put(b("own2/a"), b("v")))).isEqualTo(KvResult.OK);
        assertThat(sm.accountBytes(2)).isEqualTo(2 * ENTRY - 1);
        assertThat(result(sm, 2, new KvOperation.Delete(b("own2/b")))).isEqualTo(new KvResult.Deleted(true));
        assertThat(sm.accountBytes(2)).isEqualTo(ENTRY - 1);
        assertThat(result(sm, 2, new KvOperation.CompareAndSet(b("own2/a"), b("v"), null))).isEqualTo(KvResult.CasResult.of(true, null));
        assertThat(sm.accountBytes(2)).isZero();
        assertThat(sm.storeBytes()).isEqualTo(sm.accountBytes(1));
    }

    @Test
    void aBlindWriteIsChargedInFullWhateverTheKeyHoldsAndNeverRefunded() throws Exception {
        // Two stores that differ only in drop/x, which client 2 may write but not read.
        KvStateMachine empty = store(10 * ENTRY);
        KvStateMachine full = store(10 * ENTRY);
        run(full, 1, new KvOperation.Put(b("drop/x"), b("a long secret value, longer than client 2's")));
        KvStateMachine same = store(10 * ENTRY);
        run(same, 2, new KvOperation.Put(b("drop/x"), b("hi")));
        for (KvStateMachine sm : List.of(empty, full, same)) {
            long before = sm.accountBytes(2);
            assertThat(result(sm, 2, new KvOperation.Put(b("drop/x"), b("hi")))).isEqualTo(KvResult.OK);
            // The whole new entry, even where it replaced an identical value client 2 wrote itself.
            assertThat(sm.accountBytes(2) - before).isEqualTo(KvStateMachine.entryBytes(b("drop/x"), b("hi")));
        }
        assertThat(full.snapshot()).isEqualTo(empty.snapshot()); // the secret is gone, overwritten blind
        // Client 1 (who can read the drop box) empties it: client 2 cannot see that, so no refund.
        long charged = same.accountBytes(2);
        assertThat(result(same, 1, new KvOperation.Delete(b("drop/x")))).isEqualTo(new KvResult.Deleted(true));
        assertThat(same.accountBytes(2)).isEqualTo(charged); // the drop box costs client 2 for good
    }

    @Test
    void aWriterWhoCanReadItsEntryIsRefundedWhoeverRemovesIt() throws Exception {
        KvStateMachine sm = store(10 * ENTRY);
        run(sm, 2, new KvOperation.Put(b("own2/a"), b("vv")));
        assertThat(sm.accountBytes(2)).isEqualTo(ENTRY);
        run(sm, 1, new KvOperation.Put(b("own2/a"), b("123"))); // client 1 overwrites it: now 1's entry
        assertThat(sm.accountBytes(2)).isZero();
        assertThat(sm.accountBytes(1)).isEqualTo(ENTRY + 1);
        run(sm, 2, new KvOperation.Put(b("own2/a"), b("vv"))); // and back: 1 can read it, so 1 is refunded
        assertThat(sm.accountBytes(1)).isZero();
        assertThat(sm.accountBytes(2)).isEqualTo(ENTRY);
        run(sm, 1, new KvOperation.Delete(b("own2/a")));
        assertThat(sm.accountBytes(2)).isZero();
    }

    @Test
    void refusalsOfUnreadableKeysDoNotDependOnWhatTheyHold() {
        KvStateMachine absent = store(10 * ENTRY);
        KvStateMachine present = store(10 * ENTRY);
        run(present, 1, new KvOperation.Put(b("drop/x"), b("secret")));
        run(present, 1, new KvOperation.Put(b("secret/y"), b("secret")));
        for (KvOperation op : List.of(
                new KvOperation.Get(b("drop/x")), new KvOperation.Delete(b("drop/x")),
                new KvOperation.CompareAndSet(b("drop/x"), b("secret"), b("z")), new KvOperation.CompareAndSet(b("drop/x"), null, null),
                new KvOperation.Get(b("secret/y")), new KvOperation.Put(b("secret/y"), b("z")), new KvOperation.Delete(b("secret/y")),
                new KvOperation.Scan(Bytes.EMPTY, null, 100), new KvOperation.Scan(b("drop/"), b("drop0"), 1))) {
            assertThat(run(present, 2, op)).as(op.toString()).isEqualTo(run(absent, 2, op));
        }
    }

    @Test
    void theGlobalCapIsTheOneLimitThatCountsOtherClientsKeysSoTheStoreRefusesToMakeItReachable() throws Exception {
        // What would go wrong: a reachable global cap answers client 2 according to client 1's secrets.
        AccessPolicy unbounded = PrefixAccessPolicy.parse(POLICY.toText() + "default write pub/\n");
        assertThat(unbounded.writers()).isEmpty();
        KvConfig tight = KvConfig.DEFAULTS.withMaxStoreBytes(3 * ENTRY).withMaxClientBytes(3 * ENTRY);
        KvStateMachine quiet = new KvStateMachine(tight, unbounded);
        KvStateMachine busy = new KvStateMachine(tight, unbounded);
        run(busy, 1, new KvOperation.Put(b("secret/1"), b("vv")));
        run(busy, 1, new KvOperation.Put(b("secret/2"), b("vv")));
        KvOperation.Put put = new KvOperation.Put(b("own2/a"), b("vvvvvvvvvv"));
        assertThat(result(quiet, 2, put)).isEqualTo(KvResult.OK);
        assertThat(code(result(busy, 2, put))).isEqualTo(KvErrorCode.STORE_FULL);

        // So with a policy that bounds its writers (1 and 2 here), the store insists the cap cannot be reached.
        assertThat(POLICY.writers()).hasValue(2);
        assertThatThrownBy(() -> new KvStateMachine(tight, POLICY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 clients may write")
                .hasMessageContaining("at most " + (3 * ENTRY / 2));
        assertThatThrownBy(() -> new KvStateMachine(KvConfig.DEFAULTS, POLICY)).isInstanceOf(IllegalArgumentException.class);
        new KvStateMachine(tight.withMaxClientBytes(3 * ENTRY / 2), POLICY);
        new KvStateMachine(KvConfig.DEFAULTS.withMaxClientBytes(KvConfig.DEFAULT_MAX_STORE_BYTES / 2), POLICY);
        new KvStateMachine(KvConfig.DEFAULTS, AccessPolicy.ALLOW_ALL); // everyone reads everything: nothing to leak
    }

    @Test
    void theDefaultConfigurationAndAllowAllBehaveAsBefore() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        assertThat(sm.config().maxClientBytes()).isEqualTo(sm.config().maxStoreBytes());
        run(sm, 5, new KvOperation.Put(b("k"), b("v")));
        run(sm, 6, new KvOperation.Put(b("k"), b("w"))); // everyone can read: 5 is refunded
        assertThat(sm.accountBytes(5)).isZero();
        assertThat(sm.accountBytes(6)).isEqualTo(sm.storeBytes());
        assertThat(new KvConfig(100, 10)).isEqualTo(new KvConfig(100, 10, 100));
        assertThatThrownBy(() -> KvConfig.DEFAULTS.withMaxClientBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvConfig.DEFAULTS.withMaxClientBytes(KvConfig.MAX_STORE_BYTES_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
