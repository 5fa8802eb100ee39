package io.bulwark.kv;

import static io.bulwark.kv.KvCodec.checkLength;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the store answers to a {@link KvOperation}: the result bytes of a reply. Which result
 * each operation gets: Put → {@link Ok}; Get → {@link Value}; Delete → {@link Deleted};
 * CompareAndSet → {@link CasResult}; Scan → {@link ScanResult}; any of them → {@link Error}
 * (and then the operation had no effect).
 *
 * <h2>Encoding</h2>
 * Canonical, same conventions as {@link KvOperation} ({@code bool} is exactly 0x00 or 0x01):
 * <pre>
 *   u8 version (= 1)
 *   u8 tag      1 Ok
 *               2 Value      opt value
 *               3 Deleted    bool existed
 *               4 CasResult  bool success, opt current
 *               5 ScanResult u32 count (&lt;= 10 000), count × (bytes key, bytes value), bool truncated
 *               6 Error      u16 code, bytes message (UTF-8, at most 1 KiB)
 * </pre>
 * A scan result's keys are strictly ascending, and {@code truncated} implies at least one
 * entry. An error code must be a known {@link KvErrorCode}. A result is at most 1 MiB (one reply).
 */
public sealed interface KvResult {

    int TAG_OK = 1;
    int TAG_VALUE = 2;
    int TAG_DELETED = 3;
    int TAG_CAS = 4;
    int TAG_SCAN = 5;
    int TAG_ERROR = 6;

    /** The one {@link Ok} value. */
    Ok OK = new Ok();

    /** A write (Put) took effect. */
    record Ok() implements KvResult {}

    /** The value of the key read, or empty if the key is absent. */
    record Value(Optional<Bytes> value) implements KvResult {
        public Value {
            Objects.requireNonNull(value, "value");
            value.ifPresent(v -> checkLength(v, KvLimits.VALUE_BYTES_MAX, "value"));
        }

        public static Value of(Bytes valueOrNull) {
            return new Value(Optional.ofNullable(valueOrNull));
        }

        public static Value absent() {
            return new Value(Optional.empty());
        }
    }

    /** A Delete took effect; {@code existed} says whether the key was there. */
    record Deleted(boolean existed) implements KvResult {}

    /**
     * A CompareAndSet's outcome: whether the value matched (and so was replaced), and the
     * key's value <em>after</em> the operation (on success the new value, on failure the
     * unchanged current one; empty if absent).
     */
    record CasResult(boolean success, Optional<Bytes> current) implements KvResult {
        public CasResult {
            Objects.requireNonNull(current, "current");
            current.ifPresent(v -> checkLength(v, KvLimits.VALUE_BYTES_MAX, "current"));
        }

        public static CasResult of(boolean success, Bytes currentOrNull) {
            return new CasResult(success, Optional.ofNullable(currentOrNull));
        }
    }

    /**
     * Entries of a scan in ascending key order. {@code truncated}: the range holds more entries
     * (readable by the client) after the last one here; continue from the last key's successor
     * ({@code key || 0x00}).
     */
    record ScanResult(List<Map.Entry<Bytes, Bytes>> entries, boolean truncated) implements KvResult {
        public ScanResult {
            Objects.requireNonNull(entries, "entries");
            if (entries.size() > KvLimits.SCAN_LIMIT_MAX) {
                throw new IllegalArgumentException(entries.size() + " entries, at most " + KvLimits.SCAN_LIMIT_MAX);
            }
            List<Map.Entry<Bytes, Bytes>> copy = new ArrayList<>(entries.size());
            Bytes previous = null;
            for (Map.Entry<Bytes, Bytes> e : entries) {
                Bytes k = e.getKey();
                Bytes v = e.getValue();
                checkLength(k, KvLimits.KEY_BYTES_MAX, "key");
                checkLength(v, KvLimits.VALUE_BYTES_MAX, "value");
                if (previous != null && previous.compareTo(k) >= 0) {
                    throw new IllegalArgumentException("scan keys not strictly ascending at " + k);
                }
                previous = k;
                copy.add(Map.entry(k, v));
            }
            if (truncated && copy.isEmpty()) {
                throw new IllegalArgumentException("a truncated scan result holds at least one entry");
            }
            entries = List.copyOf(copy);
        }
    }

