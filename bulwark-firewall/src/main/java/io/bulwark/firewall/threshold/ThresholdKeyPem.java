package io.bulwark.firewall.threshold;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The file formats of the dealt threshold keys: one RFC 7468 ("PEM") block around the binary
 * encoding ({@link ThresholdPublicKey#encode()}, {@link ThresholdKeyShare#encode()}), base64 in
 * 64-character lines:
 *
 * <pre>
 *   -----BEGIN BULWARK THRESHOLD PUBLIC KEY-----      (every node and client: threshold-public.pem)
 *   -----BEGIN BULWARK THRESHOLD KEY SHARE-----       (execution node a+i-1 only: its share i, owner-only permissions)
 * </pre>
 *
 * A key share embeds its public key, so a share file alone lets its node sign and check. Pure
 * text in, text out: the host reads and writes the files. Decoding is strict and fails with a
 * {@link MalformedMessageException} that says what is wrong: exactly one block with the
 * expected label, only blank lines outside it, valid base64 inside, and a binary encoding that
 * its own decoder accepts (which for a share includes {@code v^{s_i} = v_i}).
 */
public final class ThresholdKeyPem {
    public static final String PUBLIC_KEY_LABEL = "BULWARK THRESHOLD PUBLIC KEY";
    public static final String KEY_SHARE_LABEL = "BULWARK THRESHOLD KEY SHARE";

    /** Longest text accepted: a 4096-bit key with 64 signers is about 45 KB of base64. */
    public static final int TEXT_CHARS_MAX = 1 << 17;

    private ThresholdKeyPem() {}

    public static String encodePublicKey(ThresholdPublicKey key) {
        return encode(PUBLIC_KEY_LABEL, key.encode());
    }

    public static ThresholdPublicKey decodePublicKey(String text) throws MalformedMessageException {
        return ThresholdPublicKey.decode(decode(PUBLIC_KEY_LABEL, text));
    }

    /** Secret: write it only to a file its execution node alone can read. */
    public static String encodeKeyShare(ThresholdKeyShare share) {
        return encode(KEY_SHARE_LABEL, share.encode());
    }

    public static ThresholdKeyShare decodeKeyShare(String text) throws MalformedMessageException {
        return ThresholdKeyShare.decode(decode(KEY_SHARE_LABEL, text));
    }

    static String encode(String label, byte[] bytes) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** The bytes inside the one block labelled {@code label}. */
    static byte[] decode(String label, String text) throws MalformedMessageException {
        if (text == null) throw new MalformedMessageException(Reason.TRUNCATED, "no text");
        if (text.length() > TEXT_CHARS_MAX) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, "key text longer than " + TEXT_CHARS_MAX + " characters");
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<String> body = new ArrayList<>();
        int state = 0; // 0: before the block, 1: inside, 2: after
        int lineNo = 0;
        for (String raw : text.split("\r?\n", -1)) {
            lineNo++;
            String line = raw.strip();
            switch (state) {
                case 0 -> {
                    if (line.equals(begin)) {
                        state = 1;
                    } else if (!line.isEmpty()) {
                        throw new MalformedMessageException(Reason.UNKNOWN_TYPE,
                                "line " + lineNo + ": expected '" + begin + "', got '" + abbreviate(line) + "'");
                    }
                }
                case 1 -> {
                    if (line.equals(end)) {
                        state = 2;
                    } else if (line.startsWith("-----")) {
                        throw new MalformedMessageException(Reason.NON_CANONICAL,
                                "line " + lineNo + ": expected base64 or '" + end + "', got '" + abbreviate(line) + "'");
                    } else {
                        body.add(line);
                    }
                }
                default -> {
                    if (!line.isEmpty()) {
                        throw new MalformedMessageException(Reason.TRAILING_BYTES,
                                "line " + lineNo + ": text after '" + end + "'");
                    }
                }
            }
        }
        if (state == 0) throw new MalformedMessageException(Reason.TRUNCATED, "no '" + begin + "' line");
        if (state == 1) throw new MalformedMessageException(Reason.TRUNCATED, "no '" + end + "' line");
        try {
            return Base64.getDecoder().decode(String.join("", body));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(Reason.NON_CANONICAL, label + ": bad base64 (" + e.getMessage() + ")");
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 48 ? line : line.substring(0, 48) + "…";
    }
}
