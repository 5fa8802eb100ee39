package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;

/** The secret a leaking execution node read from its replica, as a cycle of bits to signal with. */
final class SecretBits {
    private final byte[] secret;

    SecretBits(Bytes secret) {
        this.secret = secret.length() == 0 ? new byte[] {0} : secret.toByteArray();
    }

    /** Bit {@code i} of the secret, cycling: bits 0..7 are the first byte's, lowest first. */
    int bit(long i) {
        long n = (long) secret.length * 8;
        long k = Math.floorMod(i, n);
        return (secret[(int) (k / 8)] >> (int) (k % 8)) & 1;
    }

    /** {@code count} (≤ 30) bits from position {@code i}, as a number. */
    int bits(long i, int count) {
        int v = 0;
        for (int j = 0; j < count; j++) v |= bit(i + j) << j;
        return v;
    }

    Bytes bytes() {
        return Bytes.wrapOwned(secret.clone());
    }
}
