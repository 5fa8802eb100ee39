package io.bulwark.runtime.node;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.CommitCertificate;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.message.ViewChange;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves Ed25519 verification off the protocol thread. I/O threads call {@link #preVerify} on
 * each inbound message before queueing it; every signature that checks out is remembered in a
 * bounded concurrent cache keyed by (signer, signature, SHA-256 of the signed bytes). The core's
 * own {@link #verify} (on the protocol thread) then costs a hash and a lookup for those, and falls
 * back to a real verification for anything else — the cache only ever says "yes" for a triple
 * that really verified, so it cannot make a bad signature pass.
 *
 * <p>Bounded by two generations of at most {@code capacity/2} entries each: when the young one
 * fills, it becomes the old one and the previous old one is dropped.
 */
public final class VerifiedSignatureCache implements SignatureVerifier {
    private record Key(Principal signer, Bytes signature, Digest message) {}

    private final SignatureVerifier delegate;
    private final int generationSize;
    private volatile ConcurrentHashMap<Key, Boolean> young = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<Key, Boolean> old = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile boolean preVerifyProposedRequests;

    public VerifiedSignatureCache(SignatureVerifier delegate, int capacity) {
        if (capacity < 2) throw new IllegalArgumentException("capacity < 2");
        this.delegate = delegate;
        this.generationSize = capacity / 2;
    }

    /**
     * Whether {@link #preVerify} checks the signatures of proposed requests that carry a MAC
     * authenticator (requests without one are always checked). Worth it only when the acceptor
     * cannot check MACs and so falls back to every signature.
     */
    public void preVerifyProposedRequests(boolean on) {
        this.preVerifyProposedRequests = on;
    }

    private volatile boolean leading = true;

    /** Whether this node leads now (set by the protocol thread): only a leader needs client requests' signatures. */
    public void leading(boolean on) {
        this.leading = on;
    }

    @Override
    public boolean verify(Principal signer, byte[] message, int offset, int length, Bytes signature) {
        if (signer == null || message == null || signature == null) return false;
        Key key = new Key(signer, signature, Digest.sha256(message, offset, length));
        if (young.containsKey(key) || old.containsKey(key)) {
            hits.increment();
            return true;
        }
        misses.increment();
        boolean ok = delegate.verify(signer, message, offset, length, signature);
        if (ok) remember(key);
        else failures.increment();
        return ok;
    }

    private void remember(Key key) {
        ConcurrentHashMap<Key, Boolean> y = young;
        y.put(key, Boolean.TRUE);
        if (y.size() >= generationSize) {
            synchronized (this) {
                if (young == y) {
                    old = y;
                    young = new ConcurrentHashMap<>();
                }
            }
        }
    }

    private void check(Principal signer, byte[] signed, Bytes signature) {
        verify(signer, signed, 0, signed.length, signature);
    }

    /** Verifies (and caches) every signature in {@code m} a core will check. Total: never throws on bad input. */
    public void preVerify(Message m) {
        try {
            switch (m) {
                // Only the leader verifies client signatures of incoming requests; the others check MACs.
                case Request r -> {
                    if (leading || r.authenticator().length() == 0) {
                        check(Principal.client(r.clientId()), WireCodec.signedBytes(r), r.signature());
                    }
                }
                case SignedAccept s -> check(Principal.node(s.acceptor()), WireCodec.signedBytes(s), s.signature());
                case Checkpoint c -> check(Principal.node(c.sender()), WireCodec.signedBytes(c), c.signature());
                case ViewChange v -> preVerify(v);
                case NewView n -> {
                    for (ViewChange v : n.certificate()) preVerify(v);
                    for (Proposal p : n.proposals()) preVerify(p.batch());
                }
                case ExecutionCheckpoint c -> check(Principal.node(c.sender()), WireCodec.signedBytes(c), c.signature());
                case StateSnapshot s -> {
                    for (ExecutionCheckpoint c : s.certificate()) check(Principal.node(c.sender()), WireCodec.signedBytes(c), c.signature());
                }
                case Propose p -> preVerify(p.batch());
                // Firewall: filters and execution nodes check f+1 agreement signatures per ordered slot.
                case Ordered o -> {
                    byte[] signed = WireCodec.decisionSignedBytes(o.slot(), o.batch().digest());
                    for (DecisionSignature d : o.proof()) check(Principal.node(d.sender()), signed, d.signature());
                }
                default -> { }
            }
        } catch (RuntimeException ignored) {
            // a message that cannot even be re-encoded is the core's to reject
        }
    }

    private void preVerify(Batch b) {
        for (Request r : b.requests()) {
            if (r.authenticator().length() == 0 || preVerifyProposedRequests) {
                check(Principal.client(r.clientId()), WireCodec.signedBytes(r), r.signature());
            }
        }
    }

    private void preVerify(ViewChange v) {
        check(Principal.node(v.sender()), WireCodec.signedBytes(v), v.signature());
        preVerify(v.stable());
        for (SlotReport r : v.reports()) {
            if (r.commit() != null) preVerify(r.commit());
        }
    }

    private void preVerify(CheckpointCertificate c) {
        if (c == null) return;
        for (Checkpoint s : c.signatures()) check(Principal.node(s.sender()), WireCodec.signedBytes(s), s.signature());
    }

    private void preVerify(CommitCertificate c) {
        for (SignedAccept s : c.accepts()) check(Principal.node(s.acceptor()), WireCodec.signedBytes(s), s.signature());
    }

    /** Verifications answered from the cache. */
    public long hits() {
        return hits.sum();
    }

    /** Verifications that had to run Ed25519. */
    public long misses() {
        return misses.sum();
    }

    /** Signatures that did not verify. */
    public long failures() {
        return failures.sum();
    }

    public int size() {
        return young.size() + old.size();
    }
}
