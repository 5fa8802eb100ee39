package io.bulwark.core.message;

/** The identity of a request: execution is exactly-once per (client, timestamp). */
public record RequestId(long clientId, long timestamp) implements Comparable<RequestId> {
    @Override
    public int compareTo(RequestId o) {
        int c = Long.compare(clientId, o.clientId);
        return c != 0 ? c : Long.compare(timestamp, o.timestamp);
    }

    @Override
    public String toString() {
        return clientId + "/" + timestamp;
    }
}
