package io.bulwark.kv;

import static io.bulwark.kv.KvCodec.checkLength;
import static io.bulwark.kv.KvCodec.checkOptionalLength;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.util.Objects;

/**
 * An operation on the replicated key-value store: what a client puts in a request's operation
 * bytes. Keys are byte strings ordered by unsigned lexicographic order ({@link Bytes#compareTo}).
 *
 * <h2>Encoding</h2>
 * Canonical: every operation has exactly one encoding and {@link #decode} accepts nothing else.
 * Integers are big-endian; {@code bytes} is a u32 length then that many bytes; {@code opt} is
 * {@code 0x00} (absent) or {@code 0x01} followed by {@code bytes}.
 * <pre>
 *   u8 version (= 1)
 *   u8 tag      1 Put           bytes key, bytes value
 *               2 Get           bytes key
 *               3 Delete        bytes key
 *               4 CompareAndSet bytes key, opt expected, opt newValue
 *               5 Scan          bytes fromInclusive, opt toExclusive, i32 limit
 * </pre>
 * Bounds ({@link KvLimits}): keys at most 4 KiB, scan bounds at most 4 KiB + 1, values at most
 * 1 MiB − 8 KiB, the whole encoding at most 1 MiB (one request), scan limit in [1, 10 000],
 * {@code fromInclusive <= toExclusive}; no trailing bytes.
 */
public sealed interface KvOperation {

    int TAG_PUT = 1;
    int TAG_GET = 2;
    int TAG_DELETE = 3;
    int TAG_CAS = 4;
    int TAG_SCAN = 5;

    /** Sets {@code key} to {@code value}. Result: {@link KvResult.Ok}. */
    record Put(Bytes key, Bytes value) implements KvOperation {
        public Put {
            checkLength(key, KvLimits.KEY_BYTES_MAX, "key");
            checkLength(value, KvLimits.VALUE_BYTES_MAX, "value");
            checkEncodedSize(10L + key.length() + value.length());
        }
    }

    /** Reads {@code key}. Result: {@link KvResult.Value}. */
    record Get(Bytes key) implements KvOperation {
        public Get {
            checkLength(key, KvLimits.KEY_BYTES_MAX, "key");
        }
    }

    /** Removes {@code key}. Result: {@link KvResult.Deleted} (whether it was there). */
    record Delete(Bytes key) implements KvOperation {
        public Delete {
            checkLength(key, KvLimits.KEY_BYTES_MAX, "key");
        }
    }

    /**
     * If the current value of {@code key} equals {@code expected} ({@code null}: the key must be
     * absent), sets it to {@code newValue} ({@code null}: removes the key). Result:
     * {@link KvResult.CasResult}.
     */
    record CompareAndSet(Bytes key, Bytes expected, Bytes newValue) implements KvOperation {
        public CompareAndSet {
            checkLength(key, KvLimits.KEY_BYTES_MAX, "key");
            checkOptionalLength(expected, KvLimits.VALUE_BYTES_MAX, "expected");
            checkOptionalLength(newValue, KvLimits.VALUE_BYTES_MAX, "newValue");
            checkEncodedSize(8L + key.length()
                    + (expected == null ? 0 : 4 + expected.length())
                    + (newValue == null ? 0 : 4 + newValue.length()));
        }
    }

    /**
     * Reads the entries with {@code fromInclusive <= key < toExclusive} in key order, at most
     * {@code limit} of them ({@code toExclusive == null}: no upper bound). Result:
     * {@link KvResult.ScanResult}, which may hold fewer than {@code limit} entries and say
     * {@code truncated} when the store's per-result byte budget runs out.
     */
    record Scan(Bytes fromInclusive, Bytes toExclusive, int limit) implements KvOperation {
        public Scan {
            checkLength(fromInclusive, KvLimits.BOUND_BYTES_MAX, "fromInclusive");
            checkOptionalLength(toExclusive, KvLimits.BOUND_BYTES_MAX, "toExclusive");
            if (limit < 1 || limit > KvLimits.SCAN_LIMIT_MAX) {
                throw new IllegalArgumentException("limit " + limit + " not in [1, " + KvLimits.SCAN_LIMIT_MAX + "]");
            }
            if (toExclusive != null && fromInclusive.compareTo(toExclusive) > 0) {
                throw new IllegalArgumentException("fromInclusive " + fromInclusive + " > toExclusive " + toExclusive);
            }
        }

