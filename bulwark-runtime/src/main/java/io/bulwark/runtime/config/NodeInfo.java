package io.bulwark.runtime.config;

import io.bulwark.core.crypto.Principal;

/** One node of the cluster: its id, role and the address it listens on. */
public record NodeInfo(int id, NodeRole role, String host, int port) {
    public NodeInfo {
        if (id < 0) throw new IllegalArgumentException("node id must be non-negative");
        if (role == null) throw new IllegalArgumentException("role");
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must not be empty");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be in [1, 65535], got " + port);
    }

    public Principal principal() {
        return Principal.node(id);
    }

    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }

    /** {@code node-0 agreement 127.0.0.1:7000}. */
    @Override
    public String toString() {
        return principal() + " " + role.label() + " " + address();
    }
}
