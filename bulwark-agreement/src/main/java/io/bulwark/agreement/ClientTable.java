package io.bulwark.agreement;

import io.bulwark.core.message.Request;
import java.util.HashMap;
import java.util.Map;

/**
 * The last decided request of every client: a request is fresh only if its timestamp is above
 * its client's last decided one. Applying this filter to the decided log in slot order makes
 * delivery exactly-once per (client, timestamp), even if a batch repeats a request.
 */
public final class ClientTable {
    /** The last fresh request of a client and the slot that decided it. */
    public record Last(long timestamp, long slot) {}

    /** One client's row, for compaction. */
    public record Entry(long clientId, long timestamp, long slot) {}

    private final Map<Long, Last> last = new HashMap<>();

    /** True if {@code r} (or a later request of its client) was already decided. */
    public boolean isDecided(Request r) {
        Last l = last.get(r.clientId());
        return l != null && r.timestamp() <= l.timestamp();
    }

    /** Records {@code r} as decided in {@code slot}; returns true if it was fresh. */
    public boolean markDecided(Request r, long slot) {
        if (isDecided(r)) return false;
        last.put(r.clientId(), new Last(r.timestamp(), slot));
        return true;
    }

    public Last last(long clientId) {
        return last.get(clientId);
    }

    public int clients() {
        return last.size();
    }

    /** Every row, ordered by client id. */
    public java.util.List<Entry> entries() {
        return last.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> new Entry(e.getKey(), e.getValue().timestamp(), e.getValue().slot()))
                .toList();
    }

    public void restore(Entry e) {
        last.put(e.clientId(), new Last(e.timestamp(), e.slot()));
    }
}
