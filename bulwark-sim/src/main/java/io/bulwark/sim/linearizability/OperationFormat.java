package io.bulwark.sim.linearizability;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.Map;
import java.util.Optional;

/** Short human-readable renderings of operations, results and byte strings for reports. */
final class OperationFormat {
    private OperationFormat() {}

    /** Printable ASCII up to 24 characters as a quoted string, anything else as (shortened) hex. */
    static String bytes(Bytes b) {
        if (b == null) return "∅";
        if (b.length() <= 24) {
            boolean printable = true;
            for (int i = 0; i < b.length() && printable; i++) {
                int c = b.byteAt(i) & 0xff;
                printable = c >= 0x20 && c < 0x7f && c != '"';
            }
            if (printable) return "\"" + b.toUtf8() + "\"";
        }
        return "0x" + b;
    }

    static String optional(Optional<Bytes> b) {
        return b.map(OperationFormat::bytes).orElse("∅");
    }

    static String operation(KvOperation op) {
        return switch (op) {
            case KvOperation.Put p -> "put(" + bytes(p.key()) + ", " + bytes(p.value()) + ")";
            case KvOperation.Get g -> "get(" + bytes(g.key()) + ")";
            case KvOperation.Delete d -> "delete(" + bytes(d.key()) + ")";
            case KvOperation.CompareAndSet c ->
                    "cas(" + bytes(c.key()) + ", " + bytes(c.expected()) + " → " + bytes(c.newValue()) + ")";
            case KvOperation.Scan s -> "scan([" + bytes(s.fromInclusive()) + ", "
                    + (s.toExclusive() == null ? "∞" : bytes(s.toExclusive())) + "), limit " + s.limit() + ")";
        };
    }

    static String result(KvResult r) {
        if (r == null) return "?";
        return switch (r) {
            case KvResult.Ok o -> "ok";
            case KvResult.Value v -> optional(v.value());
            case KvResult.Deleted d -> d.existed() ? "existed" : "was absent";
            case KvResult.CasResult c -> (c.success() ? "success, now " : "failure, current ") + optional(c.current());
            case KvResult.ScanResult s -> {
                StringBuilder sb = new StringBuilder("{");
                int shown = 0;
                for (Map.Entry<Bytes, Bytes> e : s.entries()) {
                    if (shown++ == 8) {
                        sb.append(", … ").append(s.entries().size() - 8).append(" more");
                        break;
                    }
                    if (shown > 1) sb.append(", ");
                    sb.append(bytes(e.getKey())).append('=').append(bytes(e.getValue()));
                }
                yield sb.append(s.truncated() ? "} (truncated)" : "}").toString();
            }
            case KvResult.Error e -> "error " + e.code();
        };
    }

    static String describe(History.Operation o) {
        String interval = "[" + o.invokedAt() + ", " + (o.pending() ? "never" : Long.toString(o.returnedAt())) + "]";
        return "#" + o.id() + " client " + o.clientId() + " " + interval + " " + operation(o.operation())
                + " → " + result(o.result());
    }
}
