package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * A client's request, signed by the client so that any node can show a third party that the
 * client asked for it (a Byzantine leader cannot invent requests). Identified by
 * (clientId, timestamp); timestamps of one client increase.
 *
 * <p>It may also carry an authenticator: one MAC per agreement node over the same signed
 * bytes, so that acceptors can check the client's word in a fraction of a microsecond instead
 * of verifying a signature (PBFT's authenticators). An acceptor whose MAC does not check out
 * falls back to the signature, so a client cannot split the acceptors with bad MACs (Aardvark's
 * lesson); the leader always verifies the signature before it proposes a request.
 *
 * @param signature     over {@code WireCodec.signedBytes(request)}
 * @param authenticator {@link io.bulwark.core.crypto.RequestAuthenticator#TAG_LENGTH}-byte tags
 *                      for agreement nodes 0, 1, …, or empty
 */
public record Request(long clientId, long timestamp, Bytes operation, Bytes signature, Bytes authenticator)
        implements Message {
    public static final int AUTHENTICATOR_BYTES_MAX = 16 * WireLimits.NODES_MAX;

    public Request {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(authenticator, "authenticator");
        if (authenticator.length() > AUTHENTICATOR_BYTES_MAX) throw new IllegalArgumentException("authenticator too large");
        if (clientId < 0) throw new IllegalArgumentException("clientId < 0");
        if (timestamp < 0 || timestamp > WireLimits.SEQUENCE_MAX) throw new IllegalArgumentException("timestamp out of range");
        if (operation.length() > WireLimits.OPERATION_BYTES_MAX) throw new IllegalArgumentException("operation too large");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }

    /** A request without an authenticator: every acceptor verifies the signature. */
    public Request(long clientId, long timestamp, Bytes operation, Bytes signature) {
        this(clientId, timestamp, operation, signature, Bytes.EMPTY);
    }

    public RequestId id() {
        return new RequestId(clientId, timestamp);
    }
}
