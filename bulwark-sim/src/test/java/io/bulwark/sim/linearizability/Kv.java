package io.bulwark.sim.linearizability;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Short names for operations and results in tests; strings are UTF-8 byte strings. */
final class Kv {
    private Kv() {}

    static Bytes b(String s) {
        return s == null ? null : Bytes.ofUtf8(s);
    }

    static KvOperation put(String k, String v) {
        return new KvOperation.Put(b(k), b(v));
    }

    static KvOperation get(String k) {
        return new KvOperation.Get(b(k));
    }

    static KvOperation del(String k) {
        return new KvOperation.Delete(b(k));
    }

    static KvOperation cas(String k, String expected, String newValue) {
        return new KvOperation.CompareAndSet(b(k), b(expected), b(newValue));
    }

    static KvOperation scan(String from, String to, int limit) {
        return new KvOperation.Scan(b(from), b(to), limit);
    }

    static KvResult ok() {
        return KvResult.OK;
    }

    static KvResult val(String v) {
        return KvResult.Value.of(b(v));
    }

    static KvResult absent() {
        return KvResult.Value.absent();
    }

    static KvResult deleted(boolean existed) {
        return new KvResult.Deleted(existed);
    }

    static KvResult casResult(boolean success, String current) {
        return KvResult.CasResult.of(success, b(current));
    }

    /** {@code entries("a", "1", "b", "2")}. */
    static KvResult entries(boolean truncated, String... kv) {
        List<Map.Entry<Bytes, Bytes>> list = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) list.add(Map.entry(b(kv[i]), b(kv[i + 1])));
        return new KvResult.ScanResult(list, truncated);
    }
}
