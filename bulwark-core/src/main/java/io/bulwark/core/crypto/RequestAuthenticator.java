package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;

/**
 * PBFT-style authenticators for client requests: one truncated HMAC-SHA256 tag per agreement
 * node, each under the key that client and node share. A client builds the whole vector; a
 * node checks only its own entry. Thread-safety is up to the implementation.
 */
public interface RequestAuthenticator {
    int TAG_LENGTH = MacKey.TAG_LENGTH;

    /** The vector for {@code nodes} agreement nodes over {@code signedBytes}, as client {@code clientId}. */
    Bytes authenticate(long clientId, byte[] signedBytes, int nodes);

    /** Whether entry {@code node} of {@code authenticator} is client {@code clientId}'s tag over {@code signedBytes}. */
    boolean verify(int node, long clientId, byte[] signedBytes, Bytes authenticator);

    /** The authenticator that knows no keys: every request falls back to its signature. */
    RequestAuthenticator NONE = new RequestAuthenticator() {
        @Override
        public Bytes authenticate(long clientId, byte[] signedBytes, int nodes) {
            return Bytes.EMPTY;
        }

        @Override
        public boolean verify(int node, long clientId, byte[] signedBytes, Bytes authenticator) {
            return false;
        }
    };
}
