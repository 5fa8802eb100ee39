package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacKeyTest {
    private static final byte[] KEY = new byte[32];

    static {
        new Random(99).nextBytes(KEY);
    }

    private static final byte[] MESSAGE = "accepted pn=3 slot=9".getBytes(StandardCharsets.UTF_8);

    private static byte[] hmacSha256(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    @Test
    void rfc4231TestCase2TruncatedTo128Bits() throws Exception {
        byte[] jefe = "Jefe".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
        String expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assertThat(HexFormat.of().formatHex(hmacSha256(jefe, data))).isEqualTo(expected);

        // HMAC pads keys shorter than the hash block with zeros, so "Jefe" zero-padded to the
        // 32 bytes MacKey requires is the same key: MacKey must give the RFC's tag, truncated.
        MacKey mac = new MacKey(Bytes.copyOf(Arrays.copyOf(jefe, MacKey.KEY_LENGTH)));
        assertThat(mac.tag(data).toHex()).isEqualTo(expected.substring(0, 32));
    }

    @Test
    void tagIsHmacSha256TruncatedTo16Bytes() throws Exception {
        Bytes tag = new MacKey(Bytes.copyOf(KEY)).tag(MESSAGE);

        assertThat(tag.length()).isEqualTo(MacKey.TAG_LENGTH).isEqualTo(16);
        assertThat(tag.toByteArray()).isEqualTo(Arrays.copyOf(hmacSha256(KEY, MESSAGE), 16));
    }

    @Test
    void tagThenVerifyRoundTrips() {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        byte[] tag = mac.tag(MESSAGE).toByteArray();
        assertThat(mac.verify(MESSAGE, 0, MESSAGE.length, tag, 0)).isTrue();
        assertThat(new MacKey(Bytes.copyOf(KEY)).verify(MESSAGE, 0, MESSAGE.length, tag, 0))
                .as("the other end of the pair, with its own instance").isTrue();
    }

    @Test
    void repeatedUseGivesTheSameTag() {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        Bytes first = mac.tag(MESSAGE);
        mac.tag("something else".getBytes(StandardCharsets.UTF_8));
        assertThat(mac.tag(MESSAGE)).isEqualTo(first);
    }

    @Test
    void tagsAndVerifiesSlicesAtOffsets() {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        byte[] frame = new byte[3 + MESSAGE.length + MacKey.TAG_LENGTH];
        System.arraycopy(MESSAGE, 0, frame, 3, MESSAGE.length);
        mac.tag(frame, 3, MESSAGE.length, frame, 3 + MESSAGE.length);

        assertThat(Arrays.copyOfRange(frame, 3 + MESSAGE.length, frame.length)).isEqualTo(mac.tag(MESSAGE).toByteArray());
        assertThat(mac.verify(frame, 3, MESSAGE.length, frame, 3 + MESSAGE.length)).isTrue();
        assertThat(mac.verify(frame, 2, MESSAGE.length, frame, 3 + MESSAGE.length)).isFalse();
    }

    @Test
    void tamperedMessageFails() {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        byte[] tag = mac.tag(MESSAGE).toByteArray();
        for (int i = 0; i < MESSAGE.length; i++) {
            byte[] tampered = MESSAGE.clone();
            tampered[i] ^= 0x01;
            assertThat(mac.verify(tampered, 0, tampered.length, tag, 0)).as("byte %d changed", i).isFalse();
        }
        assertThat(mac.verify(MESSAGE, 0, MESSAGE.length - 1, tag, 0)).isFalse();
    }

    @Test
    void tamperedTagFails() {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        byte[] tag = mac.tag(MESSAGE).toByteArray();
        for (int bit = 0; bit < tag.length * 8; bit++) {
            byte[] t = tag.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(mac.verify(MESSAGE, 0, MESSAGE.length, t, 0)).as("bit %d", bit).isFalse();
        }
    }

    @Test
    void differentKeyFails() {
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;
        byte[] tag = new MacKey(Bytes.copyOf(KEY)).tag(MESSAGE).toByteArray();
        assertThat(new MacKey(Bytes.copyOf(otherKey)).verify(MESSAGE, 0, MESSAGE.length, tag, 0)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 1, 5, Integer.MAX_VALUE - 8, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void tagOutsideTheBufferIsFalseNotAnException(int tagOffset) {
        MacKey mac = new MacKey(Bytes.copyOf(KEY));
        byte[] tag = Arrays.copyOf(mac.tag(MESSAGE).toByteArray(), 20);
        // offset 1..4 lie inside the buffer but read the wrong bytes; 5 and above run past its end
        assertThat(mac.verify(MESSAGE, 0, MESSAGE.length, tag, tagOffset)).isFalse();
        assertThat(mac.verify(MESSAGE, 0, MESSAGE.length, new byte[15], 0)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33, 64})
    void keyMustBe32Bytes(int length) {
        assertThatIllegalArgumentException().isThrownBy(() -> new MacKey(Bytes.copyOf(new byte[length])));
    }
}
