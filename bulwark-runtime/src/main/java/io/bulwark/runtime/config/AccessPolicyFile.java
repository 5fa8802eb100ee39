package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The key-value store's access policy, {@code D/access.policy}: which client may read and write
 * which key prefixes. Read by the execution nodes (the policy is part of the replicated
 * application, so every execution node must hold the same file); clients never need it.
 *
 * <pre>
 * # one rule per line: &lt;client&gt; &lt;rights&gt; "&lt;prefix&gt;"
 * *  rw "secret/"      client: a client id, or * for every client
 * *  -  "secret/"      rights: rw, r, w or - (nothing)
 * 0  rw "secret/"      prefix: in double quotes, \" and \\ escaped; "" covers every key
 * </pre>
 *
 * For a (client, key), the rule with the longest prefix of the key decides; between a client's
 * own rule and a {@code *} rule with the same prefix, the client's own rule decides. No matching
 * rule: nothing is allowed. Two rules for the same (client, prefix) are an error.
 *
 * @param rules in file order
 */
public record AccessPolicyFile(List<Rule> rules) {
    public static final String FILE = "access.policy";
    /** Bounds what a hostile or broken file can make a node allocate. */
    public static final int RULES_MAX = 100_000;
    public static final int PREFIX_BYTES_MAX = 4096;
    public static final long FILE_BYTES_MAX = 16L << 20;

    /**
     * One rule.
     *
     * @param client a client id, or -1 for every client
     */
    public record Rule(long client, boolean read, boolean write, Bytes prefix) {
        public Rule {
            if (client < -1) throw new IllegalArgumentException("client must be an id or -1 (every client)");
            if (prefix == null || prefix.length() > PREFIX_BYTES_MAX) throw new IllegalArgumentException("prefix");
        }

        public static Rule everyClient(boolean read, boolean write, String prefix) {
            return new Rule(-1, read, write, Bytes.ofUtf8(prefix));
        }

        String rights() {
            return read && write ? "rw" : read ? "r" : write ? "w" : "-";
        }
    }

    public AccessPolicyFile {
        rules = List.copyOf(rules);
    }

    /**
     * The default of {@code bulwark init --firewall}: every client reads and writes everything
     * but {@code secret/}, which only {@code admin} (if {@code admin >= 0}) may read and write.
     */
    public static AccessPolicyFile withSecretPrefix(String secretPrefix, long admin) {
        List<Rule> rules = new ArrayList<>();
        rules.add(Rule.everyClient(true, true, ""));
        rules.add(Rule.everyClient(false, false, secretPrefix));
        if (admin >= 0) rules.add(new Rule(admin, true, true, Bytes.ofUtf8(secretPrefix)));
        return new AccessPolicyFile(rules);
    }

    /** Whether {@code client} may read {@code key}. */
    public boolean canRead(long client, Bytes key) {
        Rule r = decidingRule(client, key);
        return r != null && r.read();
    }

    /** Whether {@code client} may write {@code key}. */
    public boolean canWrite(long client, Bytes key) {
        Rule r = decidingRule(client, key);
        return r != null && r.write();
    }

    private Rule decidingRule(long client, Bytes key) {
        Rule best = null;
        for (Rule r : rules) {
            if (r.client() != -1 && r.client() != client) continue;
            if (!startsWith(key, r.prefix())) continue;
            if (best == null || r.prefix().length() > best.prefix().length()
                    || (r.prefix().length() == best.prefix().length() && r.client() != -1)) {
                best = r;
            }
        }
        return best;
    }

