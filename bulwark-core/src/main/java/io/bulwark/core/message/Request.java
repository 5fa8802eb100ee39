package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * A client's request, signed by the client so that any node can show a third party that the
 * client asked for it (a Byzantine leader cannot invent requests). Identified by
 * (clientId, timestamp); timestamps of one client increase.
 *
 * @param signature over {@code WireCodec.signedBytes(request)}
 */
public record Request(long clientId, long timestamp, Bytes operation, Bytes signature) implements Message {
    public Request {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(signature, "signature");
        if (clientId < 0) throw new IllegalArgumentException("clientId < 0");
        if (timestamp < 0 || timestamp > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("timestamp out of range");
        if (operation.length() > WireLimits.OPERATION_BYTES_MAX) throw new IllegalArgumentException("operation too large");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }

    public RequestId id() {
        return new RequestId(clientId, timestamp);
    }
}
