package io.bulwark.runtime.config;

import java.util.Locale;

/** What a node does in the cluster. */
public enum NodeRole {
    /** Orders request batches (FaB proposer, acceptor and learner). */
    AGREEMENT,
    /** Executes ordered batches on the application and answers clients (through the filters, with a firewall). */
    EXECUTION,
    /** A privacy-firewall filter: passes ordered requests up and certified replies down. */
    FILTER;

    /** The lower-case name used in {@code cluster.properties} and on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static NodeRole parse(String s) {
        for (NodeRole r : values()) {
            if (r.label().equals(s)) return r;
        }
        throw new IllegalArgumentException("unknown role '" + s + "' (expected agreement, execution or filter)");
    }
}
