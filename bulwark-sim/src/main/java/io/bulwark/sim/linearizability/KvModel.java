package io.bulwark.sim.linearizability;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sequential specification the checker linearizes against: the semantics of
 * {@link io.bulwark.kv.KvStateMachine} (allow-all access policy) restricted to a fixed, sorted
 * set of keys, which starts empty. With one key it is a register with put/get/delete/cas; with
 * several it also answers scans over them.
 */
final class KvModel {
    private final Bytes[] keys;
    private final Map<Bytes, Integer> index = new HashMap<>();

    /** @param sortedKeys distinct keys in ascending order */
    KvModel(List<Bytes> sortedKeys) {
        this.keys = sortedKeys.toArray(new Bytes[0]);
        for (int i = 0; i < keys.length; i++) {
            if (i > 0 && keys[i - 1].compareTo(keys[i]) >= 0) throw new IllegalArgumentException("keys not sorted");
            index.put(keys[i], i);
        }
    }

    List<Bytes> keys() {
        return List.of(keys);
    }

    State initial() {
        return new State(new Bytes[keys.length]);
    }

    private int indexOf(Bytes key) {
        Integer i = index.get(key);
        if (i == null) throw new IllegalStateException("key " + key + " is not in this partition");
        return i;
    }

    /**
     * The state after {@code op} takes effect in {@code s}, or {@code null} if it cannot have
     * returned {@code observed} there. {@code observed == null}: the result is unknown (pending).
     */
    State step(State s, KvOperation op, KvResult observed) {
        return switch (op) {
            case KvOperation.Put p -> {
                if (observed != null && !(observed instanceof KvResult.Ok)) yield null;
                yield s.with(indexOf(p.key()), p.value());
            }
            case KvOperation.Get g -> {
                if (observed == null) yield s;
                if (!(observed instanceof KvResult.Value v)) yield null;
                yield Objects.equals(v.value().orElse(null), s.values[indexOf(g.key())]) ? s : null;
            }
            case KvOperation.Delete d -> {
                int i = indexOf(d.key());
                Bytes current = s.values[i];
                if (observed != null
                        && !(observed instanceof KvResult.Deleted del && del.existed() == (current != null))) {
                    yield null;
                }
                yield s.with(i, null);
            }
            case KvOperation.CompareAndSet c -> {
                int i = indexOf(c.key());
                Bytes current = s.values[i];
                boolean matches = Objects.equals(current, c.expected());
                Bytes after = matches ? c.newValue() : current;
                if (observed != null
                        && !(observed instanceof KvResult.CasResult r
                                && r.success() == matches
                                && Objects.equals(r.current().orElse(null), after))) {
                    yield null;
                }
                yield s.with(i, after);
            }
            case KvOperation.Scan scan -> {
                if (observed == null) yield s;
                yield observed instanceof KvResult.ScanResult r && scanMatches(s, scan, r) ? s : null;
            }
        };
    }

    /**
     * Whether {@code op}, having returned {@code observed}, leaves the state unchanged in
     * <em>every</em> state where that result is possible: a completed read, a failed
     * compare-and-set, one that set the value it expected, or a delete that found nothing. (Not a
     * put, even of the current value, nor any pending operation: elsewhere they may change it.)
     */
    static boolean preservesState(KvOperation op, KvResult observed) {
        if (observed == null) return false;
        return switch (op) {
            case KvOperation.Get g -> true;
            case KvOperation.Scan s -> true;
            case KvOperation.Delete d -> observed instanceof KvResult.Deleted del && !del.existed();
            case KvOperation.CompareAndSet c -> observed instanceof KvResult.CasResult r
                    && (!r.success() || Objects.equals(c.expected(), c.newValue()));
            case KvOperation.Put p -> false;
        };
    }

    /**
     * Whether the store in state {@code s} could have answered {@code scan} with {@code r}: the
     * entries are the first entries of the range, no more than the limit; if entries remain
     * after them the result says truncated (the store may stop early for its byte budget, but
     * returns at least one entry), and otherwise it does not.
     */
    private boolean scanMatches(State s, KvOperation.Scan scan, KvResult.ScanResult r) {
        List<Map.Entry<Bytes, Bytes>> seen = r.entries();
        if (seen.size() > scan.limit()) return false;
        int j = 0;
        for (int i = 0; i < keys.length; i++) {
            Bytes v = s.values[i];
            if (v == null || !scan.contains(keys[i])) continue;
            if (j == seen.size()) return r.truncated() && j > 0;
            Map.Entry<Bytes, Bytes> e = seen.get(j++);
            if (!e.getKey().equals(keys[i]) || !e.getValue().equals(v)) return false;
        }
        return j == seen.size() && !r.truncated();
    }

    String describe(State s) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (int i = 0; i < keys.length; i++) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(OperationFormat.bytes(keys[i])).append('=').append(OperationFormat.bytes(s.values[i]));
        }
        return sb.append('}').toString();
    }

    /** Values of the partition's keys, by index; {@code null} = absent. Immutable. */
    static final class State {
        private final Bytes[] values;
        private final int hash;

        private State(Bytes[] values) {
            this.values = values;
            this.hash = Arrays.hashCode(values);
        }

        State with(int i, Bytes value) {
            if (Objects.equals(values[i], value)) return this;
            Bytes[] copy = values.clone();
            copy[i] = value;
            return new State(copy);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State other && hash == other.hash && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
