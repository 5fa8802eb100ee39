package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientSealTest {
    private final Random random = new Random(7);
    private final X25519Keys.KeyPair cluster = X25519Keys.generateKeyPair(random);
    private final X25519Keys.KeyPair client = X25519Keys.generateKeyPair(random);
    private final ClientSeal clientSide = ClientSeal.between(5, client.secretKey(), cluster.publicKey()).orElseThrow();
    private final ClientSeal clusterSide = ClientSeal.between(5, cluster.secretKey(), client.publicKey()).orElseThrow();

    @Test
    void bothSidesDeriveTheSameKeyAndRoundTrip() {
        Bytes op = Bytes.ofUtf8("put secret 42");
        Bytes sealed = clientSide.seal(ClientSeal.Direction.REQUEST, 9, op);
        assertThat(sealed).isNotEqualTo(op);
        assertThat(sealed.length()).isEqualTo(op.length() + ClientSeal.TAG_BYTES);
        assertThat(clusterSide.open(ClientSeal.Direction.REQUEST, 9, sealed)).contains(op);
        Bytes reply = Bytes.ofUtf8("ok");
        assertThat(clientSide.open(ClientSeal.Direction.REPLY, 9, clusterSide.seal(ClientSeal.Direction.REPLY, 9, reply))).contains(reply);
    }

    @Test
    void sealingIsDeterministicSoEveryExecutionNodeProducesTheSameBytes() {
        ClientSeal anotherNode = ClientSeal.between(5, cluster.secretKey(), client.publicKey()).orElseThrow();
        Bytes reply = Bytes.ofUtf8("value");
        assertThat(anotherNode.seal(ClientSeal.Direction.REPLY, 3, reply)).isEqualTo(clusterSide.seal(ClientSeal.Direction.REPLY, 3, reply));
    }

    @Test
    void wrongTimestampDirectionClientOrTamperingIsRejected() {
        Bytes sealed = clientSide.seal(ClientSeal.Direction.REQUEST, 9, Bytes.ofUtf8("x"));
        assertThat(clusterSide.open(ClientSeal.Direction.REQUEST, 10, sealed)).isEmpty();
        assertThat(clusterSide.open(ClientSeal.Direction.REPLY, 9, sealed)).isEmpty();
        ClientSeal otherClient = ClientSeal.between(6, cluster.secretKey(), client.publicKey()).orElseThrow();
        assertThat(otherClient.open(ClientSeal.Direction.REQUEST, 9, sealed)).isEmpty();
        byte[] b = sealed.toByteArray();
        b[0] ^= 1;
        assertThat(clusterSide.open(ClientSeal.Direction.REQUEST, 9, Bytes.wrapOwned(b))).isEmpty();
        assertThat(clusterSide.open(ClientSeal.Direction.REQUEST, 9, Bytes.ofUtf8("short"))).isEmpty();
    }

    @Test
    void anUnusablePublicKeyGivesNoSeal() {
        assertThat(ClientSeal.between(5, client.secretKey(), Bytes.wrapOwned(new byte[3]))).isEmpty();
        assertThat(ClientSeal.between(5, client.secretKey(), Bytes.wrapOwned(new byte[32]))).isEmpty(); // small-order point
    }
}
