package io.bulwark.sim;

import io.bulwark.core.crypto.Principal;

/**
 * Watches the outside world of a run: every message a client or an agreement node receives from
 * a node that is not an agreement node (execution nodes and filters, and clients' requests to the
 * agreement nodes), as the bytes that arrived, in arrival order. Agreement nodes are outside
 * because they are not trusted with confidential state (DESIGN.md, docs/firewall.md).
 */
public interface OutsideObserver {
    /** {@code bytes} (not to be modified) from {@code from} arrived at {@code to} at virtual time {@code nowNanos}. */
    void received(long nowNanos, Principal from, Principal to, byte[] bytes);
}
