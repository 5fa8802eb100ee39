package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/** Node → client: the request (clientId, timestamp) was decided in {@code slot} and produced {@code result}. */
public record Reply(long clientId, long timestamp, long slot, Bytes result) implements Message {
    public Reply {
        Objects.requireNonNull(result, "result");
        if (clientId < 0) throw new IllegalArgumentException("clientId < 0");
        Sequences.check(timestamp, "timestamp");
        Sequences.check(slot, "slot");
        if (result.length() > WireLimits.RESULT_BYTES_MAX) throw new IllegalArgumentException("result too large");
    }
}