    /** The store refused the operation; it had no effect. */
    record Error(KvErrorCode code, String message) implements KvResult {
        public Error {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            int n = KvCodec.utf8(message).length;
            if (n > KvLimits.ERROR_MESSAGE_BYTES_MAX) {
                throw new IllegalArgumentException("message is " + n + " UTF-8 bytes, at most " + KvLimits.ERROR_MESSAGE_BYTES_MAX);
            }
        }
    }

    /** The canonical encoding. */
    default Bytes encode() {
        WireWriter w = new WireWriter(64);
        w.u8(KvCodec.VERSION);
        switch (this) {
            case Ok o -> w.u8(TAG_OK);
            case Value v -> {
                w.u8(TAG_VALUE);
                KvCodec.writeOptional(w, v.value().orElse(null));
            }
            case Deleted d -> w.u8(TAG_DELETED).bool(d.existed());
            case CasResult c -> {
                w.u8(TAG_CAS).bool(c.success());
                KvCodec.writeOptional(w, c.current().orElse(null));
            }
            case ScanResult s -> {
                w.u8(TAG_SCAN).i32(s.entries().size());
                for (Map.Entry<Bytes, Bytes> e : s.entries()) {
                    w.bytes(e.getKey()).bytes(e.getValue());
                }
                w.bool(s.truncated());
            }
            case Error e -> {
                byte[] msg = KvCodec.utf8(e.message());
                w.u8(TAG_ERROR).u16(e.code().wire()).i32(msg.length).raw(msg, 0, msg.length);
            }
        }
        return KvCodec.toBytes(w);
    }

    /**
     * Decodes a canonical encoding.
     *
     * @throws MalformedMessageException (and nothing else, whatever the input) if {@code bytes}
     *     is not the canonical encoding of a result
     */
    static KvResult decode(Bytes bytes) throws MalformedMessageException {
        Objects.requireNonNull(bytes, "bytes");
        return decode(bytes.toByteArray());
    }

    /** As {@link #decode(Bytes)}; does not keep a reference to {@code bytes}. */
    static KvResult decode(byte[] bytes) throws MalformedMessageException {
        if (bytes.length > KvLimits.RESULT_BYTES_MAX) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS,
                    "result of " + bytes.length + " bytes exceeds " + KvLimits.RESULT_BYTES_MAX);
        }
        WireReader r = new WireReader(bytes);
        KvCodec.checkVersion(r, "result");
        int tag = r.u8();
        KvResult result = switch (tag) {
            case TAG_OK -> OK;
            case TAG_VALUE -> Value.of(KvCodec.readOptional(r, KvLimits.VALUE_BYTES_MAX, "value"));
            case TAG_DELETED -> new Deleted(r.bool());
            case TAG_CAS -> {
                boolean success = r.bool();
                yield CasResult.of(success, KvCodec.readOptional(r, KvLimits.VALUE_BYTES_MAX, "current"));
            }
            case TAG_SCAN -> {
                int n = r.count(KvLimits.SCAN_LIMIT_MAX, 8, "entries");
                List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(n);
                Bytes previous = null;
                for (int i = 0; i < n; i++) {
                    Bytes k = r.bytes(KvLimits.KEY_BYTES_MAX, "key");
                    Bytes v = r.bytes(KvLimits.VALUE_BYTES_MAX, "value");
                    if (previous != null && previous.compareTo(k) >= 0) {
                        throw new MalformedMessageException(Reason.NON_CANONICAL, "scan keys not strictly ascending at entry " + i);
                    }
                    previous = k;
                    entries.add(Map.entry(k, v));
                }
                boolean truncated = r.bool();
                if (truncated && n == 0) {
                    throw new MalformedMessageException(Reason.INVALID_FIELD, "truncated scan result without entries");
                }
                yield new ScanResult(entries, truncated);
            }
            case TAG_ERROR -> {
                int wire = r.u16();
                KvErrorCode code = KvErrorCode.fromWire(wire).orElseThrow(
                        () -> new MalformedMessageException(Reason.INVALID_FIELD, "error code " + wire));
                String message = KvCodec.utf8(r.bytes(KvLimits.ERROR_MESSAGE_BYTES_MAX, "message"), "message");
                yield new Error(code, message);
            }
            default -> throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "result tag " + tag);
        };
        r.expectEnd();
        return result;
    }
}