    static boolean startsWith(Bytes key, Bytes prefix) {
        if (prefix.length() > key.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (key.byteAt(i) != prefix.byteAt(i)) return false;
        return true;
    }

    /** The file's text, with a header explaining the format. */
    public String format() {
        StringBuilder s = new StringBuilder();
        s.append("# Bulwark key-value access policy, read by every execution node (all must hold the same file).\n");
        s.append("# One rule per line: <client> <rights> \"<prefix>\"\n");
        s.append("#   client: a client id, or * for every client\n");
        s.append("#   rights: rw (read and write), r (read), w (write) or - (nothing)\n");
        s.append("#   prefix: a key prefix in double quotes (\\\" and \\\\ escaped); \"\" covers every key\n");
        s.append("# For a key, the rule with the longest matching prefix decides; for the same prefix, a client's own\n");
        s.append("# rule beats a * rule. No matching rule: nothing allowed. Reads of a forbidden key answer\n");
        s.append("# \"permission denied\" whether or not it exists; scans skip keys the client may not read.\n");
        for (Rule r : rules) {
            s.append(r.client() < 0 ? "*" : Long.toString(r.client())).append(' ').append(r.rights()).append(' ')
                    .append(quote(r.prefix())).append('\n');
        }
        return s.toString();
    }

    private static String quote(Bytes prefix) {
        String s = prefix.toUtf8();
        if (!Bytes.ofUtf8(s).equals(prefix)) throw new IllegalArgumentException("prefix is not UTF-8");
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param clients client ids must be below this
     * @throws ConfigException naming the file and line at fault
     */
    public static AccessPolicyFile read(Path file, long clients) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > FILE_BYTES_MAX) throw new ConfigException(file + ": larger than " + FILE_BYTES_MAX + " bytes");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing access policy file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.toString(), clients);
    }

    /** Parses the text of a policy file; {@code where} names it in errors. */
    public static AccessPolicyFile parse(String text, String where, long clients) throws ConfigException {
        List<Rule> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String at = where + ":" + (i + 1) + ": ";
            String[] head = line.split("\\s+", 3);
            if (head.length != 3) throw new ConfigException(at + "expected <client> <rights> \"<prefix>\", got '" + line + "'");
            long client;
            if (head[0].equals("*")) {
                client = -1;
            } else {
                try {
                    client = Long.parseLong(head[0]);
                } catch (NumberFormatException e) {
                    throw new ConfigException(at + "client '" + head[0] + "' is neither a client id nor *");
                }
                if (client < 0 || client >= clients) {
                    throw new ConfigException(at + "client " + client + " does not exist (the cluster has clients 0.." + (clients - 1) + ")");
                }
            }
            boolean read;
            boolean write;
            switch (head[1]) {
                case "rw" -> { read = true; write = true; }
                case "r" -> { read = true; write = false; }
                case "w" -> { read = false; write = true; }
                case "-" -> { read = false; write = false; }
                default -> throw new ConfigException(at + "rights '" + head[1] + "' must be rw, r, w or -");
            }
            Bytes prefix = unquote(head[2], at);
            if (prefix.length() > PREFIX_BYTES_MAX) throw new ConfigException(at + "prefix longer than " + PREFIX_BYTES_MAX + " bytes");
            if (!seen.add(client + " " + prefix.toHex())) {
                throw new ConfigException(at + "a second rule for client " + head[0] + " and prefix " + head[2]);
            }
            if (rules.size() == RULES_MAX) throw new ConfigException(at + "more than " + RULES_MAX + " rules");
            rules.add(new Rule(client, read, write, prefix));
        }
        return new AccessPolicyFile(rules);
    }

    private static Bytes unquote(String s, String at) throws ConfigException {
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            throw new ConfigException(at + "prefix " + s + " must be in double quotes");
        }
        StringBuilder plain = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length() - 1) throw new ConfigException(at + "prefix ends in a lone backslash");
                char n = s.charAt(++i);
                if (n != '\\' && n != '"') throw new ConfigException(at + "unknown escape \\" + n + " (only \\\" and \\\\)");
                plain.append(n);
            } else if (c == '"') {
                throw new ConfigException(at + "unescaped \" inside the prefix");
            } else {
                plain.append(c);
            }
        }
        return Bytes.wrapOwned(plain.toString().getBytes(StandardCharsets.UTF_8));
    }
}
