package io.bulwark.runtime.config;

import java.util.Locale;

/** What a node does in the cluster. */
public enum NodeRole {
    /** Orders request batches (FaB proposer, acceptor and learner). */
    AGREEMENT,
    /** Executes ordered batches on the application and answers clients. */
    EXECUTION;

    /** The lower-case name used in {@code cluster.properties} and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NodeRole parse(String s) {
        for (NodeRole r : values()) {
            if (r.label().equals(s)) return r;
        }
        throw new IllegalArgumentException("unknown role '" + s + "' (expected agreement or execution)");
    }
}
