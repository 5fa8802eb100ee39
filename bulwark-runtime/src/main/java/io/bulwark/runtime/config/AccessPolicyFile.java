package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.PolicyFormatException;
import io.bulwark.kv.PrefixAccessPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The key-value store's access policy, {@code D/access.policy}, in the text format of
 * {@link PrefixAccessPolicy} ({@code default|client <id> read|write <prefix>...}). Read by the
 * execution nodes: the policy is part of the replicated application, so every execution node must
 * hold the same one (each logs its {@link PrefixAccessPolicy#digest() digest} at start). Clients
 * never need it.
 */
public final class AccessPolicyFile {
    public static final String FILE = "access.policy";
    /** Bounds what a broken file can make a node read. */
    public static final long FILE_BYTES_MAX = 16L << 20;

    private AccessPolicyFile() {}

    /**
     * The default of {@code bulwark init --firewall}: every client may read and write every key
     * except those under {@code secret}, which only {@code admin} (if {@code admin >= 0}) may read
     * and write (it may read and write everything).
     *
     * <p>Prefix rules only grant, so "everything but {@code secret}" is its complement: for each
     * position i of {@code secret}, its first i bytes followed by any other byte. A key starts
     * with one of those exactly when it does not start with {@code secret} and is not one of
     * {@code secret}'s proper prefixes (for {@code secret/}: {@code s}, {@code se}, ...,
     * {@code secret}, six keys no other client can use: a rule granting {@code s} would grant
     * {@code secret/} too).
     */
    public static PrefixAccessPolicy everythingExcept(String secret, long admin) {
        Bytes hidden = Bytes.ofUtf8(secret);
        List<Bytes> complement = new ArrayList<>();
        byte[] b = hidden.toByteArray();
        for (int i = 0; i < b.length; i++) {
            for (int v = 0; v < 256; v++) {
                if ((byte) v == b[i]) continue;
                byte[] p = java.util.Arrays.copyOf(b, i + 1);
                p[i] = (byte) v;
                complement.add(Bytes.wrapOwned(p));
            }
        }
        PrefixAccessPolicy.Rule everyone = new PrefixAccessPolicy.Rule(complement, complement);
        Map<Long, PrefixAccessPolicy.Rule> listed = admin < 0 ? Map.of()
                : Map.of(admin, new PrefixAccessPolicy.Rule(List.of(Bytes.EMPTY), List.of(Bytes.EMPTY)));
        return PrefixAccessPolicy.of(everyone, listed);
    }

    /** The text {@code bulwark init} writes: an explanation, then the policy's canonical form. */
    public static String format(PrefixAccessPolicy policy, String explanation) {
        StringBuilder s = new StringBuilder();
        s.append("# Bulwark key-value access policy, read by every execution node (all must hold the same file;\n");
        s.append("# each logs the policy's SHA-256 when it starts).\n");
        s.append("# One rule per line: 'default' (clients not listed) or 'client <id>', then 'read' or 'write', then key\n");
        s.append("# prefixes: * for every key, else printable ASCII with %XX for any other byte. A client may read (write)\n");
        s.append("# a key if one of its read (write) prefixes is a prefix of it; a listed client gets only its own lines.\n");
        s.append("# Reads of a key a client may not read answer PERMISSION_DENIED whether or not it exists; scans skip it.\n");
        for (String line : explanation.split("\n")) s.append("# ").append(line).append('\n');
        s.append(policy.toText());
        return s.toString();
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws ConfigException naming the file and line at fault
     */
    public static PrefixAccessPolicy read(Path file) throws ConfigException {
        try {
            if (Files.size(file) > FILE_BYTES_MAX) throw new ConfigException(file + ": larger than " + FILE_BYTES_MAX + " bytes");
            return PrefixAccessPolicy.load(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing access policy file");
        } catch (PolicyFormatException e) {
            throw new ConfigException("bad access policy: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }
}
