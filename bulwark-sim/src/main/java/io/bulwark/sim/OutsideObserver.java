package io.bulwark.sim;

import io.bulwark.core.crypto.Principal;

/**
 * Watches the outside world of a run: every message sent to a client or an agreement node by the
 * inside — execution nodes and filters — as the bytes put on the wire and as the bytes that
 * arrived. Agreement nodes are outside because they are not trusted with confidential state
 * (DESIGN.md, docs/firewall.md). Messages among outside parties (a client's requests to the
 * agreement nodes, the agreement nodes' own traffic) are not watched: they are functions of what
 * the outside got from the inside, which is, and of time.
 */
public interface OutsideObserver {
    /** {@code from} put {@code bytes} (not to be modified) on the wire to {@code to} at virtual time {@code nowNanos}. */
    default void sent(long nowNanos, Principal from, Principal to, byte[] bytes) {}

    /** {@code bytes} (not to be modified) from {@code from} arrived at {@code to} at virtual time {@code nowNanos}. */
    void received(long nowNanos, Principal from, Principal to, byte[] bytes);
}
