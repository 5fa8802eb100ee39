package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PublicKeyDirectoryTest {
    private static final byte[] MESSAGE = "checkpoint 100".getBytes(StandardCharsets.UTF_8);

    private static Signer signer(Principal p, long seed) {
        return Ed25519Keys.signer(p, Ed25519Keys.generateSecretKey(new Random(seed)));
    }

    private static Bytes publicKey(long seed) {
        return Ed25519Keys.publicKeyOf(Ed25519Keys.generateSecretKey(new Random(seed)));
    }

    @Test
    void verifiesSignaturesOfKnownPrincipals() {
        PublicKeyDirectory dir = new PublicKeyDirectory(Map.of(Principal.node(0), publicKey(1), Principal.client(9), publicKey(2)));

        assertThat(dir.verify(Principal.node(0), MESSAGE, signer(Principal.node(0), 1).sign(MESSAGE))).isTrue();
        assertThat(dir.verify(Principal.client(9), MESSAGE, signer(Principal.client(9), 2).sign(MESSAGE))).isTrue();
        assertThat(dir.publicKey(Principal.node(0))).isEqualTo(publicKey(1));
    }

    @Test
    void unknownPrincipalIsFalse() {
        PublicKeyDirectory dir = new PublicKeyDirectory(Map.of(Principal.node(0), publicKey(1)));
        Bytes sig = signer(Principal.node(1), 1).sign(MESSAGE); // the right key, claimed by another principal

        assertThat(dir.verify(Principal.node(1), MESSAGE, sig)).isFalse();
        assertThat(dir.verify(Principal.client(0), MESSAGE, sig)).as("client 0 is not node 0").isFalse();
        assertThat(dir.publicKey(Principal.node(1))).isNull();
    }

    @Test
    void aSignatureOfOnePrincipalDoesNotVerifyAsAnother() {
        PublicKeyDirectory dir = new PublicKeyDirectory(Map.of(Principal.node(0), publicKey(1), Principal.node(1), publicKey(2)));
        Bytes sigOfNode1 = signer(Principal.node(1), 2).sign(MESSAGE);

        assertThat(dir.verify(Principal.node(1), MESSAGE, sigOfNode1)).isTrue();
        assertThat(dir.verify(Principal.node(0), MESSAGE, sigOfNode1)).isFalse();
    }

    @Test
    void malformedSignatureIsFalse() {
        PublicKeyDirectory dir = new PublicKeyDirectory(Map.of(Principal.node(0), publicKey(1)));
        assertThat(dir.verify(Principal.node(0), MESSAGE, Bytes.EMPTY)).isFalse();
        assertThat(dir.verify(Principal.node(0), MESSAGE, Bytes.copyOf(new byte[64]))).isFalse();
    }

    @Test
    void laterChangesToTheSourceMapDoNotAffectTheDirectory() {
        Map<Principal, Bytes> keys = new HashMap<>();
        keys.put(Principal.node(0), publicKey(1));
        PublicKeyDirectory dir = new PublicKeyDirectory(keys);
        keys.put(Principal.node(0), publicKey(2));
        keys.put(Principal.node(5), publicKey(5));

        assertThat(dir.verify(Principal.node(0), MESSAGE, signer(Principal.node(0), 1).sign(MESSAGE))).isTrue();
        assertThat(dir.verify(Principal.node(5), MESSAGE, signer(Principal.node(5), 5).sign(MESSAGE))).isFalse();
    }
}
