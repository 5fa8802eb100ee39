package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators for operations, results and byte strings. */
final class KvArbitraries {
    private KvArbitraries() {}

    /** Short keys over a small alphabet (so operations collide on keys), sometimes long ones. */
    static Arbitrary<Bytes> keys() {
        Arbitrary<Bytes> small = Arbitraries.bytes().between((byte) 0, (byte) 3).array(byte[].class)
                .ofMaxSize(3).map(Bytes::copyOf);
        Arbitrary<Bytes> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Bytes::copyOf);
        Arbitrary<Bytes> edge = Arbitraries.of(
                Bytes.EMPTY, Bytes.fromHex("ff"), Bytes.fromHex("00"), Bytes.fromHex("80"),
                Bytes.wrapOwned(new byte[KvLimits.KEY_BYTES_MAX]));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, small), net.jqwik.api.Tuple.of(3, any), net.jqwik.api.Tuple.of(1, edge));
    }

    static Arbitrary<Bytes> values() {
        Arbitrary<Bytes> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(Bytes::copyOf);
        Arbitrary<Bytes> big = Arbitraries.integers().between(0, 70_000).map(n -> Bytes.wrapOwned(new byte[n]));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(19, small), net.jqwik.api.Tuple.of(1, big));
    }

    static Arbitrary<Bytes> optionalValues() {
        return values().injectNull(0.3);
    }

    static Arbitrary<KvOperation> operations() {
        Arbitrary<KvOperation> put = Combinators.combine(keys(), values()).as(KvOperation.Put::new);
        Arbitrary<KvOperation> get = keys().map(KvOperation.Get::new);
        Arbitrary<KvOperation> delete = keys().map(KvOperation.Delete::new);
        Arbitrary<KvOperation> cas = Combinators.combine(keys(), optionalValues(), optionalValues())
                .as(KvOperation.CompareAndSet::new);
        Arbitrary<KvOperation> scan = Combinators.combine(keys(), keys().injectNull(0.3),
                        Arbitraries.integers().between(1, KvLimits.SCAN_LIMIT_MAX))
                .as((a, b, limit) -> {
                    if (b != null && a.compareTo(b) > 0) return new KvOperation.Scan(b, a, limit);
                    return new KvOperation.Scan(a, b, limit);
                });
        return Arbitraries.oneOf(put, get, delete, cas, scan);
    }

    static Arbitrary<KvResult> results() {
        Arbitrary<KvResult> ok = Arbitraries.just(KvResult.OK);
        Arbitrary<KvResult> value = optionalValues().map(KvResult.Value::of);
        Arbitrary<KvResult> deleted = Arbitraries.of(true, false).map(KvResult.Deleted::new);
        Arbitrary<KvResult> cas = Combinators.combine(Arbitraries.of(true, false), optionalValues())
                .as(KvResult.CasResult::of);
        Arbitrary<KvResult> scan = Combinators.combine(
                        Combinators.combine(keys(), values()).as(Map::entry).list().ofMaxSize(12),
                        Arbitraries.of(true, false))
                .as((list, truncated) -> {
                    TreeMap<Bytes, Bytes> sorted = new TreeMap<>();
                    list.forEach(e -> sorted.put(e.getKey(), e.getValue()));
                    List<Map.Entry<Bytes, Bytes>> entries = new ArrayList<>(sorted.entrySet());
                    return new KvResult.ScanResult(entries, truncated && !entries.isEmpty());
                });
        Arbitrary<KvResult> error = Combinators.combine(
                        Arbitraries.of(KvErrorCode.class),
                        Arbitraries.strings().ofMaxLength(60))
                .as((code, msg) -> {
                    StringBuilder clean = new StringBuilder();
                    msg.codePoints().filter(cp -> cp < 0xD800 || cp > 0xDFFF).forEach(clean::appendCodePoint);
                    return new KvResult.Error(code, clean.toString());
                });
        return Arbitraries.oneOf(ok, value, deleted, cas, scan, error);
    }
}
