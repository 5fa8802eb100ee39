package io.bulwark.core.message;

final class Sequences {
    private Sequences() {}

    static void check(long value, String name) {
        if (value < 0 || value > WireLimits.SEQUENCE_MAX) {
            throw new IllegalArgumentException(name + " out of range: " + value);
        }
    }

    static void checkNode(int node, String name) {
        if (node < 0 || node >= WireLimits.NODES_MAX) {
            throw new IllegalArgumentException(name + " out of range: " + node);
        }
    }
}