        /** Whether {@code key} lies in {@code [fromInclusive, toExclusive)}. */
        public boolean contains(Bytes key) {
            return key.compareTo(fromInclusive) >= 0 && (toExclusive == null || key.compareTo(toExclusive) < 0);
        }
    }

    private static void checkEncodedSize(long size) {
        if (size > KvLimits.OPERATION_BYTES_MAX) {
            throw new IllegalArgumentException("operation encodes to " + size + " bytes, at most " + KvLimits.OPERATION_BYTES_MAX);
        }
    }

    /** The canonical encoding. */
    default Bytes encode() {
        WireWriter w = new WireWriter(64);
        w.u8(KvCodec.VERSION);
        switch (this) {
            case Put p -> w.u8(TAG_PUT).bytes(p.key()).bytes(p.value());
            case Get g -> w.u8(TAG_GET).bytes(g.key());
            case Delete d -> w.u8(TAG_DELETE).bytes(d.key());
            case CompareAndSet c -> {
                w.u8(TAG_CAS).bytes(c.key());
                KvCodec.writeOptional(w, c.expected());
                KvCodec.writeOptional(w, c.newValue());
            }
            case Scan s -> {
                w.u8(TAG_SCAN).bytes(s.fromInclusive());
                KvCodec.writeOptional(w, s.toExclusive());
                w.i32(s.limit());
            }
        }
        return KvCodec.toBytes(w);
    }

    /**
     * Decodes a canonical encoding.
     *
     * @throws MalformedMessageException (and nothing else, whatever the input) if {@code bytes}
     *     is not the canonical encoding of an operation
     */
    static KvOperation decode(Bytes bytes) throws MalformedMessageException {
        Objects.requireNonNull(bytes, "bytes");
        return decode(bytes.toByteArray());
    }

    /** As {@link #decode(Bytes)}; does not keep a reference to {@code bytes}. */
    static KvOperation decode(byte[] bytes) throws MalformedMessageException {
        if (bytes.length > KvLimits.OPERATION_BYTES_MAX) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS,
                    "operation of " + bytes.length + " bytes exceeds " + KvLimits.OPERATION_BYTES_MAX);
        }
        WireReader r = new WireReader(bytes);
        KvCodec.checkVersion(r, "operation");
        int tag = r.u8();
        KvOperation op = switch (tag) {
            case TAG_PUT -> {
                Bytes key = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
                Bytes value = r.bytes(KvLimits.VALUE_BYTES_MAX, "value");
                yield new Put(key, value);
            }
            case TAG_GET -> new Get(r.bytes(KvLimits.KEY_BYTES_MAX, "key"));
            case TAG_DELETE -> new Delete(r.bytes(KvLimits.KEY_BYTES_MAX, "key"));
            case TAG_CAS -> {
                Bytes key = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
                Bytes expected = KvCodec.readOptional(r, KvLimits.VALUE_BYTES_MAX, "expected");
                Bytes newValue = KvCodec.readOptional(r, KvLimits.VALUE_BYTES_MAX, "newValue");
                yield new CompareAndSet(key, expected, newValue);
            }
            case TAG_SCAN -> {
                Bytes from = r.bytes(KvLimits.BOUND_BYTES_MAX, "fromInclusive");
                Bytes to = KvCodec.readOptional(r, KvLimits.BOUND_BYTES_MAX, "toExclusive");
                int limit = r.intIn(1, KvLimits.SCAN_LIMIT_MAX, "limit");
                if (to != null && from.compareTo(to) > 0) {
                    throw new MalformedMessageException(Reason.INVALID_FIELD, "scan fromInclusive > toExclusive");
                }
                yield new Scan(from, to, limit);
            }
            default -> throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "operation tag " + tag);
        };
        r.expectEnd();
        return op;
    }
}
