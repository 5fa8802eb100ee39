package io.bulwark.firewall.threshold;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Seeded dealings shared by the tests (dealing even a 512-bit key costs tens of milliseconds). */
public final class TestKeys {
    static final int BITS = 512;

    private static final Map<String, ThresholdKeyDealer.Dealing> CACHE = new ConcurrentHashMap<>();

    private TestKeys() {}

    /** The k = g+1 of l = 2g+1 dealing at {@link #BITS} bits. */
    static ThresholdKeyDealer.Dealing forG(int g) {
        return dealing(g + 1, 2 * g + 1, BITS, 1000 + g);
    }

    /** The k = g+1 of l = 2g+1 keys at 512 bits, for tests outside this package. */
    public static ThresholdKeyDealer.DealtKeys keysForG(int g) {
        return forG(g).keys();
    }

    static ThresholdKeyDealer.Dealing dealing(int k, int l, int bits, long seed) {
        return CACHE.computeIfAbsent(k + "/" + l + "/" + bits + "/" + seed,
                key -> ThresholdKeyDealer.dealWithTrapdoor(k, l, bits, new Random(seed)));
    }
}
