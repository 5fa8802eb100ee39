package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ed25519KeysTest {
    private static final Principal NODE = Principal.node(3);
    private static final Bytes SK = Ed25519Keys.generateSecretKey(new Random(42));
    private static final Bytes PK = Ed25519Keys.publicKeyOf(SK);
    private static final Signer SIGNER = Ed25519Keys.signer(NODE, SK);
    private static final byte[] MESSAGE = "propose slot 7".getBytes(StandardCharsets.UTF_8);

    @Test
    void rfc8032TestVector1() {
        Bytes sk = Bytes.fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        Bytes pk = Bytes.fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Bytes sig = Bytes.fromHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

        assertThat(Ed25519Keys.publicKeyOf(sk)).isEqualTo(pk);
        assertThat(Ed25519Keys.signer(NODE, sk).sign(new byte[0])).isEqualTo(sig);
        assertThat(Ed25519Keys.verify(pk, new byte[0], 0, 0, sig)).isTrue();
        assertThat(Ed25519Keys.verify(pk, new byte[] {0}, 0, 1, sig)).isFalse();
    }

    @Test
    void signThenVerifyRoundTrips() {
        Bytes sig = SIGNER.sign(MESSAGE);

        assertThat(SIGNER.principal()).isEqualTo(NODE);
        assertThat(sig.length()).isEqualTo(Ed25519Keys.SIGNATURE_LENGTH).isEqualTo(64);
        assertThat(PK.length()).isEqualTo(Ed25519Keys.PUBLIC_KEY_LENGTH).isEqualTo(32);
        assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length, sig)).isTrue();
        assertThat(SIGNER.sign(MESSAGE)).as("Ed25519 is deterministic").isEqualTo(sig);
    }

    @Test
    void signsAndVerifiesASliceOfABuffer() {
        byte[] framed = new byte[MESSAGE.length + 7];
        Arrays.fill(framed, (byte) 0x33);
        System.arraycopy(MESSAGE, 0, framed, 5, MESSAGE.length);

        Bytes sig = SIGNER.sign(framed, 5, MESSAGE.length);

        assertThat(sig).isEqualTo(SIGNER.sign(MESSAGE));
        assertThat(Ed25519Keys.verify(PK, framed, 5, MESSAGE.length, sig)).isTrue();
        assertThat(Ed25519Keys.verify(PK, framed, 4, MESSAGE.length, sig)).isFalse();
        assertThat(Ed25519Keys.verify(PK, framed, 5, MESSAGE.length + 1, sig)).isFalse();
    }

    @Test
    void wrongMessageFails() {
        Bytes sig = SIGNER.sign(MESSAGE);
        byte[] other = MESSAGE.clone();
        other[0] ^= 1;
        assertThat(Ed25519Keys.verify(PK, other, 0, other.length, sig)).isFalse();
        assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length - 1, sig)).isFalse();
    }

    @Test
    void wrongKeyFails() {
        Bytes otherPk = Ed25519Keys.publicKeyOf(Ed25519Keys.generateSecretKey(new Random(43)));
        assertThat(otherPk).isNotEqualTo(PK);
        assertThat(Ed25519Keys.verify(otherPk, MESSAGE, 0, MESSAGE.length, SIGNER.sign(MESSAGE))).isFalse();
    }

    @Test
    void everySingleBitFlipOfTheSignatureFails() {
        byte[] sig = SIGNER.sign(MESSAGE).toByteArray();
        for (int bit = 0; bit < sig.length * 8; bit++) {
            byte[] flipped = sig.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length, Bytes.copyOf(flipped)))
                    .as("bit %d flipped", bit).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 65, 128})
    void wrongLengthSignatureIsFalseNotAnException(int length) {
        byte[] sig = Arrays.copyOf(SIGNER.sign(MESSAGE).toByteArray(), length);
        assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length, Bytes.copyOf(sig))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 33, 64})
    void wrongLengthPublicKeyIsFalseNotAnException(int length) {
        Bytes pk = Bytes.copyOf(Arrays.copyOf(PK.toByteArray(), length));
        assertThat(Ed25519Keys.verify(pk, MESSAGE, 0, MESSAGE.length, SIGNER.sign(MESSAGE))).isFalse();
    }

    @Test
    void malformedButRightLengthInputsAreFalseNotAnException() {
        Bytes sig = SIGNER.sign(MESSAGE);
        byte[] allOnes = new byte[32];
        Arrays.fill(allOnes, (byte) 0xff); // not a point encoding
        assertThat(Ed25519Keys.verify(Bytes.copyOf(allOnes), MESSAGE, 0, MESSAGE.length, sig)).isFalse();
        assertThat(Ed25519Keys.verify(Bytes.copyOf(new byte[32]), MESSAGE, 0, MESSAGE.length, sig)).isFalse();

        byte[] badScalar = sig.toByteArray();
        Arrays.fill(badScalar, 32, 64, (byte) 0xff); // S >= group order: non-canonical, must be rejected
        assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length, Bytes.copyOf(badScalar))).isFalse();
        assertThat(Ed25519Keys.verify(PK, MESSAGE, 0, MESSAGE.length, Bytes.copyOf(new byte[64]))).isFalse();
    }

    @Test
    void secretKeysAreSeededByTheGivenRandomAndValidatedForLength() {
        assertThat(Ed25519Keys.generateSecretKey(new Random(7))).isEqualTo(Ed25519Keys.generateSecretKey(new Random(7)));
        assertThat(Ed25519Keys.generateSecretKey().length()).isEqualTo(Ed25519Keys.SECRET_KEY_LENGTH);
        assertThat(Ed25519Keys.generateSecretKey()).isNotEqualTo(Ed25519Keys.generateSecretKey());
        assertThatIllegalArgumentException().isThrownBy(() -> Ed25519Keys.publicKeyOf(Bytes.copyOf(new byte[31])));
        assertThatIllegalArgumentException().isThrownBy(() -> Ed25519Keys.signer(NODE, Bytes.copyOf(new byte[33])));
    }

    @Test
    void signerDoesNotShareTheCallersKeyArray() {
        byte[] raw = SK.toByteArray();
        Signer signer = Ed25519Keys.signer(NODE, Bytes.copyOf(raw));
        Arrays.fill(raw, (byte) 0);
        assertThat(signer.sign(MESSAGE)).isEqualTo(SIGNER.sign(MESSAGE));
    }
}
