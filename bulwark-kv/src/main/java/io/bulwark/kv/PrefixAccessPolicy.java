package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An {@link AccessPolicy} by key prefix: for each listed client, the key prefixes it may read and
 * the prefixes it may write; one default rule for every client not listed. A client may read
 * (write) a key if one of its read (write) prefixes is a prefix of the key. A listed client gets
 * exactly what its own lines say — it does <em>not</em> inherit the default — so a client can be
 * given less than the default as well as more. Without a {@code default} line, unlisted clients
 * may do nothing.
 *
 * <h2>Text format</h2>
 * One rule per line; blank lines and lines whose first non-blank character is {@code #} are
 * ignored; fields are separated by spaces or tabs:
 * <pre>
 *   # Bulwark access policy
 *   default read public/
 *   client 7 read public/ shared/ team7/
 *   client 7 write shared/ team7/
 *   client 9 read *
 *   client 9 write *
 * </pre>
 * <ul>
 *   <li>{@code client <id> read|write <prefix>...} — {@code <id>} a decimal client id
 *       (0 .. 2^63−1, digits only); {@code default read|write <prefix>...} — the unlisted clients;
 *   <li>a line may list no prefix at all (the subject is then listed, with no such permission);
 *       several lines for the same subject and permission add up;
 *   <li>a {@code <prefix>} is {@code *} for the empty prefix (every key), or a word of printable
 *       ASCII other than {@code %}, {@code *} and {@code #}, in which {@code %XX} (two hex digits)
 *       stands for any byte: {@code a%20b} is the three bytes {@code a}, space, {@code b}.
 *       Prefixes are byte strings (keys are bytes), at most {@link KvLimits#KEY_BYTES_MAX} long.
 * </ul>
 * Anything else is rejected with a {@link PolicyFormatException} that names the line.
 *
 * <h2>Canonical form</h2>
 * {@link #toText()} (also {@link #toString()}) writes the policy in a canonical form: the default
 * rule first, then clients by ascending id, each with one read and one write line, prefixes
 * ascending (unsigned byte order), without duplicates or prefixes already covered by a shorter
 * one, escaped the same way every time. Two policies grant the same permissions to every client
 * exactly when their canonical texts are equal, so every execution node can be checked to hold
 * the same policy by comparing {@link #digest()}s (SHA-256 of the canonical text).
 *
 * <p>Immutable and thread-safe; {@link #canRead}/{@link #canWrite} cost one lookup in a sorted set
 * (the normalized prefixes of a list are prefix-free, so the only candidate is the greatest one
 * not above the key).
 */
public final class PrefixAccessPolicy implements AccessPolicy {
    /** The permissions of one subject: normalized prefix sets (sorted, prefix-free). */
    public record Rule(NavigableSet<Bytes> read, NavigableSet<Bytes> write) {
        public static final Rule NONE = new Rule(List.of(), List.of());

        public Rule {
            read = normalize(read);
            write = normalize(write);
        }

        public Rule(Collection<Bytes> read, Collection<Bytes> write) {
            this(new TreeSet<>(read), new TreeSet<>(write));
        }

        boolean canRead(Bytes key) {
            return covers(read, key);
        }

        boolean canWrite(Bytes key) {
            return covers(write, key);
        }
    }

    private final Rule defaultRule;
    private final TreeMap<Long, Rule> clients;
    private final String text;

    private PrefixAccessPolicy(Rule defaultRule, Map<Long, Rule> clients) {
        this.defaultRule = Objects.requireNonNull(defaultRule, "defaultRule");
        this.clients = new TreeMap<>(clients);
        for (Long id : this.clients.keySet()) {
            if (id < 0) throw new IllegalArgumentException("negative client id " + id);
        }
        this.text = canonicalText();
    }

    /** A policy with {@code defaultRule} for unlisted clients and the given rules for listed ones. */
    public static PrefixAccessPolicy of(Rule defaultRule, Map<Long, Rule> clients) {
        return new PrefixAccessPolicy(defaultRule, clients);
    }

    // ------------------------------------------------------------------------------ access

    @Override
    public boolean canRead(long clientId, Bytes key) {
        return ruleOf(clientId).canRead(key);
    }

    @Override
    public boolean canWrite(long clientId, Bytes key) {
        return ruleOf(clientId).canWrite(key);
    }

    /** Listed clients with some write prefix, if the default rule grants no write; else unbounded. */
    @Override
    public OptionalLong writers() {
        if (!defaultRule.write().isEmpty()) return OptionalLong.empty();
        return OptionalLong.of(clients.values().stream().filter(r -> !r.write().isEmpty()).count());
    }

    /** The rule that applies to {@code clientId}: its own if listed, else the default. */
    public Rule ruleOf(long clientId) {
        Rule r = clients.get(clientId);
        return r != null ? r : defaultRule;
    }

    public Rule defaultRule() {
        return defaultRule;
    }

    /** The listed clients and their rules, by ascending id. */
    public Map<Long, Rule> clients() {
        return Collections.unmodifiableMap(clients);
    }

    // ------------------------------------------------------------------------------ text

    /** The canonical text (see the class comment); {@code parse(toText())} equals this policy. */
    public String toText() {
        return text;
    }

    /** SHA-256 of the canonical text's UTF-8 bytes: equal on two nodes iff they hold the same policy. */
    public Digest digest() {
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixAccessPolicy p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** Reads and {@link #parse}s a policy file (UTF-8); errors name the file and the line. */
    public static PrefixAccessPolicy load(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyFormatException(file.toString(), 0, "the file is not UTF-8 text");
        }
        return parse(text, file.toString());
    }

    /** Parses the text format; {@link PolicyFormatException} names the first bad line. */
    public static PrefixAccessPolicy parse(String text) {
        return parse(text, "access policy");
    }

    /** As {@link #parse(String)}, with {@code source} (e.g. a file name) in error messages. */
    public static PrefixAccessPolicy parse(String text, String source) {
        Objects.requireNonNull(text, "text");
        List<Bytes> defaultRead = new ArrayList<>();
        List<Bytes> defaultWrite = new ArrayList<>();
        TreeMap<Long, List<List<Bytes>>> listed = new TreeMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("[ \t]+");
            int at;
            List<Bytes> read;
            List<Bytes> write;
            switch (f[0]) {
                case "default" -> {
                    at = 1;
                    read = defaultRead;
                    write = defaultWrite;
                }
                case "client" -> {
                    if (f.length < 2) throw new PolicyFormatException(source, number, "missing client id in: " + line);
                    long id = clientId(f[1], source, number, line);
                    List<List<Bytes>> rw = listed.computeIfAbsent(id, k -> List.of(new ArrayList<>(), new ArrayList<>()));
                    at = 2;
                    read = rw.get(0);
                    write = rw.get(1);
                }
                default -> throw new PolicyFormatException(source, number,
                        "expected 'client <id>' or 'default', found '" + f[0] + "' in: " + line);
            }
            if (f.length <= at) {
                throw new PolicyFormatException(source, number, "missing permission (read or write) in: " + line);
            }
            List<Bytes> target = switch (f[at]) {
                case "read" -> read;
                case "write" -> write;
                default -> throw new PolicyFormatException(source, number,
                        "unknown permission '" + f[at] + "' (expected read or write) in: " + line);
            };
            for (int j = at + 1; j < f.length; j++) target.add(prefix(f[j], source, number, line));
        }
        TreeMap<Long, Rule> rules = new TreeMap<>();
        listed.forEach((id, rw) -> rules.put(id, new Rule(rw.get(0), rw.get(1))));
        return new PrefixAccessPolicy(new Rule(defaultRead, defaultWrite), rules);
    }

    private static long clientId(String token, String source, int line, String text) {
        if (!token.matches("[0-9]{1,19}")) {
            throw new PolicyFormatException(source, line, "client id '" + token + "' is not a non-negative decimal number in: " + text);
        }
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new PolicyFormatException(source, line, "client id '" + token + "' is too large in: " + text);
        }
    }

    private static Bytes prefix(String token, String source, int line, String text) {
        if (token.equals("*")) return Bytes.EMPTY;
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            if (ch == '%') {
                int hi = i + 2 < token.length() ? hex(token.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hex(token.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw new PolicyFormatException(source, line, "bad escape in prefix '" + token
                            + "' (% must be followed by two hex digits) in: " + text);
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (ch > 0x20 && ch < 0x7f && ch != '*' && ch != '#') {
                out[n++] = (byte) ch;
            } else {
                throw new PolicyFormatException(source, line, "character '" + ch + "' in prefix '" + token
                        + "' must be written as %XX (or the whole prefix as * for every key) in: " + text);
            }
        }
        if (n > KvLimits.KEY_BYTES_MAX) {
            throw new PolicyFormatException(source, line, "prefix of " + n + " bytes is longer than any key ("
                    + KvLimits.KEY_BYTES_MAX + ") in: " + text);
        }
        return Bytes.copyOf(out, 0, n);
    }

    /** An ASCII hex digit's value, or -1 (Character.digit would also take other scripts' digits). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private String canonicalText() {
        StringBuilder b = new StringBuilder();
        line(b, "default", "read", defaultRule.read());
        line(b, "default", "write", defaultRule.write());
        clients.forEach((id, r) -> {
            line(b, "client " + id, "read", r.read());
            line(b, "client " + id, "write", r.write());
        });
        return b.toString();
    }

    private static void line(StringBuilder b, String subject, String permission, NavigableSet<Bytes> prefixes) {
        b.append(subject).append(' ').append(permission);
        for (Bytes p : prefixes) b.append(' ').append(format(p));
        b.append('\n');
    }

    /** The canonical spelling of a prefix: {@code *} if empty, else printable ASCII with {@code %XX} for the rest. */
    static String format(Bytes prefix) {
        if (prefix.length() == 0) return "*";
        StringBuilder b = new StringBuilder(prefix.length());
        for (int i = 0; i < prefix.length(); i++) {
            int v = prefix.byteAt(i) & 0xff;
            if (v > 0x20 && v < 0x7f && v != '%' && v != '*' && v != '#') {
                b.append((char) v);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(v >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(v & 0xf, 16)));
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------ prefix sets

    /** Sorted and prefix-free: a prefix covered by a shorter one in the set is dropped. */
    private static NavigableSet<Bytes> normalize(Collection<Bytes> prefixes) {
        TreeSet<Bytes> out = new TreeSet<>();
        for (Bytes p : new TreeSet<>(prefixes)) { // ascending: a prefix comes before what it covers
            Objects.requireNonNull(p, "prefix");
            if (p.length() > KvLimits.KEY_BYTES_MAX) throw new IllegalArgumentException("prefix longer than any key");
            if (!covers(out, p)) out.add(p);
        }
        return Collections.unmodifiableNavigableSet(out);
    }

    /**
     * Whether some prefix in the prefix-free sorted set {@code prefixes} is a prefix of
     * {@code key}. Only the greatest element not above the key can be: any larger one below the
     * key would share the candidate's bytes up to a larger one, which the candidate's being a
     * prefix of the key rules out.
     */
    private static boolean covers(NavigableSet<Bytes> prefixes, Bytes key) {
        Bytes p = prefixes.floor(key);
        return p != null && startsWith(key, p);
    }

    private static boolean startsWith(Bytes key, Bytes prefix) {
        if (prefix.length() > key.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            if (key.byteAt(i) != prefix.byteAt(i)) return false;
        }
        return true;
    }
}
