package io.bulwark.core.bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void equalityAndHashAreByValue() {
        Bytes a = Bytes.copyOf(new byte[] {1, 2, 3});
        Bytes b = Bytes.fromHex("010203");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Bytes.fromHex("0102")).isNotEqualTo(Bytes.fromHex("010204"));
        assertThat(a).isNotEqualTo(new byte[] {1, 2, 3});
        assertThat(a.hashCode()).as("cached hash is stable").isEqualTo(a.hashCode());
    }

    @Test
    void hashOfAValueWhoseArrayHashIsZeroIsStillConsistent() {
        // Arrays.hashCode(new byte[]{-31}) == 31 * 1 + (-31) == 0: exercises the lazy-cache sentinel.
        Bytes zeroHash = Bytes.copyOf(new byte[] {-31});
        assertThat(java.util.Arrays.hashCode(new byte[] {-31})).isZero();
        assertThat(zeroHash.hashCode()).isZero().isEqualTo(Bytes.copyOf(new byte[] {-31}).hashCode());
    }

    @Test
    void emptyValuesAreAllEqualToEmpty() {
        assertThat(Bytes.copyOf(new byte[0])).isSameAs(Bytes.EMPTY);
        assertThat(Bytes.copyOf(new byte[] {1, 2}, 1, 0)).isSameAs(Bytes.EMPTY);
        assertThat(Bytes.wrapOwned(new byte[0])).isSameAs(Bytes.EMPTY);
        assertThat(Bytes.ofUtf8("")).isEqualTo(Bytes.EMPTY);
        assertThat(Bytes.EMPTY.length()).isZero();
    }

    @Test
    void compareIsUnsignedLexicographic() {
        List<Bytes> sorted = new ArrayList<>(List.of(Bytes.fromHex("ff"), Bytes.fromHex("80"), Bytes.fromHex("7f"),
                Bytes.fromHex("7f00"), Bytes.EMPTY, Bytes.fromHex("00")));
        sorted.sort(null);
        assertThat(sorted).containsExactly(Bytes.EMPTY, Bytes.fromHex("00"), Bytes.fromHex("7f"), Bytes.fromHex("7f00"),
                Bytes.fromHex("80"), Bytes.fromHex("ff"));
        assertThat(Bytes.fromHex("0102").compareTo(Bytes.fromHex("0102"))).isZero();
    }

    @Test
    void copyOfCopiesTheSourceArray() {
        byte[] source = {1, 2, 3};
        Bytes b = Bytes.copyOf(source);
        source[0] = 9;
        assertThat(b.byteAt(0)).isEqualTo((byte) 1);

        byte[] range = {0, 1, 2, 3, 4};
        Bytes slice = Bytes.copyOf(range, 1, 3);
        range[2] = 9;
        assertThat(slice).isEqualTo(Bytes.fromHex("010203"));
    }

    @Test
    void toByteArrayReturnsAFreshCopy() {
        Bytes b = Bytes.fromHex("0a0b0c");
        byte[] out = b.toByteArray();
        out[0] = 0;
        assertThat(b.toByteArray()).containsExactly(0x0a, 0x0b, 0x0c);
        assertThat(b.toByteArray()).isNotSameAs(b.toByteArray());
    }

    @Test
    void readOnlyBufferCannotChangeTheValue() {
        Bytes b = Bytes.fromHex("0102");
        ByteBuffer buf = b.asReadOnlyBuffer();
        assertThat(buf.isReadOnly()).isTrue();
        assertThat(buf.remaining()).isEqualTo(2);
        assertThatThrownBy(() -> buf.put(0, (byte) 7)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(buf.hasArray()).isFalse();
        assertThat(b).isEqualTo(Bytes.fromHex("0102"));
    }

    @Test
    void copyToAndWriteToEmitTheValue() throws Exception {
        Bytes b = Bytes.fromHex("a1b2");
        byte[] dst = new byte[4];
        b.copyTo(dst, 1);
        assertThat(dst).containsExactly(0, 0xa1, 0xb2, 0);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        assertThat(out.toByteArray()).containsExactly(0xa1, 0xb2);

        MessageDigest md = MessageDigest.getInstance("SHA-256");
        b.writeTo(md);
        assertThat(md.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) 0xa1, (byte) 0xb2}));
    }

    @Test
    void hexAndUtf8RoundTrip() {
        assertThat(Bytes.fromHex("00ff10").toHex()).isEqualTo("00ff10");
        assertThat(Bytes.ofUtf8("héllo").toUtf8()).isEqualTo("héllo");
        assertThat(Bytes.ofUtf8("héllo").length()).isEqualTo(6);
    }

    @Test
    void toStringShowsShortValuesWhollyAndLongOnesAbbreviated() {
        assertThat(Bytes.fromHex("0102")).hasToString("0102");
        assertThat(Bytes.copyOf(new byte[40])).hasToString("0000000000000000…(40B)");
    }
}
