package io.bulwark.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.client.firewall.FirewallFixture;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Any one change to a valid reply certificate — a field, a bit of the path, the signature or the
 * sealed result — makes the client drop it (counted, never thrown), and the untouched
 * certificate still completes the call afterwards with the right result.
 */
class FirewallCertificatePropertyTest {
    private static final FirewallFixture FX = new FirewallFixture(FirewallClientCoreTest.FIREWALL, 7);

    @Property(tries = 300)
    void noSingleChangeToACertificateIsAccepted(
            @ForAll @IntRange(min = 1, max = 9) int leaves,
            @ForAll @IntRange(min = 0, max = 8) int indexWanted,
            @ForAll @IntRange(min = 0, max = 11) int mutation,
            @ForAll long seed) {
        Random random = new Random(seed);
        CoreHarness h = new CoreHarness(FirewallClientCoreTest.FIREWALL, FirewallClientCoreTest.CONFIG,
                FirewallClientCoreTest.T0, FX.clientSeal, FX.executionKey);
        h.submit("op");
        long ts = h.core.outstandingTimestamp().orElseThrow();
        int index = indexWanted % leaves;
        long slot = 1 + random.nextInt(1_000);
        List<ReplyLeaf> all = new ArrayList<>();
        for (int i = 0; i < leaves; i++) {
            all.add(i == index ? FX.leaf(7, ts, Bytes.ofUtf8("result-" + seed)) : FX.leaf(100 + i, i, Bytes.ofUtf8("other " + i)));
        }
        ReplyCertificate good = FX.certificate(slot, all, index);
        ReplyCertificate bad = mutate(good, mutation, random);
        if (bad != null) {
            h.deliver(Principal.node(FirewallClientCoreTest.ROW0_A), bad);
            assertThat(h.outcomes).as("mutation %d accepted: %s", mutation, bad).isEmpty();
            assertThat(h.core.ignoredMessages()).isOne();
        }
        h.deliver(Principal.node(FirewallClientCoreTest.ROW0_B), good);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class, c -> {
            assertThat(c.result()).isEqualTo(Bytes.ofUtf8("result-" + seed));
            assertThat(c.slot()).isEqualTo(slot);
        });
    }

    /** One change to {@code c}, or null if this kind of change is impossible for it (e.g. no path to alter). */
    private static ReplyCertificate mutate(ReplyCertificate c, int kind, Random random) {
        ReplyLeaf leaf = c.reply();
        List<Digest> path = new ArrayList<>(c.path());
        return switch (kind) {
            case 0 -> new ReplyCertificate(c.slot() + 1 + random.nextInt(5), leaf, c.leafIndex(), c.leafCount(), path, c.signature());
            case 1 -> c.leafCount() == 1 ? null
                    : new ReplyCertificate(c.slot(), leaf, (c.leafIndex() + 1 + random.nextInt(c.leafCount() - 1)) % c.leafCount(),
                            c.leafCount(), path, c.signature());
            case 2 -> new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount() + 1 + random.nextInt(3), path, c.signature());
            case 3 -> {
                if (path.isEmpty()) yield null;
                int i = random.nextInt(path.size());
                path.set(i, new Digest(flipBit(path.get(i).value(), random)));
                yield new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path, c.signature());
            }
            case 4 -> {
                if (path.isEmpty()) yield null;
                path.remove(random.nextInt(path.size()));
                yield new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path, c.signature());
            }
            case 5 -> {
                path.add(random.nextInt(path.size() + 1), new Digest(Bytes.wrapOwned(new byte[32])));
                yield new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path, c.signature());
            }
            case 6 -> new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path, flipBit(c.signature(), random));
            case 7 -> new ReplyCertificate(c.slot(), new ReplyLeaf(leaf.clientId(), leaf.timestamp(), flipBit(leaf.sealedResult(), random)),
                    c.leafIndex(), c.leafCount(), path, c.signature());
            case 8 -> new ReplyCertificate(c.slot(), new ReplyLeaf(leaf.clientId() + 1, leaf.timestamp(), leaf.sealedResult()),
                    c.leafIndex(), c.leafCount(), path, c.signature());
            case 9 -> new ReplyCertificate(c.slot(), new ReplyLeaf(leaf.clientId(), leaf.timestamp() - 1, leaf.sealedResult()),
                    c.leafIndex(), c.leafCount(), path, c.signature());
            case 10 -> { // a correctly signed certificate of another slot's replies, carrying this leaf
                List<ReplyLeaf> decoy = List.of(leaf, FX.leaf(99, 1, Bytes.ofUtf8("decoy")));
                yield new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path,
                        FX.certificate(c.slot() + 1, decoy, 0).signature());
            }
            default -> new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), path,
                    Bytes.wrapOwned(java.util.Arrays.copyOf(c.signature().toByteArray(), c.signature().length() - 1)));
        };
    }

    private static Bytes flipBit(Bytes b, Random random) {
        byte[] x = b.toByteArray();
        x[random.nextInt(x.length)] ^= (byte) (1 << random.nextInt(8));
        return Bytes.wrapOwned(x);
    }
}
