package io.bulwark.firewall;

import static io.bulwark.firewall.FirewallFixture.batch;
import static io.bulwark.firewall.FirewallFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole firewalls, every filter a {@link FilterNode}, messages routed until quiet: the agreement
 * nodes (played by the test) send their signed ORDERED to row 0, the execution nodes (played by
 * the test) answer every ORDERED with a share, one of them faulty. Every client gets its reply
 * certificate from every row-0 filter, the same bytes each time, and it verifies.
 */
class FirewallPipelineTest {
    private record InFlight(int from, Principal to, Message message) {}

    @ParameterizedTest(name = "f={0} g={1} h={2}")
    @CsvSource({"1, 1, 0", "1, 1, 1", "1, 1, 2", "2, 2, 1"})
    void certifiedRepliesReachEveryClientThroughEveryRow(int f, int g, int h) {
        FirewallFixture fx = new FirewallFixture(f, g, h);
        Map<Integer, FilterNode> filters = new HashMap<>();
        for (int r = 0; r <= h; r++) {
            for (int c = 0; c <= h; c++) filters.put(fx.filterId(r, c), fx.filter(r, c, FilterConfig.defaults()));
        }
        ArrayDeque<InFlight> network = new ArrayDeque<>();
        Map<Long, List<ReplyCertificate>> clients = new HashMap<>();
        Map<Integer, List<ExecutedCertificate>> agreement = new HashMap<>();
        Set<String> sharesSent = new HashSet<>();
        int faulty = fx.firstExecutionNode; // execution node 0 sends bad shares

        List<Batch> log = List.of(batch(request(1, 1), request(2, 1)), batch(), batch(request(3, 1), request(1, 2)));
        for (int slot = 0; slot < log.size(); slot++) {
            for (int node : fx.agreementIds()) {
                for (int column = 0; column <= h; column++) {
                    network.add(new InFlight(node, Principal.node(fx.filterId(0, column)), fx.single(node, slot, log.get(slot))));
                }
            }
        }
        int delivered = 0;
        while (!network.isEmpty()) {
            InFlight m = network.poll();
            delivered++;
            Principal to = m.to();
            if (to.kind() == Principal.Kind.CLIENT) {
                clients.computeIfAbsent(to.id(), c -> new ArrayList<>()).add((ReplyCertificate) m.message());
            } else if (fx.spec.isAgreementNode((int) to.id())) {
                agreement.computeIfAbsent((int) to.id(), a -> new ArrayList<>()).add((ExecutedCertificate) m.message());
            } else if (fx.spec.isExecutionNode((int) to.id())) {
                int index = (int) to.id() - fx.firstExecutionNode;
                if (m.message() instanceof Ordered o && sharesSent.add(index + "/" + o.slot())) {
                    List<ReplyLeaf> replies = FirewallFixture.repliesTo(o.batch());
                    ReplyShare share = fx.share(index, o.slot(), replies);
                    if (to.id() == faulty) share = new ReplyShare(o.slot(), replies, Bytes.ofUtf8("a covert message"));
                    for (int column = 0; column <= h; column++) {
                        network.add(new InFlight((int) to.id(), Principal.node(fx.filterId(h, column)), share));
                    }
                }
            } else {
                FilterNode filter = filters.get((int) to.id());
                Outbox out = new Outbox();
                filter.onMessage(fx.now, Principal.node(m.from()), m.message(), out);
                fx.checkOutputs(filter, out);
                for (Outbox.Send s : out.sends()) network.add(new InFlight(filter.id(), s.to(), s.message()));
            }
        }
        assertThat(delivered).isGreaterThan(0);

        // Each client: one certificate per request with a reply, from each of the h+1 row-0 filters, identical bytes.
        Map<Long, Integer> expected = Map.of(1L, 2, 2L, 1, 3L, 1);
        assertThat(clients.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (var e : clients.entrySet()) {
            List<ReplyCertificate> certificates = e.getValue();
            assertThat(certificates).hasSize(expected.get(e.getKey()) * (h + 1));
            Set<String> distinct = new HashSet<>();
            for (ReplyCertificate c : certificates) {
                assertThat(c.reply().clientId()).isEqualTo(e.getKey());
                Digest root = ReplyMerkleTree.rootFromPath(c.slot(), c.reply(), c.leafIndex(), c.leafCount(), c.path()).orElseThrow();
                assertThat(fx.verifier.verify(WireCodec.slotRepliesSignedBytes(c.slot(), root), c.signature())).isTrue();
                distinct.add(Bytes.wrapOwned(WireCodec.encode(c)).toHex());
            }
            assertThat(distinct).as("the same bytes from every row-0 filter").hasSize(expected.get(e.getKey()));
        }
        // Each agreement node: an executed certificate per slot (empty slot included) from each row-0 filter.
        for (int node : fx.agreementIds()) {
            assertThat(agreement.get(node)).hasSize(log.size() * (h + 1));
            assertThat(agreement.get(node).stream().map(ExecutedCertificate::slot).distinct().sorted()).containsExactly(0L, 1L, 2L);
        }
        // The faulty execution node's shares were blamed on it wherever they were needed, and counted.
        for (int column = 0; column <= h; column++) {
            FilterNode top = filters.get(fx.filterId(h, column));
            assertThat(top.repliesPassedDown()).isEqualTo(log.size());
            assertThat(top.badSharesFrom(faulty)).isLessThanOrEqualTo(log.size());
            for (int other : fx.executionIds()) {
                if (other != faulty) assertThat(top.badSharesFrom(other)).isZero();
            }
        }
        for (FilterNode filter : filters.values()) {
            assertThat(filter.orderedPassedUp()).isEqualTo(log.size());
            assertThat(filter.repliesPassedDown()).isEqualTo(log.size());
            assertThat(filter.droppedBadSignature()).isZero();
        }
    }

    @ParameterizedTest(name = "h={0}")
    @CsvSource({"0", "2"})
    void aRetransmissionBringsTheSharesAgainWhenTheFirstOnesWereLost(int h) {
        FirewallFixture fx = new FirewallFixture(1, 1, h);
        Map<Integer, FilterNode> filters = new HashMap<>();
        for (int r = 0; r <= h; r++) {
            for (int c = 0; c <= h; c++) filters.put(fx.filterId(r, c), fx.filter(r, c, FilterConfig.defaults()));
        }
        Batch b = batch(request(5, 1));
        ArrayDeque<InFlight> network = new ArrayDeque<>();
        for (int node : List.of(0, 1)) {
            for (int column = 0; column <= h; column++) network.add(new InFlight(node, Principal.node(fx.filterId(0, column)), fx.single(node, 0, b)));
        }
        boolean[] sharesLost = {true};
        List<ReplyCertificate> toClient = new ArrayList<>();
        Runnable run = () -> {
            while (!network.isEmpty()) {
                InFlight m = network.poll();
                Principal to = m.to();
                if (to.kind() == Principal.Kind.CLIENT) {
                    toClient.add((ReplyCertificate) m.message());
                } else if (fx.spec.isExecutionNode((int) to.id())) {
                    // Execution nodes answer ORDERED and retransmitted requests with their share.
                    boolean answers = m.message() instanceof Ordered || m.message() instanceof Request;
                    if (answers && !sharesLost[0]) {
                        int index = (int) to.id() - fx.firstExecutionNode;
                        ReplyShare share = fx.share(index, 0, FirewallFixture.repliesTo(b));
                        for (int column = 0; column <= h; column++) network.add(new InFlight((int) to.id(), Principal.node(fx.filterId(h, column)), share));
                    }
                } else if (fx.spec.isFilterNode((int) to.id())) {
                    FilterNode filter = filters.get((int) to.id());
                    Outbox out = new Outbox();
                    filter.onMessage(fx.now, Principal.node(m.from()), m.message(), out);
                    fx.checkOutputs(filter, out);
                    for (Outbox.Send s : out.sends()) network.add(new InFlight(filter.id(), s.to(), s.message()));
                }
            }
        };
        run.run();
        assertThat(toClient).isEmpty();

        // The client retransmits to row 0; the request climbs to the execution nodes, which now answer.
        sharesLost[0] = false;
        FilterNode row0 = filters.get(fx.filterId(0, 0));
        Outbox out = fx.fromClient(row0, 5, request(5, 1));
        for (Outbox.Send s : out.sends()) network.add(new InFlight(row0.id(), s.to(), s.message()));
        run.run();
        assertThat(toClient).hasSizeGreaterThanOrEqualTo(1);
        ReplyCertificate first = toClient.getFirst();
        for (ReplyCertificate c : toClient) assertThat(WireCodec.encode(c)).isEqualTo(WireCodec.encode(first));
        assertThat(WireCodec.encode(theOnly(fx.fromClient(row0, 5, request(5, 1))))).isEqualTo(WireCodec.encode(first));
    }

    private static Message theOnly(Outbox out) {
        assertThat(out.sends()).hasSize(1);
        return out.sends().getFirst().message();
    }
}
