package io.bulwark.runtime.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 7468 textual encoding ("PEM"): {@code -----BEGIN LABEL-----}, base64 in 64-character
 * lines, {@code -----END LABEL-----}. Bulwark stores certificates ({@code CERTIFICATE}), PKCS#8
 * private keys ({@code PRIVATE KEY}) and raw 32-byte secrets under labels of its own.
 */
public final class PemBlocks {
    public static final String CERTIFICATE = "CERTIFICATE";
    public static final String PRIVATE_KEY = "PRIVATE KEY";
    public static final String ED25519_SECRET = "BULWARK ED25519 SECRET KEY";
    public static final String X25519_SECRET = "BULWARK X25519 SECRET KEY";
    /** Firewall: the execution cluster's X25519 secret, from which it derives every client's seal. Secret. */
    public static final String CLUSTER_X25519_SECRET = "BULWARK CLUSTER X25519 SECRET KEY";

    private PemBlocks() {}

    public static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /**
     * Every block in {@code text}, by label, in order. Text outside blocks (comments) is ignored.
     *
     * @throws IllegalArgumentException on an unterminated block, bad base64 or a repeated label
     */
    public static Map<String, byte[]> decode(String text) {
        Map<String, byte[]> blocks = new LinkedHashMap<>();
        String label = null;
        List<String> body = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (label == null) {
                if (line.startsWith("-----BEGIN ") && line.endsWith("-----")) {
                    label = line.substring(11, line.length() - 5);
                    body.clear();
                }
            } else if (line.startsWith("-----END ")) {
                if (!line.equals("-----END " + label + "-----")) {
                    throw new IllegalArgumentException("line " + lineNo + ": END does not match BEGIN " + label);
                }
                byte[] der;
                try {
                    der = Base64.getDecoder().decode(String.join("", body));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("block " + label + ": bad base64");
                }
                if (blocks.put(label, der) != null) throw new IllegalArgumentException("block " + label + " appears twice");
                label = null;
            } else {
                body.add(line);
            }
        }
        if (label != null) throw new IllegalArgumentException("block " + label + " has no END line");
        return blocks;
    }
}
