package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The privacy firewall's checker (issue 4): runs one seed twice, with two different values of
 * the secret in the store, and compares everything sent to and received by the outside world.
 *
 * <h2>What is compared</h2>
 * The outside world is the clients and the agreement nodes (see {@link OutsideObserver}). For
 * each outside recipient R, each sender S (a node that is not an agreement node, or a client)
 * and each message type T, the <em>stream</em> (R, S, T) is the sequence of messages of type T
 * that S put on the wire to R, as exact bytes ({@code WireCodec.encode} of the message, or raw
 * bytes; undecodable bytes are a type of their own), in the order sent. A stream is a
 * <b>leak</b> when
 * <ul>
 *   <li>it does not hold the same messages in the two runs (a message, or a copy of one, that
 *       only one run sent), or</li>
 *   <li>it holds the same messages in another order although each was sent at the same time in
 *       both runs: that order was chosen (as a faulty node can choose it), not brought about by
 *       when things happened.</li>
 * </ul>
 * The first leak (earliest in virtual time) is reported precisely: recipient, sender, the index
 * in the stream and in the recipient's whole sequence, the message types, both encodings (hex,
 * from just before the first differing byte), and whether an encoding carries the secret verbatim.
 *
 * <h2>What is reported separately: timing</h2>
 * Everything else that differs is a function of time, and the firewall narrows timing channels
 * without closing them (docs/firewall.md, "Timing"), so it is counted and described, not failed:
 * <ul>
 *   <li>arrival times;</li>
 *   <li>a stream holding the same messages in another order, sent at other times: a correct node
 *       emits each output when the input that triggers it arrives, so the order of a filter's
 *       certificates for different slots is the order in which their replies reached it;</li>
 *   <li>what arrived, when the same was sent: loss, duplication, partitions and crashes are
 *       events in time, and a message sent at another time meets another fate;</li>
 *   <li>the interleaving of different streams at one recipient (which of two filters' copies of
 *       a certificate came first).</li>
 * </ul>
 * With {@link Scope#STRICT} the reordered streams and interleavings of received messages count
 * as leaks too, which measures how open the ordering channel is.
 *
 * <p>Both runs are compared up to the earlier of their end times: what happens after one of them
 * has stopped cannot be compared.
 */
public final class NonInterferenceCheck {
    /** Which recipients are watched and how strictly. */
    public enum Scope {
        /** Clients and agreement nodes, stream by stream (the default). */
        OUTSIDE,
        /** Clients only (without the firewall the agreement nodes see state digests in checkpoints anyway). */
        CLIENTS,
        /**
         * Clients and agreement nodes, and order as well as contents everywhere: a correct
         * sender's reordered stream and a recipient's interleaving of streams are leaks too.
         */
        STRICT
    }

    public enum Verdict {
        /** The same bytes sent and received, in the same order, at the same times. */
        IDENTICAL,
        /** The same streams sent; only times, the order of correct senders' outputs, or deliveries differ. */
        TIMING_ONLY,
        /** Some stream differs: the outside world can tell the secrets apart. */
        LEAK
    }

    /** One message put on the wire to, or arrived at, an outside recipient. */
    record Arrival(long time, Principal from, Principal to, byte[] bytes, int indexAtRecipient) {}

    /** Records the outside world's inputs of one run. Not thread-safe: one run, one thread. */
    public static final class Recording implements OutsideObserver {
        private final Map<Principal, List<Arrival>> sentTo = new LinkedHashMap<>();
        private final Map<Principal, List<Arrival>> receivedBy = new LinkedHashMap<>();
        private long received;

        @Override
        public void sent(long nowNanos, Principal from, Principal to, byte[] bytes) {
            List<Arrival> list = sentTo.computeIfAbsent(to, k -> new ArrayList<>());
            list.add(new Arrival(nowNanos, from, to, bytes, list.size()));
        }

        @Override
        public void received(long nowNanos, Principal from, Principal to, byte[] bytes) {
            List<Arrival> list = receivedBy.computeIfAbsent(to, k -> new ArrayList<>());
            list.add(new Arrival(nowNanos, from, to, bytes, list.size()));
            received++;
        }

        /** Messages the outside world received. */
        public long messages() {
            return received;
        }
    }

    /**
     * The first leak: where the two runs' streams part.
     *
     * @param index          position in the stream (recipient, sender, type), in the order sent
     * @param recipientIndexA position among everything sent to the recipient, in run A (-1: absent)
     * @param bytesA         what was sent in run A at that position (null: the stream had ended)
     * @param sameMessages   the stream holds the same messages in both runs, in another order
     */
    public record Divergence(Principal recipient, Principal sender, int type, int index, int recipientIndexA,
            int recipientIndexB, long timeA, long timeB, byte[] bytesA, byte[] bytesB, boolean carriesSecretA,
            boolean carriesSecretB, boolean sameMessages) {

        public String describe() {
            if (recipient == null) return "a recipient received the same streams interleaved differently (strict check)";
            StringBuilder b = new StringBuilder();
            if (sameMessages) b.append("(same messages, another order) ");
            b.append(recipient).append(" from ").append(sender).append(", ").append(typeName(type)).append(" #").append(index)
                    .append(": ");
            int offset = firstDifference(bytesA, bytesB);
            b.append("run A ").append(side(bytesA, recipientIndexA, timeA, offset, carriesSecretA));
            b.append("; run B ").append(side(bytesB, recipientIndexB, timeB, offset, carriesSecretB));
            return b.toString();
        }

        private static String side(byte[] bytes, int recipientIndex, long time, int offset, boolean secret) {
            if (bytes == null) return "sent nothing more";
            String what = typeName(typeOf(bytes)) + " (" + bytes.length + " bytes, message " + recipientIndex
                    + " to the recipient, sent at " + String.format("%.3f", time / 1e6) + " ms)";
            int from = offset < 0 ? 0 : Math.max(0, offset - 8);
            int to = Math.min(bytes.length, from + 48);
            return what + (secret ? " CARRIES THE SECRET" : "") + " bytes[" + from + ".." + to + ")="
                    + HexFormat.of().formatHex(bytes, from, to);
        }
    }

    /**
     * Timing differences (in full when there is no leak; up to the cutoff otherwise).
     *
     * @param compared      messages received in both runs at the same position of the same stream
     * @param shifted       of those, how many arrived at a different time
     * @param maxShiftNanos largest difference in arrival time
     * @param reordered     streams that sent the same messages in another order, at other times
     * @param resent        streams that sent the same distinct messages in the same order, with copies re-sent
     *                      another number of times or at other times
     * @param deliveries    streams that sent the same but delivered differently (loss, duplication, partitions met at another time)
     * @param interleaved   recipients whose whole arrival sequence (streams interleaved) differs
     * @param example       the first reordered stream or delivery or time difference, described; empty if none
     */
    public record Timing(long compared, long shifted, long maxShiftNanos, int reordered, int resent, int deliveries,
            int interleaved, String example) {}

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
            if (verdict != Verdict.LEAK && (timing.shifted() > 0 || timing.reordered() > 0 || timing.resent() > 0
                    || timing.deliveries() > 0 || timing.interleaved() > 0)) {
                b.append(String.format(" [timing: %d of %d messages arrived at another time (up to %.3f ms); %d streams"
                        + " reordered, %d with other re-sends, %d delivered differently; %d recipients saw another"
                        + " interleaving; first: %s]", timing.shifted(), timing.compared(), timing.maxShiftNanos() / 1e6,
                        timing.reordered(), timing.resent(), timing.deliveries(), timing.interleaved(), timing.example()));
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
        Set<Principal> faulty = new HashSet<>();
        for (Simulation.Fault f : options.faults()) faulty.add(Principal.node(f.node()));
        for (Simulation.ExecutionFaultAt f : options.execution().faults()) faulty.add(Principal.node(f.node()));
        for (Simulation.FilterFaultAt f : options.execution().filterFaults()) faulty.add(Principal.node(f.node()));
        return compare(options.seed(), a, b, secretA, secretB, runA, runB, scope, faulty);
    }

    private static SimResult run(Simulation.Options options, Recording recording) {
        try {
            return new Simulation(options, recording).run();
        } catch (RuntimeException | AssertionError crash) {
            return new SimResult(options.seed(), 0, 0, 0, List.of("simulation crashed: " + crash), List.of(), List.of(),
                    0, -1, -1, 0, 0, 0, 0, "n/a", -1, -1, 0);
        }
    }

    static Result compare(long seed, Recording a, Recording b, Bytes secretA, Bytes secretB, SimResult runA, SimResult runB,
            Scope scope) {
        return compare(seed, a, b, secretA, secretB, runA, runB, scope, Set.of());
    }

    /** @param faulty the faulty nodes of the run (for the report) */
    static Result compare(long seed, Recording a, Recording b, Bytes secretA, Bytes secretB, SimResult runA, SimResult runB,
            Scope scope, Set<Principal> faulty) {
        long cutoff = Math.min(runA.virtualNanos(), runB.virtualNanos());
        Map<String, List<Arrival>> sentA = streams(a.sentTo, cutoff, scope);
        Map<String, List<Arrival>> sentB = streams(b.sentTo, cutoff, scope);
        Map<String, List<Arrival>> receivedA = streams(a.receivedBy, cutoff, scope);
        Map<String, List<Arrival>> receivedB = streams(b.receivedBy, cutoff, scope);
        boolean strict = scope == Scope.STRICT;

        Divergence first = null;
        long firstTime = Long.MAX_VALUE;
        int reordered = 0;
        int resent = 0;
        int deliveries = 0;
        String example = "";
        long exampleTime = Long.MAX_VALUE;
        for (String key : union(sentA.keySet(), sentB.keySet())) {
            List<Arrival> sa = sentA.getOrDefault(key, List.of());
            List<Arrival> sb = sentB.getOrDefault(key, List.of());
            if (firstDifference(sa, sb) < 0) continue;
            // What a stream tells its recipient is its distinct messages, in the order each first came;
            // further copies of bytes it already sent carry only when they were sent.
            List<Arrival> fa = firstCopies(sa);
            List<Arrival> fb = firstCopies(sb);
            int i = firstDifference(fa, fb);
            if (i < 0 && !strict) {
                resent++;
                String k = key;
                long t = firstCopyDifference(sa, sb);
                if (t < exampleTime) {
                    exampleTime = t;
                    example = k + ": the same messages, re-sent another number of times or at other times";
                }
                continue;
            }
            boolean sameMessages = sameMultiset(fa, fb);
            Divergence d;
            long t;
            if (sameMessages) {
                if (i < 0) i = firstDifference(sa, sb); // strict: copies differ
                List<Arrival> xs = i < fa.size() && firstDifference(fa, fb) >= 0 ? fa : sa;
                List<Arrival> ys = xs == fa ? fb : sb;
                Arrival x = i < xs.size() ? xs.get(i) : null;
                Arrival y = i < ys.size() ? ys.get(i) : null;
                d = divergence(x, y, i, secretA, secretB, true);
                t = Math.min(x == null ? Long.MAX_VALUE : x.time(), y == null ? Long.MAX_VALUE : y.time());
            } else {
                // Report the earliest message that only one run sent, with whatever the other sent in its place.
                Arrival only = onlyIn(fa, fb, fb, fa);
                int j = fa.indexOf(only) >= 0 ? fa.indexOf(only) : fb.indexOf(only);
                boolean inA = fa.contains(only);
                Arrival other = inA ? (j < fb.size() ? fb.get(j) : null) : (j < fa.size() ? fa.get(j) : null);
                d = divergence(inA ? only : other, inA ? other : only, j, secretA, secretB, false);
                t = only.time();
            }
            // The same messages in another order are a leak only if each first went out at the same time
            // in both runs: then the order was chosen, not brought about by when inputs arrived.
            if (!sameMessages || sameTimes(fa, fb) || strict) {
                if (t < firstTime) {
                    firstTime = t;
                    first = d;
                }
            } else {
                reordered++;
                if (t < exampleTime) {
                    exampleTime = t;
                    example = "stream sent in another order: " + d.describe();
                }
            }
        }

        long compared = 0;
        long shifted = 0;
        long maxShift = 0;
        for (String key : union(receivedA.keySet(), receivedB.keySet())) {
            List<Arrival> ra = receivedA.getOrDefault(key, List.of());
            List<Arrival> rb = receivedB.getOrDefault(key, List.of());
            int n = Math.min(ra.size(), rb.size());
            for (int i = 0; i < n && Arrays.equals(ra.get(i).bytes(), rb.get(i).bytes()); i++) {
                compared++;
                long dt = Math.abs(ra.get(i).time() - rb.get(i).time());
                if (dt == 0) continue;
                shifted++;
                maxShift = Math.max(maxShift, dt);
                long t = Math.min(ra.get(i).time(), rb.get(i).time());
                if (t < exampleTime) {
                    exampleTime = t;
                    example = key + " #" + i + " arrived at " + ms(ra.get(i).time()) + " in run A, " + ms(rb.get(i).time()) + " in run B";
                }
            }
            if (!sameMultiset(ra, rb)) {
                deliveries++;
                int i = firstDifference(ra, rb);
                Arrival x = i < ra.size() ? ra.get(i) : null;
                Arrival y = i < rb.size() ? rb.get(i) : null;
                long t = Math.min(x == null ? Long.MAX_VALUE : x.time(), y == null ? Long.MAX_VALUE : y.time());
                if (t < exampleTime) {
                    exampleTime = t;
                    example = key + " delivered differently from message " + i + " (" + (x == null ? "nothing" : ms(x.time()))
                            + " in run A, " + (y == null ? "nothing" : ms(y.time())) + " in run B)";
                }
            }
        }

        int interleaved = 0;
        for (Principal r : recipients(a.receivedBy, b.receivedBy, scope)) {
            List<Arrival> ra = upTo(a.receivedBy.getOrDefault(r, List.of()), cutoff);
            List<Arrival> rb = upTo(b.receivedBy.getOrDefault(r, List.of()), cutoff);
            int n = Math.min(ra.size(), rb.size());
            for (int i = 0; i < n; i++) {
                if (!ra.get(i).from().equals(rb.get(i).from()) || !Arrays.equals(ra.get(i).bytes(), rb.get(i).bytes())) {
                    interleaved++;
                    break;
                }
            }
        }
        if (strict && first == null && (interleaved > 0 || deliveries > 0)) {
            first = new Divergence(null, null, -1, -1, -1, -1, -1, -1, null, null, false, false, true);
        }
        Verdict verdict;
        if (first != null) {
            verdict = Verdict.LEAK;
        } else if (shifted > 0 || reordered > 0 || resent > 0 || deliveries > 0 || interleaved > 0) {
            verdict = Verdict.TIMING_ONLY;
        } else {
            verdict = Verdict.IDENTICAL;
        }
        return new Result(seed, verdict, first,
                new Timing(compared, shifted, maxShift, reordered, resent, deliveries, interleaved, example), runA, runB,
                a.messages(), b.messages());
    }

    private static Divergence divergence(Arrival x, Arrival y, int index, Bytes secretA, Bytes secretB, boolean sameMessages) {
        Arrival any = x != null ? x : y;
        return new Divergence(any.to(), any.from(), typeOf(any.bytes()), index,
                x == null ? -1 : x.indexAtRecipient(), y == null ? -1 : y.indexAtRecipient(),
                x == null ? -1 : x.time(), y == null ? -1 : y.time(), x == null ? null : x.bytes(),
                y == null ? null : y.bytes(), x != null && contains(x.bytes(), secretA),
                y != null && contains(y.bytes(), secretB), sameMessages);
    }

    private static TreeSet<String> union(Set<String> x, Set<String> y) {
        TreeSet<String> all = new TreeSet<>(x);
        all.addAll(y);
        return all;
    }

    /** The first position where two streams hold different bytes (or one has ended), or -1 if they are equal. */
    private static int firstDifference(List<Arrival> x, List<Arrival> y) {
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            if (!Arrays.equals(x.get(i).bytes(), y.get(i).bytes())) return i;
        }
        return x.size() == y.size() ? -1 : n;
    }

    /** The first copy of each distinct message of a stream, in order. */
    private static List<Arrival> firstCopies(List<Arrival> stream) {
        Set<String> seen = new HashSet<>();
        List<Arrival> first = new ArrayList<>();
        for (Arrival m : stream) {
            if (seen.add(HexFormat.of().formatHex(m.bytes()))) first.add(m);
        }
        return first;
    }

    /** The earliest message of {@code x} not in {@code notInX}, or of {@code y} not in {@code notInY}. */
    private static Arrival onlyIn(List<Arrival> x, List<Arrival> notInX, List<Arrival> y, List<Arrival> notInY) {
        Arrival a = earliestMissing(x, notInX);
        Arrival b = earliestMissing(y, notInY);
        if (a == null) return b;
        if (b == null) return a;
        return b.time() < a.time() ? b : a;
    }

    private static Arrival earliestMissing(List<Arrival> from, List<Arrival> in) {
        Set<String> there = new HashSet<>();
        for (Arrival m : in) there.add(HexFormat.of().formatHex(m.bytes()));
        Arrival best = null;
        for (Arrival m : from) {
            if (!there.contains(HexFormat.of().formatHex(m.bytes())) && (best == null || m.time() < best.time())) best = m;
        }
        return best;
    }

    /** The time of the first position where two streams differ (bytes or time). */
    private static long firstCopyDifference(List<Arrival> x, List<Arrival> y) {
        int n = Math.min(x.size(), y.size());
        for (int i = 0; i < n; i++) {
            if (!Arrays.equals(x.get(i).bytes(), y.get(i).bytes()) || x.get(i).time() != y.get(i).time()) {
                return Math.min(x.get(i).time(), y.get(i).time());
            }
        }
        return n < x.size() ? x.get(n).time() : n < y.size() ? y.get(n).time() : Long.MAX_VALUE;
    }

    /** For streams with the same messages: whether each message (and each copy of it) was sent at the same time in both. */
    private static boolean sameTimes(List<Arrival> x, List<Arrival> y) {
        Map<String, Long> times = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Arrival m : x) {
            String k = HexFormat.of().formatHex(m.bytes());
            times.put(k + "#" + seen.merge(k, 1, Integer::sum), m.time());
        }
        seen.clear();
        for (Arrival m : y) {
            String k = HexFormat.of().formatHex(m.bytes());
            Long t = times.get(k + "#" + seen.merge(k, 1, Integer::sum));
            if (t == null || t != m.time()) return false;
        }
        return true;
    }

    /** Whether two streams hold the same messages, counted with repeats, in whatever order. */
    private static boolean sameMultiset(List<Arrival> x, List<Arrival> y) {
        if (x.size() != y.size()) return false;
        Map<String, Integer> counts = new HashMap<>();
        for (Arrival m : x) counts.merge(HexFormat.of().formatHex(m.bytes()), 1, Integer::sum);
        for (Arrival m : y) {
            String k = HexFormat.of().formatHex(m.bytes());
            Integer c = counts.get(k);
            if (c == null || c == 0) return false;
            counts.put(k, c - 1);
        }
        return true;
    }

    private static String ms(long nanos) {
        return String.format("%.3f ms", nanos / 1e6);
    }

    private static boolean watched(Principal recipient, Scope scope) {
        return scope != Scope.CLIENTS || recipient.kind() == Principal.Kind.CLIENT;
    }

    private static List<Principal> recipients(Map<Principal, List<Arrival>> a, Map<Principal, List<Arrival>> b, Scope scope) {
        List<Principal> all = new ArrayList<>();
        for (Principal p : a.keySet()) if (watched(p, scope)) all.add(p);
        for (Principal p : b.keySet()) if (watched(p, scope) && !all.contains(p)) all.add(p);
        all.sort(Comparator.comparing(Principal::kind).thenComparingLong(Principal::id));
        return all;
    }

    private static List<Arrival> upTo(List<Arrival> arrivals, long cutoff) {
        int n = 0;
        while (n < arrivals.size() && arrivals.get(n).time() <= cutoff) n++;
        return arrivals.subList(0, n);
    }

    /** Streams keyed "recipient <- sender TYPE"; sorted keys give a deterministic report. */
    private static Map<String, List<Arrival>> streams(Map<Principal, List<Arrival>> byRecipient, long cutoff, Scope scope) {
        Map<String, List<Arrival>> streams = new TreeMap<>();
        for (Map.Entry<Principal, List<Arrival>> e : byRecipient.entrySet()) {
            if (!watched(e.getKey(), scope)) continue;
            for (Arrival x : upTo(e.getValue(), cutoff)) {
                streams.computeIfAbsent(e.getKey() + " <- " + x.from() + " " + typeName(typeOf(x.bytes())), k -> new ArrayList<>())
                        .add(x);
            }
        }
        return streams;
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
