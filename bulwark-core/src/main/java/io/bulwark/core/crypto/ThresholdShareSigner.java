package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;

/**
 * One execution node's share of the execution cluster's threshold signing key (k = g+1 of
 * l = 2g+1 shares combine; fewer reveal nothing). Signing is a pure, deterministic function of
 * the key share and the message, so cores can call it. Holding one is holding that node's share:
 * the simulator hands a Byzantine strategy only the shares of the nodes it controls.
 */
public interface ThresholdShareSigner {
    /** This share's index, 1 ≤ index ≤ l; execution node {@code a + index − 1} holds it. */
    int index();

    /** The encoded signature share (with its validity proof) on {@code message}. */
    Bytes signShare(byte[] message);
}
