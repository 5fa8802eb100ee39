package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The privacy firewall's checker (issue 4): runs one seed twice, with two different values of
 * the secret in the store, and compares everything the outside world received.
 *
 * <h2>What is compared</h2>
 * The outside world is the clients and the agreement nodes (see {@link OutsideObserver}). For
 * each outside recipient R, each sender S (a node that is not an agreement node, or a client)
 * and each message type T, the <em>stream</em> (R, S, T) is the sequence of messages of type T
 * that R received from S, as the exact bytes that arrived ({@code WireCodec.encode} of what was
 * sent, or raw bytes), in arrival order. Undecodable bytes form a stream of their own per sender.
 * Non-interference holds when every stream is identical in the two runs; the first stream that
 * differs is a <b>leak</b>: the outside world could tell the two secrets apart from contents,
 * counts or order of what it was sent. It is reported precisely: recipient, sender, the index
 * in the stream and in the recipient's whole sequence, the message types, and both encodings.
 *
 * <h2>What is reported separately</h2>
 * Arrival times, and the interleaving of different streams at one recipient (which of two
 * filters' copies of a certificate came first, whether a certificate arrived before or after a
 * client's next request), are functions of timing. The firewall narrows timing channels but
 * does not close them (docs/firewall.md, "Timing"), so a timing difference is counted and
 * described, not failed. (With a {@link Scope#STRICT} check the interleaving counts as a leak too.)
 *
 * <p>Both runs are compared up to the earlier of their end times: what arrives after one of
 * them has stopped cannot be compared.
 */
public final class NonInterferenceCheck {
    /** Which recipients are watched and how strictly. */
    public enum Scope {
        /** Clients and agreement nodes, stream by stream (the default). */
        OUTSIDE,
        /** Clients only (without the firewall the agreement nodes see state digests in checkpoints anyway). */
        CLIENTS,
        /** Clients and agreement nodes, and each recipient's whole sequence in arrival order. */
        STRICT
    }

    public enum Verdict {
        /** Same bytes, same order, same times. */
        IDENTICAL,
        /** Same streams; only arrival times or the interleaving of streams differ. */
        TIMING_ONLY,
        /** Some stream differs: the outside world can tell the secrets apart. */
        LEAK
    }

    /** One message as it arrived. */
    record Arrival(long time, Principal from, Principal to, byte[] bytes, int indexAtRecipient) {}

    /** Records the outside world's inputs of one run. Not thread-safe: one run, one thread. */
    public static final class Recording implements OutsideObserver {
        private final Map<Principal, List<Arrival>> byRecipient = new LinkedHashMap<>();
        private long messages;

        @Override
        public void received(long nowNanos, Principal from, Principal to, byte[] bytes) {
            List<Arrival> list = byRecipient.computeIfAbsent(to, k -> new ArrayList<>());
            list.add(new Arrival(nowNanos, from, to, bytes, list.size()));
            messages++;
        }

        public long messages() {
            return messages;
        }
    }

    /**
     * The first difference between the two runs' streams.
     *
     * @param index          position in the stream (recipient, sender, type)
     * @param recipientIndex position in the recipient's whole sequence, in run A and in run B (-1: absent)
     * @param bytesA         what arrived in run A at that position (null: the stream had ended)
     */
    public record Divergence(Principal recipient, Principal sender, int type, int index, int recipientIndexA,
            int recipientIndexB, long timeA, long timeB, byte[] bytesA, byte[] bytesB, boolean carriesSecretA,
            boolean carriesSecretB) {

        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append(recipient).append(" from ").append(sender).append(", ").append(typeName(type)).append(" #").append(index)
                    .append(": ");
            int offset = firstDifference(bytesA, bytesB);
            b.append("run A ").append(side(bytesA, recipientIndexA, timeA, offset, carriesSecretA));
            b.append("; run B ").append(side(bytesB, recipientIndexB, timeB, offset, carriesSecretB));
            return b.toString();
        }

        private static String side(byte[] bytes, int recipientIndex, long time, int offset, boolean secret) {
            if (bytes == null) return "received nothing more";
            String what = typeName(typeOf(bytes)) + " (" + bytes.length + " bytes, message " + recipientIndex
                    + " at the recipient, " + String.format("%.3f", time / 1e6) + " ms)";
            int from = offset < 0 ? 0 : Math.max(0, offset - 8);
            int to = Math.min(bytes.length, from + 48);
            return what + (secret ? " CARRIES THE SECRET" : "") + " bytes[" + from + ".." + to + ")="
                    + HexFormat.of().formatHex(bytes, from, to);
        }
    }

    /**
     * Timing differences between runs whose streams are identical (or up to the first leak).
     *
     * @param compared      messages compared (in both runs, up to the cutoff)
     * @param shifted       of those, how many arrived at a different time
     * @param maxShiftNanos largest difference in arrival time
     * @param reordered     recipients whose whole arrival sequence (streams interleaved) differs
     * @param example       the first shifted or reordered message, described; empty if none
     */
    public record Timing(long compared, long shifted, long maxShiftNanos, int reordered, String example) {}

    /** What one seed showed. */
    public record Result(long seed, Verdict verdict, Divergence divergence, Timing timing, SimResult runA, SimResult runB,
            long observedA, long observedB) {
        /** Safety or liveness broken in either run (the run's own checkers). */
        public boolean runsOk() {
            return runA.ok() && runB.ok();
        }

        public String describe() {
            StringBuilder b = new StringBuilder("seed " + seed + ": " + verdict);
            if (divergence != null) b.append(" — ").append(divergence.describe());
            if (verdict != Verdict.LEAK && (timing.shifted() > 0 || timing.reordered() > 0)) {
                b.append(String.format(" [timing: %d of %d messages shifted, up to %.3f ms; %d recipients saw another interleaving; e.g. %s]",
                        timing.shifted(), timing.compared(), timing.maxShiftNanos() / 1e6, timing.reordered(), timing.example()));
            }
            return b.toString();
        }
    }

    private NonInterferenceCheck() {}

    /** Runs {@code options} with secret A and with secret B (its execution setup must exist) and compares. */
    public static Result check(Simulation.Options options, Bytes secretA, Bytes secretB, Scope scope) {
        if (options.execution() == null) throw new IllegalArgumentException("needs an execution cluster (g >= 0)");
        if (secretA.equals(secretB)) throw new IllegalArgumentException("the two secrets must differ");
        if (options.trace() != null) options.trace().println("=== run A: secret " + SimSecrets.describe(secretA));
        Recording a = new Recording();
        SimResult runA = run(options.withExecution(options.execution().withSecret(secretA)), a);
        if (options.trace() != null) options.trace().println("=== run B: secret " + SimSecrets.describe(secretB));
        Recording b = new Recording();
        SimResult runB = run(options.withExecution(options.execution().withSecret(secretB)), b);
        return compare(options.seed(), a, b, secretA, secretB, runA, runB, scope);
    }

    private static SimResult run(Simulation.Options options, Recording recording) {
        try {
            return new Simulation(options, recording).run();
        } catch (RuntimeException | AssertionError crash) {
            return new SimResult(options.seed(), 0, 0, 0, List.of("simulation crashed: " + crash), List.of(), List.of(),
                    0, -1, -1, 0, 0, 0, 0, "n/a", -1, -1);
        }
    }

    static Result compare(long seed, Recording a, Recording b, Bytes secretA, Bytes secretB, SimResult runA, SimResult runB,
            Scope scope) {
        long cutoff = Math.min(runA.virtualNanos(), runB.virtualNanos());
        Map<String, List<Arrival>> streamsA = streams(a, cutoff, scope);
        Map<String, List<Arrival>> streamsB = streams(b, cutoff, scope);
        Divergence first = null;
        long firstTime = Long.MAX_VALUE;
        long compared = 0;
        long shifted = 0;
        long maxShift = 0;
        String example = "";
        long exampleTime = Long.MAX_VALUE;
        TreeMap<String, Boolean> keys = new TreeMap<>();
        for (String k : streamsA.keySet()) keys.put(k, true);
        for (String k : streamsB.keySet()) keys.put(k, true);
        for (String key : keys.keySet()) {
            List<Arrival> sa = streamsA.getOrDefault(key, List.of());
            List<Arrival> sb = streamsB.getOrDefault(key, List.of());
            int n = Math.max(sa.size(), sb.size());
            for (int i = 0; i < n; i++) {
                Arrival x = i < sa.size() ? sa.get(i) : null;
                Arrival y = i < sb.size() ? sb.get(i) : null;
                if (x != null && y != null && Arrays.equals(x.bytes(), y.bytes())) {
                    compared++;
                    if (x.time() != y.time()) {
                        shifted++;
                        maxShift = Math.max(maxShift, Math.abs(x.time() - y.time()));
                        long t = Math.min(x.time(), y.time());
                        if (t < exampleTime) {
                            exampleTime = t;
                            example = key + " #" + i + " arrived at " + ms(x.time()) + " in run A, " + ms(y.time()) + " in run B";
                        }
                    }
                    continue;
                }
                long t = Math.min(x == null ? Long.MAX_VALUE : x.time(), y == null ? Long.MAX_VALUE : y.time());
                if (t < firstTime) {
                    firstTime = t;
                    Arrival any = x != null ? x : y;
                    first = new Divergence(any.to(), any.from(), typeOf(any.bytes()), i,
                            x == null ? -1 : x.indexAtRecipient(), y == null ? -1 : y.indexAtRecipient(),
                            x == null ? -1 : x.time(), y == null ? -1 : y.time(), x == null ? null : x.bytes(),
                            y == null ? null : y.bytes(), x != null && contains(x.bytes(), secretA),
                            y != null && contains(y.bytes(), secretB));
                }
                break;
            }
        }
        int reordered = 0;
        for (Principal r : recipients(a, b, scope)) {
            List<Arrival> ra = upTo(a.byRecipient.getOrDefault(r, List.of()), cutoff);
            List<Arrival> rb = upTo(b.byRecipient.getOrDefault(r, List.of()), cutoff);
            int n = Math.min(ra.size(), rb.size());
            for (int i = 0; i < n; i++) {
                if (!ra.get(i).from().equals(rb.get(i).from()) || !Arrays.equals(ra.get(i).bytes(), rb.get(i).bytes())) {
                    reordered++;
                    long t = Math.min(ra.get(i).time(), rb.get(i).time());
                    if (t < exampleTime && first == null) {
                        exampleTime = t;
                        example = r + " message " + i + ": " + typeName(typeOf(ra.get(i).bytes())) + " from " + ra.get(i).from()
                                + " in run A, " + typeName(typeOf(rb.get(i).bytes())) + " from " + rb.get(i).from() + " in run B";
                    }
                    break;
                }
            }
        }
        Verdict verdict;
        if (first != null || (scope == Scope.STRICT && reordered > 0)) {
            verdict = Verdict.LEAK;
        } else if (shifted > 0 || reordered > 0) {
            verdict = Verdict.TIMING_ONLY;
        } else {
            verdict = Verdict.IDENTICAL;
        }
        return new Result(seed, verdict, first, new Timing(compared, shifted, maxShift, reordered, example), runA, runB,
                a.messages(), b.messages());
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }

    private static boolean watched(Principal recipient, Scope scope) {
        return scope != Scope.CLIENTS || recipient.kind() == Principal.Kind.CLIENT;
    }

    private static List<Principal> recipients(Recording a, Recording b, Scope scope) {
        List<Principal> all = new ArrayList<>();
        for (Principal p : a.byRecipient.keySet()) if (watched(p, scope)) all.add(p);
        for (Principal p : b.byRecipient.keySet()) if (watched(p, scope) && !all.contains(p)) all.add(p);
        all.sort(Comparator.comparing(Principal::kind).thenComparingLong(Principal::id));
        return all;
    }

    private static List<Arrival> upTo(List<Arrival> arrivals, long cutoff) {
        int n = 0;
        while (n < arrivals.size() && arrivals.get(n).time() <= cutoff) n++;
        return arrivals.subList(0, n);
    }

    /** Streams keyed "recipient <- sender TYPE", sorted keys give a deterministic report. */
    private static Map<String, List<Arrival>> streams(Recording r, long cutoff, Scope scope) {
        Map<String, List<Arrival>> streams = new TreeMap<>();
        for (Map.Entry<Principal, List<Arrival>> e : r.byRecipient.entrySet()) {
            if (!watched(e.getKey(), scope)) continue;
            for (Arrival x : upTo(e.getValue(), cutoff)) {
                streams.computeIfAbsent(streamKey(e.getKey(), x), k -> new ArrayList<>()).add(x);
            }
        }
        return streams;
    }

    private static String streamKey(Principal recipient, Arrival x) {
        return recipient + " <- " + x.from() + " " + typeName(typeOf(x.bytes()));
    }

    /** The wire type tag, or -1 for bytes that are not even shaped like a message. */
    static int typeOf(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == WireCodec.VERSION ? bytes[1] & 0xFF : -1;
    }

    private static final String[] NAMES = {"?", "REQUEST", "PROPOSE", "ACCEPTED", "SIGNED-ACCEPT", "COMMIT", "VIEW-CHANGE",
        "NEW-VIEW", "CHECKPOINT", "DECISION-QUERY", "DECIDED", "REPLY", "EXECUTION-CHECKPOINT", "STATE-REQUEST",
        "STATE-SNAPSHOT", "ORDERED", "REPLY-SHARE", "SLOT-REPLIES", "REPLY-CERTIFICATE", "EXECUTED-CERTIFICATE"};

    static String typeName(int type) {
        if (type < 0) return "RAW";
        return type < NAMES.length && type > 0 ? NAMES[type] : "TYPE-" + type;
    }

    private static int firstDifference(byte[] x, byte[] y) {
        if (x == null || y == null) return -1;
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i] != y[i]) return i;
        }
        return n;
    }

    /** Whether {@code secret} occurs verbatim in {@code bytes}: a diagnostic, not part of the verdict. */
    static boolean contains(byte[] bytes, Bytes secret) {
        if (secret == null || secret.length() == 0) return false;
        byte[] s = secret.toByteArray();
        outer:
        for (int i = 0; i + s.length <= bytes.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (bytes[i + j] != s[j]) continue outer;
            }
            return true;
        }
        return false;
    }
}
