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
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The replicated key-value store: a sorted map from byte-string keys to byte-string values
 * (unsigned lexicographic key order), driven by {@link KvOperation}s.
 *
 * <h2>Execution</h2>
 * {@link #execute} decodes the operation strictly; bytes that are not a canonical operation get
 * an {@link KvResult.Error} ({@code MALFORMED_OPERATION}, or {@code UNSUPPORTED_VERSION}), never an
 * exception. Then the {@link AccessPolicy} is consulted (see there for which operation needs
 * which permission, and for how scans skip unreadable keys), then the size cap, then the
 * operation runs. Every error result means the operation had no effect.
 *
 * <h2>Size cap</h2>
 * {@link #storeBytes()} counts {@link #ENTRY_OVERHEAD_BYTES} + key length + value length per
 * entry (the overhead stands for the map's own memory, so that many tiny entries are bounded
 * too). A write that would take it above {@link KvConfig#maxStoreBytes()} is refused with
 * {@code STORE_FULL}; writes that do not grow the store (overwrites with a value no longer,
 * deletes) always go through. {@link #restore} does not apply the cap: a snapshot comes from
 * replicas with the same configuration and is checked against a certified digest first.
 *
 * <h2>Snapshot</h2>
 * Canonical (equal states give equal bytes):
 * <pre>
 *   u8 version (= 1), u32 count, count × (bytes key, bytes value)   keys strictly ascending
 * </pre>
 * with the same bounds on keys and values as the operation encoding. {@link #restore} accepts
 * exactly this and nothing else ({@link IllegalArgumentException} otherwise, state unchanged).
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
    /** The only snapshot format version so far. */
    public static final int SNAPSHOT_VERSION = 1;

    private static final int DIGEST_CHUNK = 64 * 1024;
    private static final int ERROR_MESSAGE_CHARS = 200;

    private final KvConfig config;
    private final AccessPolicy policy;
    private TreeMap<Bytes, Bytes> map = new TreeMap<>();
    private long storeBytes;
    /** SHA-256 of the current snapshot, or null if the state changed since it was computed. */
    private Digest digest;

    /** A store with {@link KvConfig#DEFAULTS} that lets every client read and write every key. */
    public KvStateMachine() {
        this(KvConfig.DEFAULTS, AccessPolicy.ALLOW_ALL);
    }

    public KvStateMachine(KvConfig config, AccessPolicy policy) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
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
        Bytes old = map.get(p.key());
        if (p.value().equals(old)) return KvResult.OK;
        if (!fits(p.key(), old, p.value())) return full();
        store(p.key(), old, p.value());
        return KvResult.OK;
    }

    private KvResult get(long clientId, KvOperation.Get g) {
        if (!policy.canRead(clientId, g.key())) return denied("read");
        return KvResult.Value.of(map.get(g.key()));
    }

    private KvResult delete(long clientId, KvOperation.Delete d) {
        if (!policy.canWrite(clientId, d.key())) return denied("write");
        if (!policy.canRead(clientId, d.key())) return denied("read");
        Bytes old = map.get(d.key());
        if (old != null) remove(d.key(), old);
        return new KvResult.Deleted(old != null);
    }

    private KvResult compareAndSet(long clientId, KvOperation.CompareAndSet c) {
        if (!policy.canWrite(clientId, c.key())) return denied("write");
        if (!policy.canRead(clientId, c.key())) return denied("read");
        Bytes current = map.get(c.key());
        if (!Objects.equals(current, c.expected())) return KvResult.CasResult.of(false, current);
        if (c.newValue() == null) {
            if (current != null) remove(c.key(), current);
        } else if (!c.newValue().equals(current)) {
            if (!fits(c.key(), current, c.newValue())) return full();
            store(c.key(), current, c.newValue());
        }
        return KvResult.CasResult.of(true, c.newValue());
    }

    private KvResult scan(long clientId, KvOperation.Scan s) {
        NavigableMap<Bytes, Bytes> range = s.toExclusive() == null
                ? map.tailMap(s.fromInclusive(), true)
                : map.subMap(s.fromInclusive(), true, s.toExclusive(), false);
        List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(Math.min(s.limit(), 64));
        long bytes = 0;
        boolean truncated = false;
        for (Map.Entry<Bytes, Bytes> e : range.entrySet()) {
            if (!policy.canRead(clientId, e.getKey())) continue; // skipped: invisible to this client
            if (entries.size() == s.limit()) {
                truncated = true;
                break;
            }
            long cost = 8L + e.getKey().length() + e.getValue().length();
            if (!entries.isEmpty() && bytes + cost > config.maxScanResultBytes()) {
                truncated = true;
                break;
            }
            entries.add(Map.entry(e.getKey(), e.getValue()));
            bytes += cost;
        }
        return new KvResult.ScanResult(entries, truncated);
    }

    private boolean fits(Bytes key, Bytes oldOrNull, Bytes value) {
        long delta = entryBytes(key, value) - (oldOrNull == null ? 0 : entryBytes(key, oldOrNull));
        return delta <= 0 || storeBytes + delta <= config.maxStoreBytes();
    }

    private void store(Bytes key, Bytes oldOrNull, Bytes value) {
        map.put(key, value);
        storeBytes += entryBytes(key, value) - (oldOrNull == null ? 0 : entryBytes(key, oldOrNull));
        digest = null;
    }

    private void remove(Bytes key, Bytes old) {
        map.remove(key);
        storeBytes -= entryBytes(key, old);
        digest = null;
    }

    private static KvResult.Error denied(String what) {
        return new KvResult.Error(KvErrorCode.PERMISSION_DENIED, "no " + what + " permission for this key");
    }

    private KvResult.Error full() {
        return new KvResult.Error(KvErrorCode.STORE_FULL, "store is full (cap " + config.maxStoreBytes() + " bytes)");
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
        for (Map.Entry<Bytes, Bytes> e : map.entrySet()) {
            w.bytes(e.getKey()).bytes(e.getValue());
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
        TreeMap<Bytes, Bytes> restored = new TreeMap<>();
        long bytes = 0;
        try {
            WireReader r = new WireReader(snapshot.toByteArray());
            int version = r.u8();
            if (version != SNAPSHOT_VERSION) {
                throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "snapshot version " + version);
            }
            int n = r.count(Integer.MAX_VALUE, 8, "entries");
            Bytes previous = null;
            for (int i = 0; i < n; i++) {
                Bytes key = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
                Bytes value = r.bytes(KvLimits.VALUE_BYTES_MAX, "value");
                if (previous != null && previous.compareTo(key) >= 0) {
                    throw new MalformedMessageException(Reason.NON_CANONICAL, "snapshot keys not strictly ascending at entry " + i);
                }
                previous = key;
                restored.put(key, value);
                bytes += entryBytes(key, value);
            }
            r.expectEnd();
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException("not a key-value store snapshot: " + e.getMessage(), e);
        }
        map = restored;
        storeBytes = bytes;
        digest = null;
    }

    @Override
    public String toString() {
        return "KvStateMachine[" + map.size() + " keys, " + storeBytes + " bytes]";
    }
}
