package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.crypto.Digest;
import io.bulwark.execution.StateMachine;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The replicated key-value store: a sorted map from byte-string keys to byte-string values
 * (unsigned lexicographic key order), driven by {@link KvOperation}s. Each entry also records
 * its <em>writer</em>, the client that last set it, for the quotas.
 *
 * <h2>Execution</h2>
 * {@link #execute} decodes the operation strictly; bytes that are not a canonical operation get
 * an {@link KvResult.Error} ({@code MALFORMED_OPERATION}, or {@code UNSUPPORTED_VERSION}), never an
 * exception. Then the {@link AccessPolicy} is consulted (see there for which operation needs
 * which permission, and for how scans skip unreadable keys), then the client's quota, then the
 * global size cap, then the operation runs. Every error result means the operation had no effect.
 *
 * <h2>No result depends on keys the client cannot read</h2>
 * The store's rule under access control (checked by {@code KvNonInterferenceTest}): for client c,
 * every result is a function of the operation, the entries c may read (value and writer) and
 * c's own account — never of the keys c cannot read, their values, sizes, writers or number.
 * That is why there is no global key count, why scans skip unreadable keys, why Delete and
 * CompareAndSet need read permission, why a Put to an unreadable key is charged the same whatever
 * it overwrites, and why the size limit a client meets is its own quota. The one exception is the
 * global size cap, a last-resort memory bound: set it to at least writers × quota (the store
 * checks this when the policy bounds its writers, {@link AccessPolicy#writers()}) and it is never
 * reached. Timing is not covered: a scan over many unreadable keys takes longer.
 *
 * <h2>Quotas</h2>
 * Every client has an account, {@link #accountBytes}, charged {@link #entryBytes} for every entry
 * it writes; a write that would take it above {@link KvConfig#maxClientBytes()} is refused with
 * {@code QUOTA_EXCEEDED}. When an entry is overwritten or removed, its writer's account is
 * refunded <em>only if the writer may read the key</em>: a client that could not see the entry
 * go must not be able to tell from its account either. So a client that writes into a key it
 * cannot read (a drop box) pays for that write for good, and a Put to such a key is charged
 * the full new entry, never netted against what it overwrites. Accounts never fall below the
 * bytes of the entries their client wrote, so the store holds at most (clients that write) ×
 * quota bytes.
 *
 * <h2>Global size cap</h2>
 * {@link #storeBytes()} counts {@link #ENTRY_OVERHEAD_BYTES} + key length + value length per
 * entry (the overhead stands for the map's own memory, so that many tiny entries are bounded
 * too). A write that would take it above {@link KvConfig#maxStoreBytes()} is refused with
 * {@code STORE_FULL}; writes that do not grow the store pass this check. {@link #restore} does not
 * apply the limits: a snapshot comes from replicas with the same configuration and is checked
 * against a certified digest first.
 *
 * <h2>Snapshot</h2>
 * Canonical (equal states give equal bytes):
 * <pre>
 *   u8 version (= 2)
 *   u32 count,    count × (bytes key, bytes value, u64 writer)   keys strictly ascending
 *   u32 accounts, accounts × (u64 client, u64 bytes)             clients strictly ascending, bytes &gt; 0
 * </pre>
 * with the same bounds on keys and values as the operation encoding, and every account at least
 * the bytes of the entries its client wrote. {@link #restore} accepts exactly this and nothing else
 * ({@link IllegalArgumentException} otherwise, state unchanged). Version 1 (no writers, no
 * accounts) is not accepted: it cannot say whom to charge.
 *
 * <h2>Digest</h2>
 * SHA-256 of the snapshot bytes, computed by streaming the entries through the hash (no copy of
 * the state) and cached until the next change. Deliberately not an incremental digest built from
 * per-entry hashes combined by XOR or addition: such combinations are easy to collide by a
 * Byzantine peer choosing entries. The cost is one pass over the state per digest after a
 * change, which the execution core pays once per checkpoint.
 *
 * <p>Deterministic and single-threaded, as the {@link StateMachine} contract requires; the time
 * argument is not used.
 */
public final class KvStateMachine implements StateMachine {
    /**
     * Per-entry bookkeeping charged against the size cap, in addition to key and value bytes.
     * Part of the replicated semantics (it decides which writes are refused): never change it
     * without a new snapshot version.
     */
    public static final int ENTRY_OVERHEAD_BYTES = 64;
    /** The snapshot format version written and accepted. */
    public static final int SNAPSHOT_VERSION = 2;

    private static final int DIGEST_CHUNK = 64 * 1024;
    private static final int ERROR_MESSAGE_CHARS = 200;

    /** A value and the client that wrote it. */
    private record Entry(Bytes value, long writer) {}

    private final KvConfig config;
    private final AccessPolicy policy;
    private TreeMap<Bytes, Entry> map = new TreeMap<>();
    /** Client → bytes charged; only non-zero accounts are kept (so the snapshot is canonical). */
    private TreeMap<Long, Long> accounts = new TreeMap<>();
    private long storeBytes;
    /** SHA-256 of the current snapshot, or null if the state changed since it was computed. */
    private Digest digest;

    /** A store with {@link KvConfig#DEFAULTS} that lets every client read and write every key. */
    public KvStateMachine() {
        this(KvConfig.DEFAULTS, AccessPolicy.ALLOW_ALL);
    }

    /**
     * @throws IllegalArgumentException if the policy bounds its writers and writers ×
     *                                  {@code maxClientBytes} exceeds {@code maxStoreBytes}: the
     *                                  global cap could then be reached, and whether a write
     *                                  passes would depend on other clients' keys
     */
    public KvStateMachine(KvConfig config, AccessPolicy policy) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
        OptionalLong writers = policy.writers();
        if (writers.isPresent() && config.maxClientBytes() > 0
                && writers.getAsLong() > config.maxStoreBytes() / config.maxClientBytes()) {
            throw new IllegalArgumentException(writers.getAsLong() + " clients may write, each up to maxClientBytes = "
                    + config.maxClientBytes() + ": together more than maxStoreBytes = " + config.maxStoreBytes()
                    + ", so the global cap could be reached and a client's writes would depend on keys it cannot read;"
                    + " lower maxClientBytes to at most " + config.maxStoreBytes() / writers.getAsLong());
        }
    }

    public KvConfig config() {
        return config;
    }

    public AccessPolicy policy() {
        return policy;
    }

    /** Number of keys in the store. */
    public int size() {
        return map.size();
    }

    /** What the size cap counts: the sum over entries of overhead + key + value bytes. */
    public long storeBytes() {
        return storeBytes;
    }

    /**
     * What client {@code clientId} is charged against its quota: at least the {@link #entryBytes}
     * of the entries it wrote that are still there, more for writes to keys it cannot read
     * that were since overwritten or removed.
     */
    public long accountBytes(long clientId) {
        return accounts.getOrDefault(clientId, 0L);
    }

    /** Size charged for one entry. */
    public static long entryBytes(Bytes key, Bytes value) {
        return ENTRY_OVERHEAD_BYTES + (long) key.length() + value.length();
    }

    // ------------------------------------------------------------------------------ execute

    @Override
    public Bytes execute(long clientId, Bytes operation, long timeMillis) {
        return apply(clientId, operation).encode();
    }

    /** {@link #execute} with a typed result. Never throws. */
    public KvResult apply(long clientId, Bytes operation) {
        if (operation == null) return error(KvErrorCode.MALFORMED_OPERATION, "no operation");
        KvOperation op;
        try {
            op = KvOperation.decode(operation);
        } catch (MalformedMessageException e) {
            KvErrorCode code = e.reason() == Reason.UNKNOWN_VERSION
                    ? KvErrorCode.UNSUPPORTED_VERSION
                    : KvErrorCode.MALFORMED_OPERATION;
            return error(code, e.getMessage());
        }
        return apply(clientId, op);
    }

    /** Applies an already decoded operation. */
    public KvResult apply(long clientId, KvOperation op) {
        Objects.requireNonNull(op, "op");
        return switch (op) {
            case KvOperation.Put p -> put(clientId, p);
            case KvOperation.Get g -> get(clientId, g);
            case KvOperation.Delete d -> delete(clientId, d);
            case KvOperation.CompareAndSet c -> compareAndSet(clientId, c);
            case KvOperation.Scan s -> scan(clientId, s);
        };
    }

    private KvResult put(long clientId, KvOperation.Put p) {
        if (!policy.canWrite(clientId, p.key())) return denied("write");
        Entry old = map.get(p.key());
        // Skipping an identical rewrite is allowed only where the client sees the old value. A
        // blind write (the key is unreadable) always rewrites and is charged in full: whatever
        // the key holds (present or not, this value or another, whose) makes no difference.
        if (old != null && p.value().equals(old.value()) && policy.canRead(clientId, p.key())) return KvResult.OK;
        return set(clientId, p.key(), old, p.value(), KvResult.OK);
    }

    private KvResult get(long clientId, KvOperation.Get g) {
        if (!policy.canRead(clientId, g.key())) return denied("read");
        Entry e = map.get(g.key());
        return KvResult.Value.of(e == null ? null : e.value());
    }

    private KvResult delete(long clientId, KvOperation.Delete d) {
        if (!policy.canWrite(clientId, d.key())) return denied("write");
        if (!policy.canRead(clientId, d.key())) return denied("read");
        Entry old = map.get(d.key());
        if (old != null) remove(d.key(), old);
        return new KvResult.Deleted(old != null);
    }

    private KvResult compareAndSet(long clientId, KvOperation.CompareAndSet c) {
        if (!policy.canWrite(clientId, c.key())) return denied("write");
        if (!policy.canRead(clientId, c.key())) return denied("read");
        Entry old = map.get(c.key());
        Bytes current = old == null ? null : old.value();
        if (!Objects.equals(current, c.expected())) return KvResult.CasResult.of(false, current);
        KvResult success = KvResult.CasResult.of(true, c.newValue());
        if (c.newValue() == null) {
            if (old != null) remove(c.key(), old);
            return success;
        }
        if (c.newValue().equals(current)) return success;
        return set(clientId, c.key(), old, c.newValue(), success);
    }

    private KvResult scan(long clientId, KvOperation.Scan s) {
        NavigableMap<Bytes, Entry> range = s.toExclusive() == null
                ? map.tailMap(s.fromInclusive(), true)
                : map.subMap(s.fromInclusive(), true, s.toExclusive(), false);
        List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(Math.min(s.limit(), 64));
        long bytes = 0;
        boolean truncated = false;
        for (Map.Entry<Bytes, Entry> e : range.entrySet()) {
            if (!policy.canRead(clientId, e.getKey())) continue; // skipped: invisible to this client
            if (entries.size() == s.limit()) {
                truncated = true;
                break;
            }
            Bytes value = e.getValue().value();
            long cost = 8L + e.getKey().length() + value.length();
            if (!entries.isEmpty() && bytes + cost > config.maxScanResultBytes()) {
                truncated = true;
                break;
            }
            entries.add(Map.entry(e.getKey(), value));
            bytes += cost;
        }
        return new KvResult.ScanResult(entries, truncated);
    }

    /**
     * Sets {@code key} (currently {@code old}, or absent) to {@code value} written by
     * {@code writer}, if the writer's quota and the global cap allow it; returns {@code ok} or
     * the refusal. The writer's own refund is netted only when it may read the key (then the old
     * entry is part of what it sees); otherwise it pays the whole new entry.
     */
    private KvResult set(long writer, Bytes key, Entry old, Bytes value, KvResult ok) {
        long charge = entryBytes(key, value);
        long ownRefund = old != null && old.writer() == writer && policy.canRead(writer, key) ? entryBytes(key, old.value()) : 0;
        if (accountBytes(writer) - ownRefund + charge > config.maxClientBytes()) return quotaExceeded();
        long delta = charge - (old == null ? 0 : entryBytes(key, old.value()));
        if (delta > 0 && storeBytes + delta > config.maxStoreBytes()) return full();
        if (old != null) refund(key, old);
        map.put(key, new Entry(value, writer));
        accounts.merge(writer, charge, Long::sum);
        storeBytes += delta;
        digest = null;
        return ok;
    }

    private void remove(Bytes key, Entry old) {
        map.remove(key);
        refund(key, old);
        storeBytes -= entryBytes(key, old.value());
        digest = null;
    }

    /** Gives {@code old}'s bytes back to its writer, if the writer can see that they are gone. */
    private void refund(Bytes key, Entry old) {
        if (!policy.canRead(old.writer(), key)) return;
        long left = accountBytes(old.writer()) - entryBytes(key, old.value());
        if (left > 0) {
            accounts.put(old.writer(), left);
        } else {
            accounts.remove(old.writer()); // never below zero: an account covers its writer's entries
        }
    }

    private static KvResult.Error denied(String what) {
        return new KvResult.Error(KvErrorCode.PERMISSION_DENIED, "no " + what + " permission for this key");
    }

    private KvResult.Error full() {
        return new KvResult.Error(KvErrorCode.STORE_FULL, "store is full (cap " + config.maxStoreBytes() + " bytes)");
    }

    private KvResult.Error quotaExceeded() {
        return new KvResult.Error(KvErrorCode.QUOTA_EXCEEDED, "client quota exceeded (" + config.maxClientBytes() + " bytes)");
    }

    private static KvResult.Error error(KvErrorCode code, String message) {
        String m = message == null ? "" : message;
        if (m.length() > ERROR_MESSAGE_CHARS) {
            int end = ERROR_MESSAGE_CHARS;
            if (Character.isHighSurrogate(m.charAt(end - 1))) end--;
            m = m.substring(0, end);
        }
        return new KvResult.Error(code, m);
    }

    // ------------------------------------------------------------------------------ snapshot

    @Override
    public Bytes snapshot() {
        WireWriter w = new WireWriter((int) Math.min(storeBytes + 16, Integer.MAX_VALUE - 64));
        writeSnapshot(w, null);
        return Bytes.wrapOwned(w.toByteArray());
    }

    @Override
    public Digest digest() {
        Digest d = digest;
        if (d == null) {
            MessageDigest md = Digest.newSha256();
            writeSnapshot(new WireWriter(DIGEST_CHUNK + 1024), md);
            d = new Digest(Bytes.wrapOwned(md.digest()));
            digest = d;
        }
        return d;
    }

    /** Writes the snapshot into {@code w}; with a digest, feeds it in chunks instead of keeping it. */
    private void writeSnapshot(WireWriter w, MessageDigest md) {
        w.u8(SNAPSHOT_VERSION).i32(map.size());
        for (Map.Entry<Bytes, Entry> e : map.entrySet()) {
            w.bytes(e.getKey()).bytes(e.getValue().value()).i64(e.getValue().writer());
            if (md != null && w.position() >= DIGEST_CHUNK) {
                md.update(w.buffer(), 0, w.position());
                w.reset();
            }
        }
        w.i32(accounts.size());
        for (Map.Entry<Long, Long> a : accounts.entrySet()) {
            w.i64(a.getKey()).i64(a.getValue());
            if (md != null && w.position() >= DIGEST_CHUNK) {
                md.update(w.buffer(), 0, w.position());
                w.reset();
            }
        }
        if (md != null) md.update(w.buffer(), 0, w.position());
    }

    @Override
    public void restore(Bytes snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        TreeMap<Bytes, Entry> restored = new TreeMap<>();
        TreeMap<Long, Long> restoredAccounts = new TreeMap<>();
        Map<Long, Long> attributed = new HashMap<>();
        long bytes = 0;
        try {
            WireReader r = new WireReader(snapshot.toByteArray());
            int version = r.u8();
            if (version != SNAPSHOT_VERSION) {
                throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "snapshot version " + version);
            }
            int n = r.count(Integer.MAX_VALUE, 16, "entries");
            Bytes previous = null;
            for (int i = 0; i < n; i++) {
                Bytes key = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
                Bytes value = r.bytes(KvLimits.VALUE_BYTES_MAX, "value");
                long writer = r.i64();
                if (previous != null && previous.compareTo(key) >= 0) {
                    throw new MalformedMessageException(Reason.NON_CANONICAL, "snapshot keys not strictly ascending at entry " + i);
                }
                if (writer < 0) throw new MalformedMessageException(Reason.INVALID_FIELD, "negative writer at entry " + i);
                previous = key;
                restored.put(key, new Entry(value, writer));
                bytes += entryBytes(key, value);
                attributed.merge(writer, entryBytes(key, value), Long::sum);
            }
            int accountCount = r.count(Integer.MAX_VALUE, 16, "accounts");
            long previousClient = -1;
            for (int i = 0; i < accountCount; i++) {
                long client = r.i64();
                long charged = r.i64();
                if (client <= previousClient) {
                    throw new MalformedMessageException(Reason.NON_CANONICAL, "snapshot accounts not strictly ascending at " + i);
                }
                if (charged <= 0) throw new MalformedMessageException(Reason.NON_CANONICAL, "account " + client + " not positive");
                previousClient = client;
                restoredAccounts.put(client, charged);
            }
            r.expectEnd();
            for (Map.Entry<Long, Long> a : attributed.entrySet()) {
                if (restoredAccounts.getOrDefault(a.getKey(), 0L) < a.getValue()) {
                    throw new MalformedMessageException(Reason.INVALID_FIELD,
                            "account of client " + a.getKey() + " below the bytes of the entries it wrote");
                }
            }
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException("not a key-value store snapshot: " + e.getMessage(), e);
        }
        map = restored;
        accounts = restoredAccounts;
        storeBytes = bytes;
        digest = null;
    }

    @Override
    public String toString() {
        return "KvStateMachine[" + map.size() + " keys, " + storeBytes + " bytes, " + accounts.size() + " accounts]";
    }
}
