package io.bulwark.client.core;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/** How one call ended, for the host to hand to whoever is waiting (see {@link ClientCore#drainOutcomes}). */
public sealed interface CallOutcome permits CallOutcome.Completed, CallOutcome.Failed {
    /** The id {@link ClientCore#submit} returned for the call. */
    long callId();

    /**
     * The call has a reply certificate: {@code result} was produced by executing the request
     * (client, {@code timestamp}) in {@code slot}.
     *
     * @param latencyNanos    from submission (queueing included) to the certificate
     * @param retransmissions times the request was re-sent to all nodes
     */
    record Completed(long callId, long timestamp, long slot, Bytes result, long latencyNanos, int retransmissions)
            implements CallOutcome {
        public Completed {
            Objects.requireNonNull(result, "result");
        }
    }

    /** The call failed; {@code detail} is a human-readable explanation. */
    record Failed(long callId, Reason reason, String detail) implements CallOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    enum Reason {
        /**
         * No reply certificate before the call's deadline. If the request was sent it may still
         * be executed (exactly once); the client has moved on to later timestamps.
         */
        TIMEOUT,
        /** Rejected at submission: {@link ClientConfig#maxQueuedCalls} calls were already pending. */
        QUEUE_FULL,
        /** The client was shut down before the call finished. */
        CLOSED
    }
}
