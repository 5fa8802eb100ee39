package io.bulwark.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.message.Request;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PairwiseRequestAuthenticatorTest {
    /** f = 1, t = 1: 3f+2t+1 agreement nodes. */
    private static final int NODES = 6;
    private static final long CLIENT = 7;
    private static final long OTHER_CLIENT = 8;
    private static final byte[] SIGNED = "\u0001\u0001 client 7, timestamp 1, put k v".getBytes(StandardCharsets.UTF_8);

    private static X25519Keys.KeyPair keys(Principal p) {
        return X25519Keys.generateKeyPair(new Random((p.kind() == Principal.Kind.NODE ? 10_000 : 20_000) + p.id()));
    }

    private static PairwiseRequestAuthenticator client(long id) {
        Map<Principal, Bytes> nodes = new HashMap<>();
        for (int n = 0; n < NODES; n++) nodes.put(Principal.node(n), keys(Principal.node(n)).publicKey());
        return new PairwiseRequestAuthenticator(Principal.client(id), keys(Principal.client(id)).secretKey(), nodes);
    }

    private static PairwiseRequestAuthenticator node(int id, long... clients) {
        Map<Principal, Bytes> known = new HashMap<>();
        for (long c : clients) known.put(Principal.client(c), keys(Principal.client(c)).publicKey());
        return new PairwiseRequestAuthenticator(Principal.node(id), keys(Principal.node(id)).secretKey(), known);
    }

    private static List<PairwiseRequestAuthenticator> allNodes() {
        List<PairwiseRequestAuthenticator> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) nodes.add(node(n, CLIENT, OTHER_CLIENT));
        return nodes;
    }

    private static Bytes flipBit(Bytes b, int bit) {
        byte[] a = b.toByteArray();
        a[bit / 8] ^= (byte) (1 << (bit % 8));
        return Bytes.wrapOwned(a);
    }

    // ------------------------------------------------------------------ the common case

    @Test
    void aClientVectorVerifiesAtEveryNodesOwnEntry() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);

        assertThat(vector.length()).isEqualTo(NODES * RequestAuthenticator.TAG_LENGTH).isEqualTo(96);
        List<PairwiseRequestAuthenticator> nodes = allNodes();
        for (int n = 0; n < NODES; n++) {
            assertThat(nodes.get(n).verify(n, CLIENT, SIGNED, vector)).as("node %d", n).isTrue();
        }
        assertThat(client(CLIENT).authenticate(CLIENT, SIGNED, NODES)).as("deterministic").isEqualTo(vector);
        assertThat(client(CLIENT).authenticate(CLIENT, SIGNED, 0)).isEqualTo(Bytes.EMPTY);
    }

    @Test
    void everyEntryIsADifferentTag() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        List<Bytes> tags = new ArrayList<>();
        for (int n = 0; n < NODES; n++) tags.add(Bytes.copyOf(vector.toByteArray(), n * 16, 16));
        assertThat(tags).doesNotHaveDuplicates();
    }

    @Test
    void aNodeChecksOnlyItsOwnEntryAndOnlyAsItself() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        PairwiseRequestAuthenticator node2 = node(2, CLIENT);

        for (int n = 0; n < NODES; n++) {
            assertThat(node2.verify(n, CLIENT, SIGNED, vector)).as("node 2 asked about entry %d", n).isEqualTo(n == 2);
        }
        // Garbage in the other nodes' entries does not matter to node 2 (each node checks its own).
        byte[] others = new byte[vector.length()];
        vector.copyTo(others, 0);
        Arrays.fill(others, 0, 32, (byte) 0);
        Arrays.fill(others, 48, others.length, (byte) 0xff);
        assertThat(node2.verify(2, CLIENT, SIGNED, Bytes.wrapOwned(others))).isTrue();
        // A shorter vector that still holds entry 2 (a client that knows fewer nodes) is fine too.
        assertThat(node2.verify(2, CLIENT, SIGNED, client(CLIENT).authenticate(CLIENT, SIGNED, 3))).isTrue();
    }

    // ------------------------------------------------------------------ forgeries and mistakes

    @Test
    void aTamperedMessageFailsAtEveryNode() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        List<PairwiseRequestAuthenticator> nodes = allNodes();
        for (int i = 0; i < SIGNED.length; i++) {
            byte[] tampered = SIGNED.clone();
            tampered[i] ^= 0x01;
            for (int n = 0; n < NODES; n++) {
                assertThat(nodes.get(n).verify(n, CLIENT, tampered, vector)).as("byte %d, node %d", i, n).isFalse();
            }
        }
        byte[] longer = Arrays.copyOf(SIGNED, SIGNED.length + 1);
        byte[] shorter = Arrays.copyOf(SIGNED, SIGNED.length - 1);
        assertThat(nodes.get(0).verify(0, CLIENT, longer, vector)).isFalse();
        assertThat(nodes.get(0).verify(0, CLIENT, shorter, vector)).isFalse();
    }

    @Test
    void everySingleBitFlipOfANodesTagFailsThere() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        List<PairwiseRequestAuthenticator> nodes = allNodes();
        for (int n = 0; n < NODES; n++) {
            for (int bit = n * 128; bit < (n + 1) * 128; bit++) {
                assertThat(nodes.get(n).verify(n, CLIENT, SIGNED, flipBit(vector, bit))).as("node %d bit %d", n, bit).isFalse();
            }
        }
    }

    @Test
    void anotherClientsVectorDoesNotPassForThisClient() {
        Bytes mine = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        Bytes theirs = client(OTHER_CLIENT).authenticate(OTHER_CLIENT, SIGNED, NODES);
        List<PairwiseRequestAuthenticator> nodes = allNodes();

        assertThat(theirs).isNotEqualTo(mine);
        for (int n = 0; n < NODES; n++) {
            assertThat(nodes.get(n).verify(n, OTHER_CLIENT, SIGNED, theirs)).isTrue();
            assertThat(nodes.get(n).verify(n, CLIENT, SIGNED, theirs)).as("8's tags claimed as 7's at %d", n).isFalse();
            assertThat(nodes.get(n).verify(n, OTHER_CLIENT, SIGNED, mine)).as("7's tags claimed as 8's at %d", n).isFalse();
        }
    }

    @Test
    void aClientWithTheWrongKeysCannotForgeTags() {
        // An impostor that claims to be client 7 but holds another secret key.
        Map<Principal, Bytes> nodeKeys = new HashMap<>();
        for (int n = 0; n < NODES; n++) nodeKeys.put(Principal.node(n), keys(Principal.node(n)).publicKey());
        PairwiseRequestAuthenticator impostor = new PairwiseRequestAuthenticator(
                Principal.client(CLIENT), X25519Keys.generateSecretKey(new Random(99)), nodeKeys);
        Bytes forged = impostor.authenticate(CLIENT, SIGNED, NODES);
        List<PairwiseRequestAuthenticator> nodes = allNodes();
        for (int n = 0; n < NODES; n++) assertThat(nodes.get(n).verify(n, CLIENT, SIGNED, forged)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 17, 47, 48, 95, 97, 100, 16 * 256 + 1, 16 * 257})
    void wrongLengthVectorsAreFalseNotAnException(int length) {
        // Node 3 needs entries 0..3 (64 bytes), whole tags only, and nothing beyond the wire limit.
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        byte[] resized = Arrays.copyOf(vector.toByteArray(), length);
        assertThat(node(3, CLIENT).verify(3, CLIENT, SIGNED, Bytes.wrapOwned(resized))).isFalse();
    }

    @Test
    void unknownOrImpossibleClientsAndNullsAreFalseNotAnException() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        PairwiseRequestAuthenticator knowsOnlyEight = node(1, OTHER_CLIENT);

        assertThat(knowsOnlyEight.verify(1, CLIENT, SIGNED, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(1, -1, SIGNED, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(1, Long.MAX_VALUE, SIGNED, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(-1, OTHER_CLIENT, SIGNED, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(Integer.MAX_VALUE, OTHER_CLIENT, SIGNED, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(1, OTHER_CLIENT, null, vector)).isFalse();
        assertThat(knowsOnlyEight.verify(1, OTHER_CLIENT, SIGNED, null)).isFalse();
        // A client-side instance verifies nothing.
        assertThat(client(CLIENT).verify(1, CLIENT, SIGNED, vector)).isFalse();
        assertThat(RequestAuthenticator.NONE.verify(1, CLIENT, SIGNED, vector)).isFalse();
    }

    @Test
    void aClientWithAnUnusablePublicKeyIsFalseNotAnException() {
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        Map<Principal, Bytes> bad = Map.of(
                Principal.client(CLIENT), Bytes.wrapOwned(new byte[32]), // small order: all-zero shared secret
                Principal.client(OTHER_CLIENT), Bytes.fromHex("abcd")); // wrong length
        PairwiseRequestAuthenticator n0 = new PairwiseRequestAuthenticator(Principal.node(0),
                keys(Principal.node(0)).secretKey(), bad);
        for (int round = 0; round < 2; round++) { // the second time from the cache
            assertThat(n0.verify(0, CLIENT, SIGNED, vector)).isFalse();
            assertThat(n0.verify(0, OTHER_CLIENT, SIGNED, vector)).isFalse();
        }
        assertThat(n0.sharedMacKey(Principal.client(CLIENT))).isEmpty();
    }

    @Test
    void misuseOnTheClientSideIsALoudError() {
        PairwiseRequestAuthenticator c = client(CLIENT);
        assertThatIllegalStateException().isThrownBy(() -> c.authenticate(OTHER_CLIENT, SIGNED, NODES));
        assertThatIllegalStateException().isThrownBy(() -> node(0, CLIENT).authenticate(0, SIGNED, NODES));
        assertThatIllegalStateException().as("no key for node 6")
                .isThrownBy(() -> c.authenticate(CLIENT, SIGNED, NODES + 1));
        assertThatIllegalArgumentException().isThrownBy(() -> c.authenticate(CLIENT, SIGNED, -1));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> c.authenticate(CLIENT, SIGNED, PairwiseRequestAuthenticator.NODES_MAX + 1));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new PairwiseRequestAuthenticator(Principal.client(1), Bytes.wrapOwned(new byte[31]), Map.of()));
    }

    @Test
    void theLargestVectorFitsTheWireFormat() {
        assertThat(PairwiseRequestAuthenticator.NODES_MAX * RequestAuthenticator.TAG_LENGTH)
                .isEqualTo(Request.AUTHENTICATOR_BYTES_MAX);
        assertThat(RequestAuthenticator.TAG_LENGTH).isEqualTo(16);
    }

    // ------------------------------------------------------------------ key derivation

    @Test
    void bothSidesDeriveTheSameKeyForEachPairAndDifferentKeysForDifferentPairs() {
        PairwiseRequestAuthenticator c7 = client(CLIENT);
        PairwiseRequestAuthenticator c8 = client(OTHER_CLIENT);
        List<Bytes> all = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            PairwiseRequestAuthenticator node = node(n, CLIENT, OTHER_CLIENT);
            Bytes k7 = c7.sharedMacKey(Principal.node(n)).orElseThrow();
            Bytes k8 = c8.sharedMacKey(Principal.node(n)).orElseThrow();
            assertThat(node.sharedMacKey(Principal.client(CLIENT))).contains(k7);
            assertThat(node.sharedMacKey(Principal.client(OTHER_CLIENT))).contains(k8);
            assertThat(k7.length()).isEqualTo(PairwiseRequestAuthenticator.KEY_LENGTH).isEqualTo(32);
            all.add(k7);
            all.add(k8);
        }
        assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void theKeyIsHkdfSha256OfTheX25519SecretWithTheDocumentedInfo() throws Exception {
        Bytes shared = X25519Keys.sharedSecret(keys(Principal.client(CLIENT)).secretKey(),
                keys(Principal.node(4)).publicKey()).orElseThrow();
        byte[] info = ByteBuffer.allocate(22 + 8 + 4).put("bulwark request mac v1".getBytes(StandardCharsets.US_ASCII))
                .putLong(CLIENT).putInt(4).array();
        byte[] expected = hkdfSha256(shared.toByteArray(), new byte[0], info, 32);

        assertThat(client(CLIENT).sharedMacKey(Principal.node(4))).contains(Bytes.wrapOwned(expected));
        assertThat(PairwiseRequestAuthenticator.deriveMacKey(shared, CLIENT, 4)).isEqualTo(expected);
        // ...and the tag is HMAC-SHA256 under it, truncated to 16 bytes.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(expected, "HmacSHA256"));
        byte[] tag = Arrays.copyOf(mac.doFinal(SIGNED), 16);
        Bytes vector = client(CLIENT).authenticate(CLIENT, SIGNED, NODES);
        assertThat(Bytes.copyOf(vector.toByteArray(), 4 * 16, 16)).isEqualTo(Bytes.wrapOwned(tag));
    }

    @Test
    void theReferenceHkdfUsedAboveMatchesRfc5869TestCase3() throws Exception {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        assertThat(Bytes.wrapOwned(hkdfSha256(ikm, new byte[0], new byte[0], 42))).isEqualTo(Bytes.fromHex(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
    }

    /** RFC 5869 with the JDK's HMAC, independent of Bouncy Castle's HKDF. An empty salt means HashLen zeros. */
    private static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        ByteArrayOutputStream okm = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int i = 1; okm.size() < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            okm.write(t);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }

    // ------------------------------------------------------------------ concurrency and cost

    @Test
    void manyThreadsVerifyingForManyClientsAtOnceAllGetTheRightAnswer() throws Exception {
        int clients = 64;
        long[] ids = new long[clients];
        for (int i = 0; i < clients; i++) ids[i] = 100 + i;
        PairwiseRequestAuthenticator n3 = node(3, ids); // keys derived lazily, concurrently, below
        List<byte[]> messages = new ArrayList<>();
        List<Bytes> vectors = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            byte[] m = ("request of " + ids[i]).getBytes(StandardCharsets.UTF_8);
            messages.add(m);
            vectors.add(client(ids[i]).authenticate(ids[i], m, NODES));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                tasks.add(() -> {
                    int wrong = 0;
                    for (int round = 0; round < 20; round++) {
                        for (int j = 0; j < clients; j++) {
                            int i = (j + offset * 7) % clients;
                            if (!n3.verify(3, ids[i], messages.get(i), vectors.get(i))) wrong++;
                            int other = (i + 1) % clients;
                            if (n3.verify(3, ids[other], messages.get(i), vectors.get(i))) wrong++;
                        }
                    }
                    return wrong;
                });
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) assertThat(f.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void roughCostIsLogged() {
        PairwiseRequestAuthenticator c = client(CLIENT);
        PairwiseRequestAuthenticator n = node(0, CLIENT);
        byte[] signed = new byte[120];
        Bytes vector = c.authenticate(CLIENT, signed, NODES);
        int iterations = 20_000;
        boolean ok = true;
        for (int warm = 0; warm < 2; warm++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) vector = c.authenticate(CLIENT, signed, NODES);
            long t1 = System.nanoTime();
            for (int i = 0; i < iterations; i++) ok &= n.verify(0, CLIENT, signed, vector);
            long t2 = System.nanoTime();
            if (warm == 1) {
                System.out.printf("PairwiseRequestAuthenticator: authenticate(%d nodes) %.2f us, verify %.2f us (120-byte request)%n",
                        NODES, (t1 - t0) / 1e3 / iterations, (t2 - t1) / 1e3 / iterations);
            }
        }
        assertThat(ok).isTrue();
    }
}
