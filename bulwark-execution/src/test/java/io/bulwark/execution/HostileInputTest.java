package io.bulwark.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random and hostile input from every kind of sender: an execution node never throws, and
 * two nodes fed the same input stay identical (the core is deterministic).
 */
class HostileInputTest {
    static final ExecutionConfig CONFIG = new ExecutionConfig(4, 16, ExecutionConfig.ms(10), 2, 2, 3);

    @Test
    void randomMessagesFromAnySenderNeverThrowAndKeepTwinsIdentical() {
        long executed = 0, certified = 0, transfers = 0, rejected = 0, dropped = 0;
        for (long seed = 1; seed <= 6; seed++) {
            ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 3);
            // Node 0 and its twin (same id, same key) get exactly the same inputs.
            AppendLog twinMachine = new AppendLog();
            ExecutionNode twin = new ExecutionNode(c.spec, c.quorums, CONFIG, c.id(0), c.signer(c.id(0)), c.keys, twinMachine);
            ExecutionNode[] pair = {c.nodes[0], twin};
            Random random = new Random(seed);
            List<Batch> batches = List.of(
                    Batch.EMPTY,
                    c.batch(100, c.request(0, 1, "a")),
                    c.batch(101, c.request(1, 1, "b"), c.request(0, 2, "c")),
                    c.batch(102, c.request(2, 7, "boom")));
            List<Message> seen = new ArrayList<>();
            for (int step = 0; step < 3000; step++) {
                Message m = random.nextInt(8) == 0 && !seen.isEmpty()
                        ? mutate(random, seen.get(random.nextInt(seen.size())))
                        : message(random, c, batches);
                if (m == null) continue;
                Principal chosen = sender(random, c);
                // Often from the node it claims to be from, so that it gets past the cheap checks.
                if (m instanceof ExecutionCheckpoint x && random.nextBoolean()) chosen = Principal.node(x.sender());
                if (m instanceof StateSnapshot && random.nextBoolean()) chosen = Principal.node(c.id(1 + random.nextInt(2)));
                seen.add(m);
                if (seen.size() > 64) seen.removeFirst();
                long now = c.now + step * 1_000_000L;
                boolean heartbeat = random.nextInt(20) == 0;
                Principal from = chosen;
                int at = step;
                for (ExecutionNode node : pair) {
                    Outbox out = new Outbox();
                    assertThatCode(() -> {
                        node.onMessage(now, from, m, out);
                        if (heartbeat) node.onTimer(now, ExecutionNode.HeartbeatTimer.INSTANCE, out);
                    }).as("seed %d step %d: %s from %s", seed, at, m, from).doesNotThrowAnyException();
                }
            }
            assertThat(twinMachine.entries).isEqualTo(c.machines[0].entries);
            assertThat(twin.nextSlot()).isEqualTo(c.nodes[0].nextSlot());
            assertThat(twin.replyCache()).isEqualTo(c.nodes[0].replyCache());
            assertThat(twin.certifiedCheckpoint()).isEqualTo(c.nodes[0].certifiedCheckpoint());
            ExecutionNode n = c.nodes[0];
            executed += n.executedRequests();
            certified += n.checkpointsCertified();
            transfers += n.stateTransfersDone();
            rejected += n.stateTransfersRejected();
            dropped += n.ignoredMessages() + n.malformedMessages();
        }
        // The stream reached every part of the core, not only its first checks.
        assertThat(executed).isPositive();
        assertThat(certified).isPositive();
        assertThat(transfers).isPositive();
        assertThat(rejected).isPositive();
        assertThat(dropped).isPositive();
    }

    @Test
    void oddInputsAreIgnoredQuietly() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 1);
        Outbox out = new Outbox();
        c.nodes[0].onTimer(c.now, "not my timer", out);
        c.nodes[0].onTimer(c.now, null, out);
        c.nodes[0].onMessage(c.now, null, null, out);
        c.nodes[0].onMessage(c.now, Principal.node(c.id(0)), new StateRequest(0), out); // from itself
        c.nodes[0].onMessage(c.now, Principal.node(c.id(1)), new Accepted(0, 0, Digest.ZERO), out); // a peer is no acceptor
        c.nodes[0].onMessage(c.now, Principal.node(0), new StateRequest(0), out); // an acceptor is no peer
        c.nodes[0].onMessage(c.now, Principal.client(0), new Accepted(0, 0, Digest.ZERO), out);
        assertThat(out.sends()).isEmpty();
        assertThat(out.persists()).isEmpty();
        assertThat(c.nodes[0].ignoredMessages()).isEqualTo(7);
    }

    @Test
    void randomBytesThatDecodeAreHandledToo() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        Random random = new Random(99);
        List<byte[]> encodings = new ArrayList<>();
        encodings.add(WireCodec.encode(new Propose(0, 0, c.batch(100, c.request(0, 1, "x")))));
        encodings.add(WireCodec.encode(new Accepted(0, 0, Digest.ZERO)));
        encodings.add(WireCodec.encode(c.checkpoint(c.id(1), 3, Digest.ZERO)));
        encodings.add(WireCodec.encode(new StateSnapshot(3, Bytes.ofUtf8("s"), List.of(c.checkpoint(c.id(1), 3, Digest.ZERO)))));
        encodings.add(WireCodec.encode(new Decided(0, Batch.EMPTY)));
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = encodings.get(random.nextInt(encodings.size())).clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            Message m;
            try {
                m = WireCodec.decode(b);
            } catch (MalformedMessageException e) {
                continue;
            }
            decoded++;
            Principal from = sender(random, c);
            Outbox out = new Outbox();
            assertThatCode(() -> c.nodes[0].onMessage(c.now, from, m, out)).doesNotThrowAnyException();
        }
        assertThat(decoded).isPositive();
    }

    static Principal sender(Random r, ExecCluster c) {
        return switch (r.nextInt(6)) {
            case 0 -> Principal.client(r.nextInt(4));
            case 1 -> Principal.node(c.id(r.nextInt(3)));
            case 2 -> Principal.node(200 + r.nextInt(50)); // no such node
            default -> Principal.node(r.nextInt(c.agreementNodes));
        };
    }

    static long slot(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> WireLimits.SEQUENCE_MAX - r.nextInt(3);
            case 1 -> r.nextInt(1_000_000);
            case 2 -> 3 + 4L * r.nextInt(4);
            default -> r.nextInt(6);
        };
    }

    static Digest digest(Random r, List<Batch> batches) {
        if (r.nextInt(4) == 0) {
            byte[] d = new byte[32];
            r.nextBytes(d);
            return new Digest(Bytes.wrapOwned(d));
        }
        return batches.get(r.nextInt(batches.size())).digest();
    }

    static Bytes bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return Bytes.wrapOwned(b);
    }

    static Message message(Random r, ExecCluster c, List<Batch> batches) {
        Batch batch = batches.get(r.nextInt(batches.size()));
        long pn = r.nextInt(3);
        return switch (r.nextInt(15)) {
            case 0 -> r.nextBoolean() ? c.request(r.nextInt(3), r.nextInt(10), "op")
                    : new Request(r.nextInt(3), r.nextInt(10), bytes(r, 8), bytes(r, 64));
            case 1 -> new Propose(pn, slot(r), batch);
            case 2, 3, 4 -> new Accepted(pn, r.nextInt(4), digest(r, batches));
            case 5 -> new Commit(pn, slot(r), digest(r, batches));
            case 6 -> new Decided(r.nextInt(4), batch);
            case 7 -> new DecisionQuery(slot(r), 1 + r.nextInt(WireLimits.QUERY_SLOTS_MAX));
            case 8 -> new Reply(r.nextInt(3), r.nextInt(10), slot(r), bytes(r, 16));
            case 9 -> {
                int sender = r.nextBoolean() ? c.id(r.nextInt(3)) : r.nextInt(WireLimits.NODES_MAX);
                // Mostly checkpoint slots and few digests, so that certificates do form.
                long s = r.nextInt(200) == 0 ? slot(r) : r.nextInt(4) > 0 ? 3 + 4L * r.nextInt(4) : r.nextInt(20);
                Digest d = r.nextInt(4) > 0 ? batches.get(r.nextInt(2)).digest() : digest(r, batches);
                yield r.nextBoolean() && sender < c.agreementNodes + 3 ? c.checkpoint(sender, s, d)
                        : new ExecutionCheckpoint(sender, s, d, bytes(r, 64));
            }
            case 10 -> new StateRequest(slot(r));
            case 11 -> {
                long s = r.nextBoolean() ? 3 + 4L * r.nextInt(4) : slot(r);
                if (r.nextInt(4) == 0) {
                    // Certified by g + 1 execution nodes (more than the fault assumption allows to lie):
                    // it installs, on both nodes alike.
                    Bytes state = new ExecutionState(s, 0, Digest.ZERO, new TreeMap<>(), new AppendLog().snapshot()).encode();
                    Digest d = ExecutionState.digestOf(state);
                    yield new StateSnapshot(s, state, List.of(c.checkpoint(c.id(1), s, d), c.checkpoint(c.id(2), s, d)));
                }
                Bytes application = r.nextBoolean() ? new AppendLog().snapshot() : bytes(r, 8);
                Bytes state = switch (r.nextInt(3)) {
                    case 0 -> bytes(r, 64);
                    case 1 -> new ExecutionState(s, 0, Digest.ZERO, new TreeMap<>(), application).encode();
                    default -> new ExecutionState(r.nextInt(20), 0, Digest.ZERO, new TreeMap<>(), application).encode();
                };
                List<ExecutionCheckpoint> cert = new ArrayList<>();
                int first = r.nextInt(3);
                boolean distinct = r.nextBoolean();
                for (int i = r.nextInt(4); i > 0; i--) {
                    int sender = c.id(distinct ? (first + i) % 3 : r.nextInt(3));
                    cert.add(r.nextInt(4) > 0 ? c.checkpoint(sender, s, ExecutionState.digestOf(state))
                            : new ExecutionCheckpoint(sender, s, digest(r, batches), bytes(r, 64)));
                }
                yield new StateSnapshot(s, state, cert);
            }
            case 12 -> new NewView(pn, List.of(), List.of(new Proposal(r.nextInt(4), batch)));
            case 13 -> new Checkpoint(r.nextInt(10), slot(r), digest(r, batches), bytes(r, 64));
            default -> r.nextBoolean()
                    ? new SignedAccept(r.nextInt(10), pn, slot(r), digest(r, batches), bytes(r, 64))
                    : new ViewChange(r.nextInt(10), pn, null, List.of(), bytes(r, 64));
        };
    }

    /** A bit-flipped re-encoding of {@code m}, or null if it no longer decodes. */
    static Message mutate(Random r, Message m) {
        byte[] b = WireCodec.encode(m);
        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        try {
            return WireCodec.decode(b);
        } catch (MalformedMessageException e) {
            return null;
        }
    }
}
