package io.bulwark.sim;

import java.util.List;

/**
 * What one run showed.
 *
 * @param decidedSlots        slots decided (the highest delivered height among correct nodes)
 * @param fastPathSlots       slot deliveries checked for the fast path (correct leader, at most t faulty, after GST)
 * @param fastPathDelaysMax   largest message-delay count among them (2 when the fast path holds), or -1 if none
 * @param linearizability     the checker's verdict on the key-value history ("linearizable", "unknown", …; "n/a" without one)
 * @param replyDelaysMax      with an execution cluster: message delays from PROPOSE to the replies clients got, on the
 *                            fast path (3: acceptors, execution nodes, client; plus one from the client makes four)
 * @param offLinkMessages     with a firewall: messages sent on a link the topology does not have (dropped by the network)
 */
public record SimResult(
        long seed,
        long decidedSlots,
        long requestsSubmitted,
        long requestsCompleted,
        List<String> safetyViolations,
        List<String> livenessViolations,
        List<String> fastPathViolations,
        long fastPathSlots,
        int fastPathDelaysMin,
        int fastPathDelaysMax,
        long messages,
        long bytes,
        long malformed,
        long virtualNanos,
        String linearizability,
        int replyDelaysMin,
        int replyDelaysMax,
        long offLinkMessages) {

    public boolean ok() {
        return safetyViolations.isEmpty() && livenessViolations.isEmpty() && fastPathViolations.isEmpty();
    }
}
