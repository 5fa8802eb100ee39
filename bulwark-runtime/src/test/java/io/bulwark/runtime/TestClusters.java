package io.bulwark.runtime;

import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ClusterInit;
import io.bulwark.runtime.config.ConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Cluster directories for tests, on loopback ports that were free a moment ago. */
public final class TestClusters {
    private TestClusters() {}

    /** A cluster in {@code dir} whose nodes listen on consecutive free ports of 127.0.0.1. */
    public static ClusterConfig create(Path dir, int f, int t, int g, int clients) throws ConfigException {
        int nodes = 3 * f + 2 * t + 1 + (g < 0 ? 0 : 2 * g + 1);
        int base = freePortRange(nodes);
        ClusterInit.create(dir, f, t, g, "127.0.0.1", base, clients, new SecureRandom());
        return ClusterConfig.load(dir);
    }

    /**
     * A firewall cluster ({@code (h+1)²} filters) in {@code dir}, with a threshold key of
     * {@code thresholdBits} (512 keeps dealing fast; real clusters use 2048) and client 0 as the
     * administrator of {@code secret/}.
     */
    public static ClusterConfig createFirewall(Path dir, int f, int t, int g, int h, int clients, int thresholdBits)
            throws ConfigException {
        int nodes = 3 * f + 2 * t + 1 + 2 * g + 1 + (h + 1) * (h + 1);
        int base = freePortRange(nodes);
        ClusterInit.create(dir, f, t, g, "127.0.0.1", base, clients, new ClusterInit.Firewall(h, thresholdBits, clients > 0 ? 0 : -1),
                new SecureRandom());
        return ClusterConfig.load(dir);
    }

    /** The first of {@code n} consecutive ports that are all free on 127.0.0.1 right now. */
    public static int freePortRange(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000 - n);
            List<ServerSocket> held = new ArrayList<>();
            boolean ok = true;
            try {
                for (int p = base; p < base + n; p++) {
                    ServerSocket s = new ServerSocket();
                    s.setReuseAddress(true);
                    held.add(s);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                }
            } catch (IOException taken) {
                ok = false;
            } finally {
                for (ServerSocket s : held) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing a probe socket
                    }
                }
            }
            if (ok) return base;
        }
        throw new IllegalStateException("no free range of " + n + " ports");
    }
}
