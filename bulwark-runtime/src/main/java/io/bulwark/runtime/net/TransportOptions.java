package io.bulwark.runtime.net;

/**
 * Tunables of a transport.
 *
 * @param ioThreads          Netty I/O threads (1–2: a host runs many processes on few cores)
 * @param outboundQueueMax   frames queued per peer while it is unreachable or not writable; beyond
 *                           that the oldest is dropped and counted (the protocols retransmit)
 * @param writeLowWaterBytes  a channel becomes writable again below this many pending bytes
 * @param writeHighWaterBytes a channel becomes unwritable above this many pending bytes
 * @param clientPendingBytesMax bytes a node lets pile up for one slow client before dropping replies
 * @param backoffMinMillis   first reconnect delay; doubles per failed attempt (jittered)
 * @param backoffMaxMillis   cap on the reconnect delay
 * @param connectTimeoutMillis TCP connect timeout
 * @param handshakeTimeoutMillis TLS handshake timeout
 */
public record TransportOptions(int ioThreads, int outboundQueueMax, int writeLowWaterBytes, int writeHighWaterBytes,
        long clientPendingBytesMax, long backoffMinMillis, long backoffMaxMillis, int connectTimeoutMillis,
        long handshakeTimeoutMillis) {
    public TransportOptions {
        if (ioThreads < 1) throw new IllegalArgumentException("ioThreads < 1");
        if (outboundQueueMax < 1) throw new IllegalArgumentException("outboundQueueMax < 1");
        if (writeLowWaterBytes < 1 || writeHighWaterBytes < writeLowWaterBytes) throw new IllegalArgumentException("water marks");
        if (backoffMinMillis < 1 || backoffMaxMillis < backoffMinMillis) throw new IllegalArgumentException("backoff");
    }

    public static TransportOptions defaults() {
        return new TransportOptions(1, 8192, 256 * 1024, 1024 * 1024, 16L << 20, 50, 2000, 2000, 10_000);
    }

    public TransportOptions withIoThreads(int n) {
        return new TransportOptions(n, outboundQueueMax, writeLowWaterBytes, writeHighWaterBytes, clientPendingBytesMax,
                backoffMinMillis, backoffMaxMillis, connectTimeoutMillis, handshakeTimeoutMillis);
    }

    public TransportOptions withOutboundQueueMax(int n) {
        return new TransportOptions(ioThreads, n, writeLowWaterBytes, writeHighWaterBytes, clientPendingBytesMax,
                backoffMinMillis, backoffMaxMillis, connectTimeoutMillis, handshakeTimeoutMillis);
    }
}
