package io.bulwark.core.codec;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.PairwiseRequestAuthenticator;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.message.*;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fixed, deterministic examples of every message type (and every optional shape of a
 * view change), signed with real Ed25519 keys derived from fixed seeds. Used by the codec
 * tests and to regenerate the fuzzer's seed corpus ({@link #main}).
 */
public final class SampleMessages {
    private SampleMessages() {}

    /** The secret key of a principal, derived from a fixed seed. */
    public static Bytes secretKey(Principal p) {
        long seed = p.kind() == Principal.Kind.NODE ? 1_000 + p.id() : 2_000_000 + p.id();
        return Ed25519Keys.generateSecretKey(new Random(seed));
    }

    public static Bytes publicKey(Principal p) {
        return Ed25519Keys.publicKeyOf(secretKey(p));
    }

    public static Signer nodeSigner(int node) {
        return Ed25519Keys.signer(Principal.node(node), secretKey(Principal.node(node)));
    }

    public static Signer clientSigner(long client) {
        return Ed25519Keys.signer(Principal.client(client), secretKey(Principal.client(client)));
    }

    /** The X25519 key pair a principal uses for request authenticators, derived from a fixed seed. */
    public static X25519Keys.KeyPair macKeyPair(Principal p) {
        long seed = p.kind() == Principal.Kind.NODE ? 3_000 + p.id() : 4_000_000 + p.id();
        return X25519Keys.generateKeyPair(new Random(seed));
    }

    /** Agreement nodes the sample authenticators cover (f = 1, t = 0: 3f+1). */
    public static final int AGREEMENT_NODES = 4;

    /** Client {@code client}'s authenticator over {@link #AGREEMENT_NODES} nodes. */
    public static RequestAuthenticator clientAuthenticator(long client) {
        Map<Principal, Bytes> nodes = new HashMap<>();
        for (int n = 0; n < AGREEMENT_NODES; n++) nodes.put(Principal.node(n), macKeyPair(Principal.node(n)).publicKey());
        return new PairwiseRequestAuthenticator(Principal.client(client), macKeyPair(Principal.client(client)).secretKey(), nodes);
    }

    /** Node {@code node}'s authenticator, knowing {@code clients}. */
    public static RequestAuthenticator nodeAuthenticator(int node, long... clients) {
        Map<Principal, Bytes> known = new HashMap<>();
        for (long c : clients) known.put(Principal.client(c), macKeyPair(Principal.client(c)).publicKey());
        return new PairwiseRequestAuthenticator(Principal.node(node), macKeyPair(Principal.node(node)).secretKey(), known);
    }

