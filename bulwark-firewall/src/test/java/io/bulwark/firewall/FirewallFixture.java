package io.bulwark.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.FilterIncarnation;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.core.step.Outbox;
import io.bulwark.firewall.threshold.ShoupShareSigner;
import io.bulwark.firewall.threshold.ShoupThresholdVerifier;
import io.bulwark.firewall.threshold.TestKeys;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A firewall to drive by hand: real Ed25519 keys for the agreement nodes (seeded), a real 512-bit
 * Shoup key for the execution cluster (k = g+1 of 2g+1), and filters whose every output is
 * checked on the spot: it must go to an adjacent row (or, from row 0, to a client), and carry a
 * message type that may travel in that direction.
 */
final class FirewallFixture {
    final ClusterSpec spec;
    final int agreementNodes;
    final int firstExecutionNode;
    final Map<Integer, Signer> agreementSigners = new HashMap<>();
    final PublicKeyDirectory directory;
    final ThresholdKeyDealer.DealtKeys keys;
    final ShoupThresholdVerifier verifier;
    final List<ShoupShareSigner> shareSigners;
    long now = 1_000_000_000_000L; // an arbitrary epoch, in nanoseconds; a multiple of every interval used

    FirewallFixture(int f, int g, int h) {
        spec = new ClusterSpec(f, 0, g, h);
        agreementNodes = spec.agreementNodes();
        firstExecutionNode = agreementNodes;
        Random random = new Random(42);
        Map<Principal, Bytes> publicKeys = new HashMap<>();
        for (int node = 0; node < agreementNodes; node++) {
            Bytes secret = Ed25519Keys.generateSecretKey(random);
            agreementSigners.put(node, Ed25519Keys.signer(Principal.node(node), secret));
            publicKeys.put(Principal.node(node), Ed25519Keys.publicKeyOf(secret));
        }
        directory = new PublicKeyDirectory(publicKeys);
        keys = TestKeys.keysForG(g);
        verifier = new ShoupThresholdVerifier(keys.publicKey());
        shareSigners = keys.shares().stream().map(ShoupShareSigner::new).toList();
    }

    int filterId(int row, int column) {
        return spec.filterNode(row, column);
    }

    /** Node ids of filter row {@code row}. */
    List<Integer> row(int row) {
        return IntStream.rangeClosed(0, spec.h()).mapToObj(c -> spec.filterNode(row, c)).toList();
    }

    List<Integer> agreementIds() {
        return IntStream.range(0, agreementNodes).boxed().toList();
    }

    List<Integer> executionIds() {
        return IntStream.range(firstExecutionNode, firstExecutionNode + spec.executionNodes()).boxed().toList();
    }

    /** A started filter; the start outbox is checked and dropped. */
    FilterNode filter(int row, int column, FilterConfig config) {
        FilterNode node = new FilterNode(spec, config, filterId(row, column), directory, verifier);
        Outbox out = new Outbox();
        node.start(now, out);
        assertThat(out.timers()).containsExactly(new Outbox.TimerCommand(FilterNode.HeartbeatTimer.INSTANCE, config.heartbeatNanos(), false));
        // Row 0 announces its incarnation (its start time) to every agreement node; the others send nothing.
        assertThat(out.sends()).containsExactlyElementsOf(row != 0 ? List.of()
                : agreementIds().stream().map(a -> new Outbox.Send(Principal.node(a), new FilterIncarnation(now))).toList());
        return node;
    }

    // ---------------------------------------------------------------- driving a filter

    Outbox fromNode(FilterNode node, int from, Message m) {
        Outbox out = new Outbox();
        node.onMessage(now, Principal.node(from), m, out);
        checkOutputs(node, out);
        return out;
    }

    Outbox fromClient(FilterNode node, long client, Message m) {
        Outbox out = new Outbox();
        node.onMessage(now, Principal.client(client), m, out);
        checkOutputs(node, out);
        return out;
    }

    /**
     * A heartbeat's outputs, without row 0's incarnation announcement (checked here: the same
     * bytes to every agreement node on every heartbeat) so that tests see what else it sent.
     */
    Outbox heartbeat(FilterNode node) {
        Outbox all = timer(node, FilterNode.HeartbeatTimer.INSTANCE);
        List<Outbox.Send> announcements = all.sends().stream().filter(x -> x.message() instanceof FilterIncarnation).toList();
        if (node.row() == 0) {
            assertThat(announcements).extracting(Outbox.Send::to).containsExactlyElementsOf(nodes(agreementIds()));
            assertThat(announcements).extracting(Outbox.Send::message).containsOnly(node.incarnation());
        } else {
            assertThat(announcements).isEmpty();
        }
        Outbox rest = new Outbox();
        for (Outbox.Send x : all.sends()) if (!(x.message() instanceof FilterIncarnation)) rest.send(x.to(), x.message());
        for (Outbox.TimerCommand t : all.timers()) {
            if (t.cancel()) rest.cancelTimer(t.key()); else rest.setTimer(t.key(), t.delayNanos());
        }
        return rest;
    }

    Outbox timer(FilterNode node, Object key) {
        Outbox out = new Outbox();
        node.onTimer(now, key, out);
        checkOutputs(node, out);
        return out;
    }

