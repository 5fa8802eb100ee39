package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The covert convention the simulator's colluding adversaries agree on in advance: a faulty
 * execution node that knows the secret sends it to whichever faulty filter it can reach as raw
 * bytes {@code MAGIC || secret}; a faulty filter that receives such bytes (from any direction)
 * has learned the secret and can try to get it further. Correct nodes drop the bytes as
 * malformed (they are not a message).
 */
public final class Collusion {
    private static final byte[] MAGIC = "\u0000bulwark-collude:".getBytes(StandardCharsets.US_ASCII);

    private Collusion() {}

    /** The raw bytes that hand {@code secret} to a colluder. */
    public static byte[] handOver(Bytes secret) {
        byte[] s = secret.toByteArray();
        byte[] b = Arrays.copyOf(MAGIC, MAGIC.length + s.length);
        System.arraycopy(s, 0, b, MAGIC.length, s.length);
        return b;
    }

    /** The secret handed over in {@code raw}, if that is what it is. */
    public static Optional<Bytes> received(byte[] raw) {
        if (raw.length <= MAGIC.length) return Optional.empty();
        for (int i = 0; i < MAGIC.length; i++) {
            if (raw[i] != MAGIC[i]) return Optional.empty();
        }
        return Optional.of(Bytes.wrapOwned(Arrays.copyOfRange(raw, MAGIC.length, raw.length)));
    }
}
