package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.bulwark.core.bytes.Bytes;
import java.util.Random;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class X25519KeysTest {

    @Test
    void rfc7748Section61AliceAndBobAgreeOnThePublishedSharedSecret() {
        Bytes aliceSk = Bytes.fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        Bytes alicePk = Bytes.fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        Bytes bobSk = Bytes.fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        Bytes bobPk = Bytes.fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        Bytes k = Bytes.fromHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

        assertThat(X25519Keys.publicKeyOf(aliceSk)).isEqualTo(alicePk);
        assertThat(X25519Keys.publicKeyOf(bobSk)).isEqualTo(bobPk);
        assertThat(X25519Keys.sharedSecret(aliceSk, bobPk)).contains(k);
        assertThat(X25519Keys.sharedSecret(bobSk, alicePk)).contains(k);
    }

    @Test
    void rfc7748Section52FirstScalarMultiplicationVector() {
        Bytes scalar = Bytes.fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        Bytes u = Bytes.fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        Bytes out = Bytes.fromHex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");

        assertThat(X25519Keys.sharedSecret(scalar, u)).contains(out);
    }

    @Test
    void generatedKeyPairsAgreeAndAreSeededByTheGivenRandom() {
        X25519Keys.KeyPair a = X25519Keys.generateKeyPair(new Random(1));
        X25519Keys.KeyPair b = X25519Keys.generateKeyPair(new Random(2));

        assertThat(X25519Keys.generateKeyPair(new Random(1))).isEqualTo(a);
        assertThat(a.secretKey().length()).isEqualTo(X25519Keys.SECRET_KEY_LENGTH).isEqualTo(32);
        assertThat(a.publicKey().length()).isEqualTo(X25519Keys.PUBLIC_KEY_LENGTH).isEqualTo(32);
        assertThat(a.publicKey()).isEqualTo(X25519Keys.publicKeyOf(a.secretKey())).isNotEqualTo(b.publicKey());
        assertThat(X25519Keys.sharedSecret(a.secretKey(), b.publicKey()))
                .isPresent().isEqualTo(X25519Keys.sharedSecret(b.secretKey(), a.publicKey()));
        assertThat(X25519Keys.generateKeyPair()).isNotEqualTo(X25519Keys.generateKeyPair());
        assertThat(a.toString()).doesNotContain(a.secretKey().toHex());
    }

    @Test
    void generatedSecretKeysAreClamped() {
        for (int seed = 0; seed < 50; seed++) {
            byte[] sk = X25519Keys.generateSecretKey(new Random(seed)).toByteArray();
            byte[] clamped = sk.clone();
            X25519.clampPrivateKey(clamped);
            assertThat(sk).isEqualTo(clamped);
        }
    }

    @Test
    void smallOrderPeerKeysGiveNoSharedSecret() {
        Bytes sk = X25519Keys.generateSecretKey(new Random(3));
        // u = 0 and u = 1 are points of small order: the result is all zeros (RFC 7748 §6.1).
        assertThat(X25519Keys.sharedSecret(sk, Bytes.wrapOwned(new byte[32]))).isEmpty();
        byte[] one = new byte[32];
        one[0] = 1;
        assertThat(X25519Keys.sharedSecret(sk, Bytes.wrapOwned(one))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 33, 64})
    void wrongLengthPeerKeyGivesNoSharedSecretButAWrongLengthSecretKeyIsAnError(int length) {
        Bytes sk = X25519Keys.generateSecretKey(new Random(4));
        assertThat(X25519Keys.sharedSecret(sk, Bytes.wrapOwned(new byte[length]))).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> X25519Keys.publicKeyOf(Bytes.wrapOwned(new byte[length])));
        assertThatIllegalArgumentException().isThrownBy(
                () -> X25519Keys.sharedSecret(Bytes.wrapOwned(new byte[length]), X25519Keys.publicKeyOf(sk)));
    }
}
