package io.bulwark.sim.strategy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.WireLimits;
import io.bulwark.sim.FaultyNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** What the strategies share: signing as a faulty node, junk of the right shape, deterministic mixing. */
final class Forgery {
    private Forgery() {}

    static final long MS = 1_000_000L;

    /** SplitMix64's finaliser: a fixed, well-spread hash of a long, identical on every colluder. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long mix(long a, long b) {
        return mix(a * 0x9E3779B97F4A7C15L + mix(b));
    }

    static Bytes randomBytes(SplittableRandom r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return Bytes.wrapOwned(b);
    }

    /** A signature-sized string of random bytes: verifies for nobody. */
    static Bytes randomSignature(SplittableRandom r) {
        return randomBytes(r, 32);
    }

    static Digest randomDigest(SplittableRandom r) {
        return new Digest(randomBytes(r, Digest.LENGTH));
    }

    static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** Any agreement node but {@code self}. */
    static int randomPeer(FaultyNode.Context ctx) {
        int a = ctx.spec().agreementNodes();
        if (a == 1) return ctx.self();
        int n = ctx.random().nextInt(a - 1);
        return n >= ctx.self() ? n + 1 : n;
    }

    static ViewChange signViewChange(Signer signer, int sender, long pn, CheckpointCertificate stable,
            List<SlotReport> reports) {
        return new ViewChange(sender, pn, stable, reports,
                signer.sign(WireCodec.viewChangeSignedBytes(sender, pn, stable, reports)));
    }

    static SignedAccept signAccept(Signer signer, int acceptor, long pn, long slot, Digest digest) {
        return new SignedAccept(acceptor, pn, slot, digest,
                signer.sign(WireCodec.signedAcceptSignedBytes(acceptor, pn, slot, digest)));
    }

    static Checkpoint signCheckpoint(Signer signer, int sender, long slot, Digest hash) {
        return new Checkpoint(sender, slot, hash, signer.sign(WireCodec.checkpointSignedBytes(sender, slot, hash)));
    }

    /** A request no client signed: a made-up operation under a random signature. */
    static Request inventedRequest(SplittableRandom r, int clients) {
        return new Request(r.nextInt(Math.max(1, clients)), 1 + r.nextInt(1_000), randomBytes(r, 16), randomSignature(r));
    }

    /** The same request with one bit of its operation flipped: its client's signature no longer matches. */
    static Request alteredRequest(SplittableRandom r, Request q) {
        byte[] op = q.operation().toByteArray();
        if (op.length == 0) {
            op = new byte[] {1};
        } else {
            int i = r.nextInt(op.length);
            op[i] ^= (byte) (1 << r.nextInt(8));
        }
        return new Request(q.clientId(), q.timestamp(), Bytes.wrapOwned(op), q.signature());
    }

    /**
     * A valid-looking batch made of real, correctly signed requests (so it passes every request
     * check), in a random order, at {@code timeMillis}; the empty batch if none are known.
     */
    static Batch batchFrom(SplittableRandom r, List<Request> known, int max, long timeMillis) {
        if (known.isEmpty() || max < 1) return Batch.EMPTY;
        List<Request> pool = new ArrayList<>(known);
        int n = 1 + r.nextInt(Math.min(max, pool.size()));
        List<Request> chosen = new ArrayList<>(n);
        Set<Object> ids = new HashSet<>();
        for (int i = 0; i < n * 2 && chosen.size() < n; i++) {
            Request q = pool.get(r.nextInt(pool.size()));
            if (ids.add(q.id())) chosen.add(q);
        }
        return new Batch(Math.max(0, timeMillis), chosen);
    }

    /** A proposal number far in the future, led by {@code leader} when {@code leader >= 0}. */
    static long farFuturePn(SplittableRandom r, int agreementNodes, int leader) {
        long base = WireLimits.SEQUENCE_MAX - r.nextInt(1_000) - agreementNodes;
        if (leader < 0) return base;
        return base - Math.floorMod(base, (long) agreementNodes) + leader;
    }

    static Principal node(int id) {
        return Principal.node(id);
    }
}
