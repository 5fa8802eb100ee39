package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Non-interference of the key-value store under access control: for a client c and two stores S1,
 * S2 that differ only in keys c cannot read (their presence, values and writers) and in other
 * clients' accounts, any sequence of c's operations gives c identical result bytes on both, and
 * the part of the store c can see — its readable entries with their writers, and its own
 * account — evolves identically. Quotas are small so that refusals happen; scans have a small
 * byte budget so that truncation happens. (The global size cap is set out of reach, as the store
 * requires when the policy bounds its writers: it is the one limit that counts everyone's keys.)
 */
class KvNonInterferenceTest {
    static final long C = 1;
    /** Other clients: 2 and 3 are listed in the policy, 4 gets the default rule. */
    static final long[] OTHERS = {2, 3, 4};
    static final List<String> PREFIX_POOL = List.of("", "a", "b", "c", "ab", "ba", "bb", "ca", "abc", "cab");
    static final List<String> VALUES = List.of("", "x", "yy", "zzzz", "a somewhat longer value, 40 bytes long..");
    static final List<Bytes> KEYS = keyUniverse();

    private static List<Bytes> keyUniverse() {
        List<Bytes> keys = new ArrayList<>();
        String letters = "abc";
        for (char x : letters.toCharArray()) {
            keys.add(Bytes.ofUtf8("" + x));
            for (char y : letters.toCharArray()) {
                keys.add(Bytes.ofUtf8("" + x + y));
                for (char z : letters.toCharArray()) keys.add(Bytes.ofUtf8("" + x + y + z));
            }
        }
        return keys;
    }

    @Property(tries = 1000)
    void aClientsResultsAndVisibleStateDoNotDependOnKeysItCannotRead(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int operations) throws Exception {
        scenario(seed, operations, new TreeSet<>());
    }

    /** The property is only as good as its scenarios: together they reach every kind of result. */
    @Example
    void theScenariosReachEveryKindOfResult() throws Exception {
        TreeSet<String> kinds = new TreeSet<>();
        for (long seed = 0; seed < 300; seed++) scenario(seed, 40, kinds);
        assertThat(kinds).contains("Ok", "Value", "Deleted(true)", "Deleted(false)", "CasResult(true)", "CasResult(false)",
                "ScanResult", "ScanResult(truncated)", "PERMISSION_DENIED", "QUOTA_EXCEEDED");
    }

    /** Runs one scenario; adds the kinds of results c got to {@code kinds}. */
    static void scenario(long seed, int operations, TreeSet<String> kinds) throws Exception {
        Random random = new Random(seed);
        PrefixAccessPolicy policy = randomPolicy(random);
        KvConfig config = KvConfig.DEFAULTS
                .withMaxStoreBytes(KvConfig.MAX_STORE_BYTES_LIMIT)
                .withMaxClientBytes(random.nextInt(800))
                .withMaxScanResultBytes(10 + random.nextInt(150));

        // Two stores: the same readable part, independent unreadable parts.
        Map<Bytes, Object[]> common = new TreeMap<>();
        Map<Bytes, Object[]> hidden1 = new TreeMap<>();
        Map<Bytes, Object[]> hidden2 = new TreeMap<>();
        for (Bytes key : KEYS) {
            if (policy.canRead(C, key)) {
                maybeEntry(random, common, key);
            } else {
                maybeEntry(random, hidden1, key);
                maybeEntry(random, hidden2, key);
            }
        }
        Map<Bytes, Object[]> all1 = new TreeMap<>(common);
        all1.putAll(hidden1);
        Map<Bytes, Object[]> all2 = new TreeMap<>(common);
        all2.putAll(hidden2);
        long accountC = Math.max(attributed(all1, C), attributed(all2, C)) + random.nextInt(200);
        KvStateMachine s1 = new KvStateMachine(config, policy);
        KvStateMachine s2 = new KvStateMachine(config, policy);
        s1.restore(snapshot(all1, accountC, random));
        s2.restore(snapshot(all2, accountC, random));
        assertThat(visible(s1, policy)).isEqualTo(visible(s2, policy));

        for (int i = 0; i < operations; i++) {
            KvOperation op = randomOperation(random);
            Bytes r1 = s1.execute(C, op.encode(), i);
            Bytes r2 = s2.execute(C, op.encode(), i);
            String context = "operation " + i + " " + op + " under\n" + policy + "quota " + config.maxClientBytes();
            assertThat(r2).as(context).isEqualTo(r1);
            assertThat(visible(s2, policy)).as(context).isEqualTo(visible(s1, policy));
            kinds.add(kind(KvResult.decode(r1)));
        }
    }

    private static String kind(KvResult r) {
        return switch (r) {
            case KvResult.Error e -> e.code().name();
            case KvResult.ScanResult s -> s.truncated() ? "ScanResult(truncated)" : "ScanResult";
            case KvResult.Deleted d -> "Deleted(" + d.existed() + ")";
            case KvResult.CasResult c -> "CasResult(" + c.success() + ")";
            default -> r.getClass().getSimpleName();
        };
    }

    /** c's own rule, two listed others and a default, each from random prefixes of the pool. */
    static PrefixAccessPolicy randomPolicy(Random random) {
        Map<Long, PrefixAccessPolicy.Rule> clients = new HashMap<>();
        clients.put(C, randomRule(random));
        clients.put(2L, randomRule(random));
        clients.put(3L, randomRule(random));
        return PrefixAccessPolicy.of(randomRule(random), clients);
    }

    private static PrefixAccessPolicy.Rule randomRule(Random random) {
        List<Bytes> read = new ArrayList<>();
        List<Bytes> write = new ArrayList<>();
        for (String p : PREFIX_POOL) {
            // The empty prefix rarely: a client that reads everything makes the test trivial.
            int odds = p.isEmpty() ? 12 : 3;
            if (random.nextInt(odds) == 0) read.add(Bytes.ofUtf8(p));
            if (random.nextInt(odds) == 0) write.add(Bytes.ofUtf8(p));
        }
        return new PrefixAccessPolicy.Rule(read, write);
    }

    private static void maybeEntry(Random random, Map<Bytes, Object[]> into, Bytes key) {
        if (random.nextInt(3) == 0) return;
        long writer = random.nextInt(4) == 0 ? C : OTHERS[random.nextInt(OTHERS.length)];
        into.put(key, new Object[] {Bytes.ofUtf8(VALUES.get(random.nextInt(VALUES.size()))), writer});
    }

    private static long attributed(Map<Bytes, Object[]> entries, long client) {
        long sum = 0;
        for (Map.Entry<Bytes, Object[]> e : entries.entrySet()) {
            if ((long) e.getValue()[1] == client) sum += KvStateMachine.entryBytes(e.getKey(), (Bytes) e.getValue()[0]);
        }
        return sum;
    }

    /** A version-2 snapshot of {@code entries}; c's account given, the others' at least their entries. */
    private static Bytes snapshot(Map<Bytes, Object[]> entries, long accountC, Random random) {
        WireWriter w = new WireWriter(1024);
        w.u8(KvStateMachine.SNAPSHOT_VERSION).i32(entries.size());
        for (Map.Entry<Bytes, Object[]> e : entries.entrySet()) {
            w.bytes(e.getKey()).bytes((Bytes) e.getValue()[0]).i64((long) e.getValue()[1]);
        }
        TreeMap<Long, Long> accounts = new TreeMap<>();
        if (accountC > 0) accounts.put(C, accountC);
        for (long other : OTHERS) {
            long a = attributed(entries, other) + (random.nextBoolean() ? random.nextInt(300) : 0);
            if (a > 0) accounts.put(other, a);
        }
        w.i32(accounts.size());
        accounts.forEach((client, bytes) -> w.i64(client).i64(bytes));
        return Bytes.wrapOwned(w.toByteArray());
    }

    /** What c can see of a store: its readable entries (key, value, writer) and its own account. */
    static String visible(KvStateMachine sm, AccessPolicy policy) throws Exception {
        StringBuilder b = new StringBuilder("account ").append(sm.accountBytes(C)).append('\n');
        WireReader r = new WireReader(sm.snapshot().toByteArray());
        r.u8();
        int n = r.count(Integer.MAX_VALUE, 16, "entries");
        for (int i = 0; i < n; i++) {
            Bytes key = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
            Bytes value = r.bytes(KvLimits.VALUE_BYTES_MAX, "value");
            long writer = r.i64();
            if (policy.canRead(C, key)) b.append(key.toUtf8()).append('=').append(value.toUtf8()).append(" by ").append(writer).append('\n');
        }
        return b.toString();
    }

    private static KvOperation randomOperation(Random random) {
        Bytes key = KEYS.get(random.nextInt(KEYS.size()));
        return switch (random.nextInt(5)) {
            case 0 -> new KvOperation.Put(key, value(random));
            case 1 -> new KvOperation.Get(key);
            case 2 -> new KvOperation.Delete(key);
            case 3 -> new KvOperation.CompareAndSet(key, optionalValue(random), optionalValue(random));
            default -> {
                Bytes from = random.nextInt(4) == 0 ? Bytes.EMPTY : KEYS.get(random.nextInt(KEYS.size()));
                Bytes to = random.nextInt(3) == 0 ? null : KEYS.get(random.nextInt(KEYS.size()));
                if (to != null && from.compareTo(to) > 0) {
                    Bytes t = from;
                    from = to;
                    to = t;
                }
                yield new KvOperation.Scan(from, to, 1 + random.nextInt(6));
            }
        };
    }

    private static Bytes value(Random random) {
        return Bytes.ofUtf8(VALUES.get(random.nextInt(VALUES.size())));
    }

    private static Bytes optionalValue(Random random) {
        return random.nextInt(3) == 0 ? null : value(random);
    }
}