    /** Every output goes to an adjacent row (row 0: also clients) with a message allowed in that direction. */
    void checkOutputs(FilterNode node, Outbox out) {
        int row = node.row();
        int h = spec.h();
        for (Outbox.Send s : out.sends()) {
            Principal to = s.to();
            Message m = s.message();
            if (to.kind() == Principal.Kind.CLIENT) {
                assertThat(row).as("only row 0 talks to clients: %s", s).isZero();
                assertThat(m).as("to a client").isInstanceOf(ReplyCertificate.class);
                assertThat(((ReplyCertificate) m).reply().clientId()).as("a certificate goes to its own client").isEqualTo(to.id());
                continue;
            }
            int id = (int) to.id();
            boolean above = row == h ? spec.isExecutionNode(id) : spec.isFilterNode(id) && spec.filterRow(id) == row + 1;
            boolean below = row == 0 ? spec.isAgreementNode(id) : spec.isFilterNode(id) && spec.filterRow(id) == row - 1;
            assertThat(above || below).as("filter %d (row %d) sent to non-adjacent %s: %s", node.id(), row, to, m).isTrue();
            if (above) {
                assertThat(m).as("up: %s", s).isInstanceOfAny(Ordered.class, Request.class, DecisionQuery.class);
            } else {
                assertThat(m).as("down: %s", s).isInstanceOfAny(SlotReplies.class, DecisionQuery.class, ExecutedCertificate.class,
                        FilterIncarnation.class);
                if (m instanceof ExecutedCertificate || m instanceof FilterIncarnation) assertThat(row).isZero();
                if (row == 0) assertThat(m).as("row 0 never queries the agreement nodes").isNotInstanceOf(DecisionQuery.class);
            }
        }
        for (Outbox.TimerCommand t : out.timers()) {
            assertThat(t.key()).isIn(FilterNode.HeartbeatTimer.INSTANCE, FilterNode.ReleaseTimer.INSTANCE);
        }
        assertThat(out.persists()).isEmpty();
        assertThat(out.deliveries()).isEmpty();
    }

    // ---------------------------------------------------------------- messages

    static Request request(long client, long timestamp) {
        return new Request(client, timestamp, Bytes.ofUtf8("op " + client + "/" + timestamp), Bytes.wrapOwned(new byte[64]));
    }

    static Batch batch(Request... requests) {
        return new Batch(1_000, List.of(requests));
    }

    static ReplyLeaf leaf(long client, long timestamp, String sealed) {
        return new ReplyLeaf(client, timestamp, Bytes.ofUtf8(sealed));
    }

    /** What a correct execution cluster replies to {@code batch}: one leaf per request, in order. */
    static List<ReplyLeaf> repliesTo(Batch batch) {
        return batch.requests().stream().map(r -> leaf(r.clientId(), r.timestamp(), "sealed " + r.clientId() + "/" + r.timestamp())).toList();
    }

    DecisionSignature decision(int node, long slot, Batch batch) {
        return new DecisionSignature(node, agreementSigners.get(node).sign(WireCodec.decisionSignedBytes(slot, batch.digest())));
    }

    /** Agreement node → row 0: its own signature. */
    Ordered single(int node, long slot, Batch batch) {
        return new Ordered(slot, batch, List.of(decision(node, slot, batch)));
    }

    /** Row r → row r+1: signatures of {@code nodes}, in that order. */
    Ordered proven(long slot, Batch batch, int... nodes) {
        return new Ordered(slot, batch, Arrays.stream(nodes).mapToObj(n -> decision(n, slot, batch)).toList());
    }

    byte[] statement(long slot, List<ReplyLeaf> replies) {
        return WireCodec.slotRepliesSignedBytes(slot, ReplyMerkleTree.root(slot, replies));
    }

    /** Execution node with index {@code index} (0..2g) → row h. */
    ReplyShare share(int index, long slot, List<ReplyLeaf> replies) {
        return new ReplyShare(slot, replies, shareSigners.get(index).signShare(statement(slot, replies)));
    }

    /** The unique combined signature on (slot, replies). */
    Bytes signature(long slot, List<ReplyLeaf> replies) {
        byte[] statement = statement(slot, replies);
        List<Bytes> shares = new ArrayList<>();
        for (int i = 0; i <= spec.g(); i++) shares.add(shareSigners.get(i).signShare(statement));
        return verifier.combine(statement, shares).orElseThrow();
    }

    SlotReplies slotReplies(long slot, List<ReplyLeaf> replies) {
        return new SlotReplies(slot, replies, signature(slot, replies));
    }

    // ---------------------------------------------------------------- reading outputs

    static List<Principal> destinations(Outbox out) {
        return out.sends().stream().map(Outbox.Send::to).toList();
    }

    static List<Principal> nodes(List<Integer> ids) {
        return ids.stream().map(Principal::node).toList();
    }

    static List<Message> messagesTo(Outbox out, Principal to) {
        return out.sends().stream().filter(s -> s.to().equals(to)).map(Outbox.Send::message).toList();
    }

    /** The one message all sends carry (asserts they carry the same). */
    static Message theMessage(Outbox out) {
        assertThat(out.sends()).isNotEmpty();
        Message m = out.sends().getFirst().message();
        for (Outbox.Send s : out.sends()) assertThat(s.message()).isEqualTo(m);
        return m;
    }
}
