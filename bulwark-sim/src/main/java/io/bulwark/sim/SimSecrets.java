package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvConfig;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvStateMachine;
import io.bulwark.kv.PrefixAccessPolicy;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The confidential part of the simulated store: keys under {@code secret/} hold values that the
 * service keeps (the execution nodes have them in their replicas) and that no client of the run
 * may read or write. Every correct reply a client gets is therefore independent of them; a
 * faulty execution node can read them from its own replica and try to smuggle them out — which
 * is what the non-interference check watches for.
 */
public final class SimSecrets {
    /** Keys under this prefix are confidential. */
    public static final Bytes PREFIX = Bytes.ofUtf8("secret/");
    /** The key the secret is preloaded under. */
    public static final Bytes KEY = Bytes.ofUtf8("secret/0");
    /** Length of the values {@link #value} makes. */
    public static final int VALUE_BYTES = 16;

    /**
     * What the simulator's clients may do (bulwark-kv's {@link PrefixAccessPolicy}): read and write
     * the workload's keys ({@code k0}, {@code k1}, …) and nothing else — in particular nothing under
     * {@link #PREFIX}.
     */
    public static final PrefixAccessPolicy POLICY = PrefixAccessPolicy.parse(
            "# the simulator's clients: the workload's keys k*, nothing under secret/\n"
            + "default read k\n"
            + "default write k\n");

    private SimSecrets() {}

    public static boolean isSecret(Bytes key) {
        if (key.length() < PREFIX.length()) return false;
        byte[] k = key.toByteArray();
        byte[] p = PREFIX.toByteArray();
        for (int i = 0; i < p.length; i++) {
            if (k[i] != p[i]) return false;
        }
        return true;
    }

    /** Variant {@code variant} of run {@code seed}'s secret: printable, {@value #VALUE_BYTES} bytes, different per variant. */
    public static Bytes value(long seed, int variant) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5EC12E7L + variant);
        byte[] v = new byte[VALUE_BYTES];
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < v.length; i++) v[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        v[0] = (byte) ('A' + variant % 26); // variants differ even if the rest collided
        return Bytes.wrapOwned(v);
    }

    /** A replica of the store's initial state: {@code secret} (null: none) under {@link #KEY}, {@link #POLICY} enforced. */
    public static KvStateMachine store(Bytes secret) {
        KvStateMachine store = new KvStateMachine(KvConfig.DEFAULTS, POLICY);
        if (secret != null) {
            KvStateMachine loader = new KvStateMachine();
            loader.apply(0, new KvOperation.Put(KEY, secret));
            store.restore(loader.snapshot());
        }
        return store;
    }

    /** For messages: the bytes of a secret as text, for reports. */
    static String describe(Bytes secret) {
        return secret == null ? "none" : new String(secret.toByteArray(), StandardCharsets.UTF_8);
    }
}
