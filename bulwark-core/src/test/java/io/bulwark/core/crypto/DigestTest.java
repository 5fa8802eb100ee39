package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sha256OfAbcIsTheFips180Vector() {
        assertThat(Digest.sha256(ABC).value().toHex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digest.sha256(new byte[0]).value().toHex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void sha256OfASliceHashesOnlyTheSlice() {
        byte[] framed = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        assertThat(Digest.sha256(framed, 2, 3)).isEqualTo(Digest.sha256(ABC));
    }

    @Test
    void chainIsTheHashOfBothDigestsConcatenated() {
        Digest a = Digest.sha256(ABC);
        Digest b = Digest.sha256(new byte[] {1});
        byte[] both = new byte[64];
        a.value().copyTo(both, 0);
        b.value().copyTo(both, 32);

        assertThat(Digest.chain(a, b)).isEqualTo(Digest.sha256(both));
        assertThat(Digest.chain(a, b)).as("order matters").isNotEqualTo(Digest.chain(b, a));
        assertThat(Digest.chain(Digest.chain(Digest.ZERO, a), b)).isNotEqualTo(Digest.chain(Digest.chain(Digest.ZERO, b), a));
    }

    @Test
    void digestsAreExactly32Bytes() {
        assertThat(Digest.ZERO.value()).isEqualTo(Bytes.copyOf(new byte[32]));
        assertThatIllegalArgumentException().isThrownBy(() -> new Digest(Bytes.copyOf(new byte[31])));
        assertThatIllegalArgumentException().isThrownBy(() -> new Digest(Bytes.copyOf(new byte[33])));
        assertThatIllegalArgumentException().isThrownBy(() -> new Digest(Bytes.EMPTY));
        assertThatNullPointerException().isThrownBy(() -> new Digest(null));
    }

    @Test
    void digestsAreValuesOrderedByUnsignedBytes() {
        Digest d = Digest.sha256(ABC);
        assertThat(new Digest(Bytes.fromHex(d.value().toHex()))).isEqualTo(d).hasSameHashCodeAs(d);
        byte[] high = new byte[32];
        high[0] = (byte) 0x80;
        assertThat(Digest.ZERO.compareTo(new Digest(Bytes.copyOf(high)))).isNegative();
        assertThat(d.toString()).isEqualTo("ba7816bf8f01");
    }
}
