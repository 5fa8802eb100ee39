package io.bulwark.execution;

import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Real 512-bit Shoup threshold RSA keys for the tests, dealt once per g (seeded). */
final class TestShoup {
    private static final Map<Integer, ThresholdKeyDealer.DealtKeys> KEYS = new ConcurrentHashMap<>();

    private TestShoup() {}

    /** The k = g + 1 of l = 2g + 1 key, 512 bits. */
    static ThresholdKeyDealer.DealtKeys keys(int g) {
        return KEYS.computeIfAbsent(g, x -> ThresholdKeyDealer.deal(g + 1, 2 * g + 1, 512, new Random(4000 + g)));
    }
}
