package io.bulwark.core.crypto;

/**
 * Who signed or MACed something: a node of the cluster (by its cluster-wide node id) or a
 * client (by its client id). Keys are looked up by principal, never by network address.
 */
public record Principal(Kind kind, long id) {
    public enum Kind { NODE, CLIENT }

    public Principal {
        if (kind == null) throw new IllegalArgumentException("kind");
        if (id < 0) throw new IllegalArgumentException("principal id must be non-negative: " + id);
    }

    public static Principal node(int nodeId) {
        return new Principal(Kind.NODE, nodeId);
    }

    public static Principal client(long clientId) {
        return new Principal(Kind.CLIENT, clientId);
    }

    @Override
    public String toString() {
        return (kind == Kind.NODE ? "node-" : "client-") + id;
    }
}
