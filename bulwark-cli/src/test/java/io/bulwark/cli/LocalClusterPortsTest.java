package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class LocalClusterPortsTest {
    @Test
    void basePortsAreFreeAndBelowTheEphemeralRange() throws IOException {
        int ephemeral = LocalCluster.ephemeralPortsFrom();
        assertThat(ephemeral).isGreaterThan(10_000);
        for (int i = 0; i < 20; i++) {
            int base = LocalCluster.freeBasePort(13);
            assertThat(base).isGreaterThanOrEqualTo(10_000);
            assertThat(base + 13).isLessThanOrEqualTo(ephemeral);
            for (int p = base; p < base + 13; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    assertThat(s.getLocalPort()).isEqualTo(p);
                }
            }
        }
    }
}
