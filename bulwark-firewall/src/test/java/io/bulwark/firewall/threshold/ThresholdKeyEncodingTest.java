package io.bulwark.firewall.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.codec.MalformedMessageException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte and text (PEM) encodings of the dealt keys, shares and signatures: round trips and strict rejection. */
class ThresholdKeyEncodingTest {
    private static final byte[] MESSAGE = "m".getBytes(StandardCharsets.UTF_8);

    @Test
    void binaryEncodingsRoundTrip() throws MalformedMessageException {
        var keys = TestKeys.forG(2).keys();
        assertThat(ThresholdPublicKey.decode(keys.publicKey().encode())).isEqualTo(keys.publicKey());
        for (ThresholdKeyShare share : keys.shares()) {
            assertThat(ThresholdKeyShare.decode(share.encode())).isEqualTo(share);
            SignatureShare signed = ThresholdRsa.sign(share, MESSAGE);
            assertThat(SignatureShare.decode(signed.encode())).isEqualTo(signed);
        }
        var signature = ((CombineResult.Combined) ThresholdRsa.combine(keys.publicKey(), MESSAGE,
                keys.shares().stream().map(s -> ThresholdRsa.sign(s, MESSAGE)).toList())).signature();
        assertThat(ThresholdSignature.decode(signature.encode())).isEqualTo(signature);
    }

    @Test
    void pemRoundTripsAndLooksLikePem() throws MalformedMessageException {
        var keys = TestKeys.forG(1).keys();
        String publicText = ThresholdKeyPem.encodePublicKey(keys.publicKey());
        assertThat(publicText).startsWith("-----BEGIN BULWARK THRESHOLD PUBLIC KEY-----\n")
                .endsWith("\n-----END BULWARK THRESHOLD PUBLIC KEY-----\n");
        for (String line : publicText.split("\n")) assertThat(line.length()).isLessThanOrEqualTo(64);
        assertThat(ThresholdKeyPem.decodePublicKey(publicText)).isEqualTo(keys.publicKey());
        // CRLF line ends and surrounding blank lines are fine.
        assertThat(ThresholdKeyPem.decodePublicKey("\n\n" + publicText.replace("\n", "\r\n") + "\n")).isEqualTo(keys.publicKey());
        for (ThresholdKeyShare share : keys.shares()) {
            String text = ThresholdKeyPem.encodeKeyShare(share);
            assertThat(text).startsWith("-----BEGIN BULWARK THRESHOLD KEY SHARE-----\n");
            assertThat(text).doesNotContain(share.secret().toString(16));
            assertThat(ThresholdKeyPem.decodeKeyShare(text)).isEqualTo(share);
        }
    }

    @Test
    void everyTruncationIsRejectedAsMalformed() {
        var keys = TestKeys.forG(1).keys();
        byte[] publicKey = keys.publicKey().encode();
        byte[] keyShare = keys.shares().get(0).encode();
        byte[] share = ThresholdRsa.sign(keys.shares().get(0), MESSAGE).encode();
        for (int length = 0; length < publicKey.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(publicKey, length);
            assertThatThrownBy(() -> ThresholdPublicKey.decode(cut)).isInstanceOf(MalformedMessageException.class);
        }
        for (int length = 0; length < keyShare.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(keyShare, length);
            assertThatThrownBy(() -> ThresholdKeyShare.decode(cut)).isInstanceOf(MalformedMessageException.class);
        }
        for (int length = 0; length < share.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(share, length);
            assertThatThrownBy(() -> SignatureShare.decode(cut)).isInstanceOf(MalformedMessageException.class);
        }
        byte[] longer = java.util.Arrays.copyOf(publicKey, publicKey.length + 1);
        assertThatThrownBy(() -> ThresholdPublicKey.decode(longer)).isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("TRAILING_BYTES");
    }

    @Test
    void corruptedKeysAreRejectedOrDecodeToAnotherValidKeyNeverAnythingElse() {
        var keys = TestKeys.forG(1).keys();
        byte[] keyShare = keys.shares().get(1).encode();
        Random random = new Random(3);
        int rejected = 0;
        for (int i = 0; i < 300; i++) {
            byte[] corrupt = keyShare.clone();
            corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 << random.nextInt(8));
            try {
                ThresholdKeyShare decoded = ThresholdKeyShare.decode(corrupt);
                assertThat(decoded).isNotEqualTo(keys.shares().get(1));
                // Survivors are consistent keys in their own right (e.g. another public exponent that is still prime).
                assertThat(decoded.publicKey().v().modPow(decoded.secret(), decoded.publicKey().n()))
                        .isEqualTo(decoded.publicKey().verificationKey(decoded.index()));
            } catch (MalformedMessageException expected) {
                rejected++;
            }
        }
        // A flipped bit in the secret or in n, v, v_i breaks v^{s_i} = v_i; one in another signer's v_j does not
        // (the share cannot check it), and that is about a third of the bytes.
        assertThat(rejected).isGreaterThan(150);
    }

    @Test
    void wrongHeadersAreRejectedWithAClearReason() {
        var keys = TestKeys.forG(1).keys();
        byte[] publicKey = keys.publicKey().encode();
        byte[] wrongVersion = publicKey.clone();
        wrongVersion[0] = 2;
        assertThatThrownBy(() -> ThresholdPublicKey.decode(wrongVersion)).hasMessageContaining("UNKNOWN_VERSION");
        // A key share handed to the public-key decoder.
        assertThatThrownBy(() -> ThresholdPublicKey.decode(keys.shares().get(0).encode()))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("expected threshold type 1, got 2");
    }

    @Test
    void malformedPemIsRejectedWithAClearMessage() {
        var keys = TestKeys.forG(1).keys();
        String publicText = ThresholdKeyPem.encodePublicKey(keys.publicKey());
        String shareText = ThresholdKeyPem.encodeKeyShare(keys.shares().get(0));
        assertPemRejected(null, "no text");
        assertPemRejected("", "no '-----BEGIN BULWARK THRESHOLD PUBLIC KEY-----' line");
        assertPemRejected(shareText, "expected '-----BEGIN BULWARK THRESHOLD PUBLIC KEY-----'");
        assertPemRejected("comment\n" + publicText, "line 1: expected");
        assertPemRejected(publicText.replace("-----END BULWARK THRESHOLD PUBLIC KEY-----\n", ""), "no '-----END");
        assertPemRejected(publicText.replace("-----END BULWARK THRESHOLD PUBLIC KEY-----", "-----END SOMETHING ELSE-----"),
                "expected base64 or '-----END BULWARK THRESHOLD PUBLIC KEY-----'");
        assertPemRejected(publicText + "extra\n", "text after");
        assertPemRejected(publicText + publicText, "text after");
        String[] lines = publicText.split("\n");
        lines[2] = "*" + lines[2].substring(1);
        assertPemRejected(String.join("\n", lines), "bad base64");
        // Valid base64 of bytes that are not a key.
        assertPemRejected(ThresholdKeyPem.encode(ThresholdKeyPem.PUBLIC_KEY_LABEL, new byte[] {1, 1, 0}), "TRUNCATED");
        assertPemRejected("x".repeat(ThresholdKeyPem.TEXT_CHARS_MAX + 1), "longer than");
        assertThatThrownBy(() -> ThresholdKeyPem.decodeKeyShare(publicText))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("expected '-----BEGIN BULWARK THRESHOLD KEY SHARE-----'");
    }

    private static void assertPemRejected(String text, String message) {
        assertThatThrownBy(() -> ThresholdKeyPem.decodePublicKey(text))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(message);
    }
}