    public static Digest digestOf(String s) {
        return Digest.sha256(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static Request request(long client, long timestamp, String op) {
        Bytes operation = Bytes.ofUtf8(op);
        Bytes sig = clientSigner(client).sign(WireCodec.requestSignedBytes(client, timestamp, operation));
        return new Request(client, timestamp, operation, sig);
    }

    /** A signed request that also carries real MAC tags for {@link #AGREEMENT_NODES} nodes. */
    public static Request authenticatedRequest(long client, long timestamp, String op) {
        Request r = request(client, timestamp, op);
        Bytes authenticator = clientAuthenticator(client).authenticate(client, WireCodec.signedBytes(r), AGREEMENT_NODES);
        return new Request(client, timestamp, r.operation(), r.signature(), authenticator);
    }

    public static ExecutionCheckpoint executionCheckpoint(int sender, long slot, Digest stateDigest) {
        Bytes sig = nodeSigner(sender).sign(WireCodec.executionCheckpointSignedBytes(sender, slot, stateDigest));
        return new ExecutionCheckpoint(sender, slot, stateDigest, sig);
    }

    public static Batch batch(long time, Request... requests) {
        return new Batch(time, List.of(requests));
    }

    public static SignedAccept signedAccept(int acceptor, long pn, long slot, Digest digest) {
        Bytes sig = nodeSigner(acceptor).sign(WireCodec.signedAcceptSignedBytes(acceptor, pn, slot, digest));
        return new SignedAccept(acceptor, pn, slot, digest, sig);
    }

    public static Checkpoint checkpoint(int sender, long slot, Digest logHash) {
        Bytes sig = nodeSigner(sender).sign(WireCodec.checkpointSignedBytes(sender, slot, logHash));
        return new Checkpoint(sender, slot, logHash, sig);
    }

    public static ViewChange viewChange(int sender, long pn, CheckpointCertificate stable, List<SlotReport> reports) {
        Bytes sig = nodeSigner(sender).sign(WireCodec.viewChangeSignedBytes(sender, pn, stable, reports));
        return new ViewChange(sender, pn, stable, reports, sig);
    }

    public static CheckpointCertificate checkpointCertificate(long slot, int... senders) {
        Digest logHash = digestOf("log up to " + slot);
        List<Checkpoint> sigs = new ArrayList<>();
        for (int s : senders) sigs.add(checkpoint(s, slot, logHash));
        return new CheckpointCertificate(slot, logHash, sigs);
    }

    public static CommitCertificate commitCertificate(long pn, long slot, Batch batch, int... acceptors) {
        List<SignedAccept> accepts = new ArrayList<>();
        for (int a : acceptors) accepts.add(signedAccept(a, pn, slot, batch.digest()));
        return new CommitCertificate(pn, slot, batch.digest(), accepts);
    }

    public static final Request REQUEST = request(7, 1, "put k v");
    public static final Request REQUEST_EMPTY_OP_NO_SIG = new Request(0, 0, Bytes.EMPTY, Bytes.EMPTY);
    public static final Batch BATCH = batch(1_700_000_000_000L, REQUEST, request(8, 3, "get k"));
    public static final Request REQUEST_AUTHENTICATED = authenticatedRequest(7, 2, "put k w");
    /** Unsigned, with the largest authenticator the wire format allows (a tag for each of NODES_MAX nodes). */
    public static final Request REQUEST_AUTHENTICATOR_MAX = new Request(9, 4, Bytes.ofUtf8("get k"), Bytes.EMPTY,
            Bytes.wrapOwned(pattern(Request.AUTHENTICATOR_BYTES_MAX)));
    public static final Batch BATCH_AUTHENTICATED =
            batch(1_700_000_000_001L, REQUEST_AUTHENTICATED, authenticatedRequest(8, 4, "get k"), REQUEST);

    public static final Digest STATE_DIGEST = digestOf("state at 100");
    public static final ExecutionCheckpoint EXECUTION_CHECKPOINT = executionCheckpoint(5, 100, STATE_DIGEST);
    /** g = 1: execution nodes 4, 5, 6 (after four agreement nodes); g+1 = 2 make a certificate. */
    public static final StateSnapshot STATE_SNAPSHOT = new StateSnapshot(100, Bytes.ofUtf8("k=v;x=y;replies=7/1"),
            List.of(executionCheckpoint(4, 100, STATE_DIGEST), EXECUTION_CHECKPOINT));

    public static final SlotReport VOTE_ONLY = new SlotReport(11, new Vote(3, BATCH), null, null);
    public static final SlotReport COMMIT_ONLY =
            new SlotReport(12, null, commitCertificate(2, 12, BATCH, 0, 1, 2), BATCH);
    public static final SlotReport VOTE_AND_COMMIT = new SlotReport(13, new Vote(4, Batch.EMPTY),
            commitCertificate(3, 13, BATCH, 1, 2, 3), BATCH);

    public static final ViewChange VIEW_CHANGE_EMPTY = viewChange(1, 5, null, List.of());
    public static final ViewChange VIEW_CHANGE_NO_STABLE =
            viewChange(2, 5, null, List.of(VOTE_ONLY, COMMIT_ONLY, VOTE_AND_COMMIT));
    public static final ViewChange VIEW_CHANGE_WITH_STABLE =
            viewChange(3, 5, checkpointCertificate(10, 0, 1, 3), List.of(VOTE_ONLY, COMMIT_ONLY, VOTE_AND_COMMIT));
    public static final ViewChange VIEW_CHANGE_STABLE_ONLY =
            viewChange(4, 6, checkpointCertificate(20, 4), List.of());

    /** Every sample, by a file-name-friendly label. */
    public static Map<String, Message> all() {
        Map<String, Message> m = new LinkedHashMap<>();
        m.put("request", REQUEST);
        m.put("request-empty", REQUEST_EMPTY_OP_NO_SIG);
        m.put("request-authenticated", REQUEST_AUTHENTICATED);
        m.put("request-authenticator-max", REQUEST_AUTHENTICATOR_MAX);
        m.put("propose", new Propose(5, 11, BATCH));
        m.put("propose-empty-batch", new Propose(0, 0, Batch.EMPTY));
        m.put("propose-authenticated", new Propose(6, 12, BATCH_AUTHENTICATED));
        m.put("accepted", new Accepted(5, 11, BATCH.digest()));
        m.put("signed-accept", signedAccept(3, 5, 11, BATCH.digest()));
        m.put("commit", new Commit(5, 11, BATCH.digest()));
        m.put("view-change-empty", VIEW_CHANGE_EMPTY);
        m.put("view-change-no-stable", VIEW_CHANGE_NO_STABLE);
        m.put("view-change-with-stable", VIEW_CHANGE_WITH_STABLE);
        m.put("view-change-stable-only", VIEW_CHANGE_STABLE_ONLY);
        m.put("new-view", new NewView(6, List.of(VIEW_CHANGE_NO_STABLE, VIEW_CHANGE_WITH_STABLE),
                List.of(new Proposal(11, BATCH), new Proposal(12, Batch.EMPTY), new Proposal(14, BATCH))));
        m.put("new-view-empty", new NewView(0, List.of(), List.of()));
        m.put("checkpoint", checkpoint(2, 100, digestOf("log up to 100")));
        m.put("decision-query", new DecisionQuery(40, 16));
        m.put("decided", new Decided(11, BATCH));
        m.put("reply", new Reply(7, 1, 11, Bytes.ofUtf8("ok")));
        m.put("reply-max-fields", new Reply(Long.MAX_VALUE, WireLimits.SEQUENCE_MAX, WireLimits.SEQUENCE_MAX, Bytes.EMPTY));
        m.put("execution-checkpoint", EXECUTION_CHECKPOINT);
        m.put("execution-checkpoint-max-fields", new ExecutionCheckpoint(WireLimits.NODES_MAX - 1, WireLimits.SEQUENCE_MAX,
                STATE_DIGEST, Bytes.EMPTY));
        m.put("state-request", new StateRequest(100));
        m.put("state-snapshot", STATE_SNAPSHOT);
        m.put("state-snapshot-empty", new StateSnapshot(0, Bytes.EMPTY, List.of()));
        ReplyLeaf leaf7 = new ReplyLeaf(7, 1, Bytes.ofUtf8("sealed ok for 7"));
        ReplyLeaf leaf8 = new ReplyLeaf(8, 3, Bytes.ofUtf8("sealed v for 8"));
        m.put("ordered", new Ordered(11, BATCH, List.of(new DecisionSignature(0, Bytes.wrapOwned(pattern(64))),
                new DecisionSignature(3, Bytes.wrapOwned(pattern(64))))));
        m.put("ordered-unsigned-empty", new Ordered(0, Batch.EMPTY, List.of()));
        m.put("reply-share", new ReplyShare(11, List.of(leaf7, leaf8), Bytes.wrapOwned(pattern(300))));
        m.put("reply-share-no-replies", new ReplyShare(12, List.of(), Bytes.wrapOwned(pattern(300))));
        m.put("slot-replies", new SlotReplies(11, List.of(leaf7, leaf8), Bytes.wrapOwned(pattern(128))));
        m.put("reply-certificate", new ReplyCertificate(11, leaf8, 1, 2, List.of(digestOf("leaf 7")), Bytes.wrapOwned(pattern(128))));
        m.put("reply-certificate-single", new ReplyCertificate(13, leaf7, 0, 1, List.of(), Bytes.wrapOwned(pattern(128))));
        m.put("executed-certificate", new ExecutedCertificate(12, digestOf("root 12"), Bytes.wrapOwned(pattern(128))));
        m.put("filter-incarnation", new FilterIncarnation(-1_234_567_890_123L));
        return m;
    }

    /** {@code n} bytes 0, 1, 2, … (mod 256). */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }

    /**
     * Regenerates the fuzzer's seed corpus. Run from the module directory:
     * {@code java -cp target/classes:target/test-classes:<bcprov> io.bulwark.core.codec.SampleMessages}.
     * Crash-reproducer seeds (named {@code crash-*}) are kept; valid seeds are overwritten.
     */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 0 ? args[0]
                : "src/test/resources/io/bulwark/core/codec/WireCodecFuzzTestInputs/decodeIsTotalAndCanonical");
        java.nio.file.Files.createDirectories(dir);
        for (Map.Entry<String, Message> e : all().entrySet()) {
            java.nio.file.Files.write(dir.resolve("valid-" + e.getKey()), WireCodec.encode(e.getValue()));
        }
    }
}
