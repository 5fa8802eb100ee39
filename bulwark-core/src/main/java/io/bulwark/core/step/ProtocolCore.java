package io.bulwark.core.step;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;

/**
 * A protocol core's three inputs, the same for every role (agreement node, execution node,
 * filter): hosts (runtime, simulator) call them with the current time and carry out what the core
 * leaves in the {@link Outbox}. Cores do no I/O of their own.
 */
public interface ProtocolCore {
    /** Once, before any other input: arms the core's first timers. */
    void start(long nowNanos, Outbox out);

    /** A message from {@code from}, authenticated by the host's transport. */
    void onMessage(long nowNanos, Principal from, Message m, Outbox out);

    /** The timer {@code key} the core armed has fired. */
    void onTimer(long nowNanos, Object key, Outbox out);
}
