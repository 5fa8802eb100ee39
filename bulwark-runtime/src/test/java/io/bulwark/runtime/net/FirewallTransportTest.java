package io.bulwark.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.StateRequest;
import io.bulwark.runtime.TestClusters;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall topology on real sockets (loopback, mutual TLS): f=0 t=0 g=0 h=1, so node-0 is
 * the agreement node, node-1 the execution node, node-2 and node-3 filter row 0, node-4 and
 * node-5 filter row 1. Nodes never dial, accept or hear peers the topology does not link them with.
 */
class FirewallTransportTest {
    private static final int AGREEMENT = 0, EXECUTION = 1, ROW0 = 2, ROW0_OTHER = 3, ROW1 = 4;

    @TempDir
    static Path tmp;

    static ClusterConfig cluster;

    record Received(Principal from, Message m) {}

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void cluster() throws Exception {
        cluster = TestClusters.createFirewall(tmp.resolve("fw"), 0, 0, 0, 1, 2, 512);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        open.clear();
    }

    private NodeTransport node(int id, LinkedBlockingQueue<Received> inbox) throws Exception {
        NodeTransport t = new NodeTransport(cluster, cluster.identity(Principal.node(id)), TransportOptions.defaults(),
                (from, m) -> inbox.add(new Received(from, m)));
        open.add(t);
        t.start();
        return t;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(10, TimeUnit.SECONDS).until(condition::getAsBoolean);
    }

    @Test
    void theClusterHasTheFirewallShape() {
        assertThat(cluster.agreementNodeIds()).containsExactly(AGREEMENT);
        assertThat(cluster.executionNodeIds()).containsExactly(EXECUTION);
        assertThat(cluster.filterNodeIds()).containsExactly(2, 3, 4, 5);
        assertThat(cluster.filterRow(0)).containsExactly(ROW0, ROW0_OTHER);
        assertThat(cluster.filterRow(1)).containsExactly(ROW1, 5);
    }

    @Test
    void messagesPassAlongTheLinksOfTheTopology() throws Exception {
        var inA = new LinkedBlockingQueue<Received>();
        var inF0 = new LinkedBlockingQueue<Received>();
        var inF1 = new LinkedBlockingQueue<Received>();
        var inE = new LinkedBlockingQueue<Received>();
        NodeTransport a = node(AGREEMENT, inA);
        NodeTransport f0 = node(ROW0, inF0);
        NodeTransport f1 = node(ROW1, inF1);
        NodeTransport e = node(EXECUTION, inE);
        a.send(Principal.node(ROW0), new DecisionQuery(1, 1));
        f0.send(Principal.node(ROW1), new DecisionQuery(2, 1));
        f1.send(Principal.node(EXECUTION), new DecisionQuery(3, 1));
        e.send(Principal.node(ROW1), new StateRequest(4));
        f1.send(Principal.node(ROW0), new StateRequest(5));
        f0.send(Principal.node(AGREEMENT), new StateRequest(6));
        // (no order between different senders)
        assertThat(List.of(inF0.poll(10, TimeUnit.SECONDS), inF0.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(
                new Received(Principal.node(AGREEMENT), new DecisionQuery(1, 1)), new Received(Principal.node(ROW1), new StateRequest(5)));
        assertThat(List.of(inF1.poll(10, TimeUnit.SECONDS), inF1.poll(10, TimeUnit.SECONDS))).containsExactlyInAnyOrder(
                new Received(Principal.node(ROW0), new DecisionQuery(2, 1)), new Received(Principal.node(EXECUTION), new StateRequest(4)));
        assertThat(inE.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.node(ROW1), new DecisionQuery(3, 1)));
        assertThat(inA.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.node(ROW0), new StateRequest(6)));
        for (NodeTransport t : List.of(a, f0, f1, e)) {
            assertThat(t.stats().topologyDroppedIn() + t.stats().topologyDroppedOut() + t.stats().topologyRefusedConnections()).isZero();
        }
    }

    @Test
    void aNodeNeverSendsToOrDialsAPeerItIsNotLinkedWith() throws Exception {
        var inA = new LinkedBlockingQueue<Received>();
        var inE = new LinkedBlockingQueue<Received>();
        var inF0 = new LinkedBlockingQueue<Received>();
        var inF0b = new LinkedBlockingQueue<Received>();
        NodeTransport a = node(AGREEMENT, inA);
        NodeTransport e = node(EXECUTION, inE);
        NodeTransport f0 = node(ROW0, inF0);
        NodeTransport f0b = node(ROW0_OTHER, inF0b);
        // what NodeHost does at start: dial everyone; only linked peers are dialed
        e.connect(0, 1, 2, 3, 4, 5);
        a.connect(0, 1, 2, 3, 4, 5);
        e.send(Principal.node(AGREEMENT), new StateRequest(1)); // execution → agreement
        e.send(Principal.client(0), new Reply(0, 1, 0, Bytes.ofUtf8("leak"))); // execution → client
        a.send(Principal.node(EXECUTION), new DecisionQuery(1, 1)); // agreement → execution
        f0.send(Principal.node(EXECUTION), new DecisionQuery(2, 1)); // row 0 → execution (skips row 1)
        f0.send(Principal.node(ROW0_OTHER), new DecisionQuery(3, 1)); // within a row
        assertThat(e.stats().topologyDroppedOut()).isEqualTo(2);
        assertThat(a.stats().topologyDroppedOut()).isEqualTo(1);
        assertThat(f0.stats().topologyDroppedOut()).isEqualTo(2);
        // the links that are allowed come up; the others never exist
        await(() -> a.isConnectedTo(ROW0) && a.isConnectedTo(ROW0_OTHER), "agreement node dialed row 0");
        // Nothing may arrive: the condition must hold for 200 ms (a frame in flight would arrive well within it).
        Awaitility.await("no link outside the topology").during(200, TimeUnit.MILLISECONDS).atMost(200 + 2_000, TimeUnit.MILLISECONDS)
                .until(() -> !e.isConnectedTo(AGREEMENT) && !a.isConnectedTo(EXECUTION) && inA.isEmpty() && inE.isEmpty());
        assertThat(e.isConnectedTo(AGREEMENT)).isFalse();
        assertThat(a.isConnectedTo(EXECUTION)).isFalse();
        assertThat(inA).isEmpty();
        assertThat(inE).isEmpty();
        assertThat(inF0b).isEmpty();
        assertThat(e.stats().messagesOut() + e.stats().connections()).isZero();
    }

    @Test
    void connectionsFromPeersOutsideTheTopologyAreRefused() throws Exception {
        var inA = new LinkedBlockingQueue<Received>();
        var inE = new LinkedBlockingQueue<Received>();
        NodeTransport a = node(AGREEMENT, inA);
        NodeTransport e = node(EXECUTION, inE);
        // the execution node's own certificate, dialing the agreement node and sending at once
        assertRefused(cluster.identity(Principal.node(EXECUTION)), a);
        // a client dialing the execution node
        assertRefused(cluster.identity(Principal.client(1)), e);
        // a row-0 filter dialing the execution node
        assertRefused(cluster.identity(Principal.node(ROW0)), e);
        assertThat(a.stats().topologyRefusedConnections()).isEqualTo(1);
        assertThat(e.stats().topologyRefusedConnections()).isEqualTo(2);
        assertThat(e.connectedClients()).isZero();
        // Nothing may arrive: the condition must hold for 100 ms (a frame in flight would arrive well within it).
        Awaitility.await("nothing from refused connections").during(100, TimeUnit.MILLISECONDS).atMost(100 + 2_000, TimeUnit.MILLISECONDS)
                .until(() -> inA.isEmpty() && inE.isEmpty());
        assertThat(inA).isEmpty();
        assertThat(inE).isEmpty();
    }

    private void assertRefused(Identity as, NodeTransport to) throws Exception {
        try (SSLSocket s = rawClient(as, to)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] frame = WireCodec.encode(new Request(1, 1, Bytes.ofUtf8("op"), Bytes.EMPTY));
            try {
                for (int i = 0; i < 20; i++) {
                    out.writeInt(frame.length);
                    out.write(frame);
                }
                out.flush();
            } catch (IOException closedAlready) {
                // refused while writing: fine
            }
            int read;
            try {
                read = s.getInputStream().read();
            } catch (IOException closed) {
                read = -1;
            }
            assertThat(read).as("the node closes the connection").isEqualTo(-1);
        }
    }

    @Test
    void aFrameFromAPeerOutsideTheTopologyIsDroppedAndCounted() throws Exception {
        var inA = new LinkedBlockingQueue<Received>();
        NodeTransport a = node(AGREEMENT, inA);
        // whatever gets past the connection check (a bug, a race) still stops at delivery
        a.deliver(Principal.node(EXECUTION), new StateRequest(1));
        a.deliver(Principal.node(ROW1), new StateRequest(2));
        a.deliver(Principal.node(ROW0), new StateRequest(3));
        a.deliver(Principal.client(1), new Request(1, 1, Bytes.ofUtf8("op"), Bytes.EMPTY));
        assertThat(a.stats().topologyDroppedIn()).isEqualTo(2);
        assertThat(inA.poll()).isEqualTo(new Received(Principal.node(ROW0), new StateRequest(3)));
        assertThat(inA.poll().from()).isEqualTo(Principal.client(1));
        assertThat(inA).isEmpty();
    }

    @Test
    void aClientTalksToAgreementNodesAndRowZeroOnly() throws Exception {
        var inA = new LinkedBlockingQueue<Received>();
        var inF0 = new LinkedBlockingQueue<Received>();
        var inF0b = new LinkedBlockingQueue<Received>();
        var inE = new LinkedBlockingQueue<Received>();
        NodeTransport a = node(AGREEMENT, inA);
        NodeTransport f0 = node(ROW0, inF0);
        NodeTransport f0b = node(ROW0_OTHER, inF0b);
        NodeTransport e = node(EXECUTION, inE);
        NettyClientTransport client = new NettyClientTransport(cluster, cluster.identity(Principal.client(1)));
        open.add(client);
        var clientInbox = new LinkedBlockingQueue<Received>();
        client.onReceive((from, m) -> clientInbox.add(new Received(from, m)));
        // row 0 is dialed at once: that is where certified replies come from
        await(() -> client.isConnectedTo(ROW0) && client.isConnectedTo(ROW0_OTHER), "client dialed row 0");
        await(() -> f0.connectedClients() == 1 && f0b.connectedClients() == 1, "row 0 registered the client");
        Request r = new Request(1, 1, Bytes.ofUtf8("op"), Bytes.EMPTY);
        client.send(Principal.node(AGREEMENT), r);
        client.send(Principal.node(EXECUTION), r);
        client.send(Principal.node(ROW1), r);
        assertThat(inA.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.client(1), r));
        assertThat(client.stats().topologyDroppedOut()).isEqualTo(2);
        f0.send(Principal.client(1), new Reply(1, 1, 0, Bytes.ofUtf8("certified")));
        assertThat(clientInbox.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.node(ROW0), new Reply(1, 1, 0, Bytes.ofUtf8("certified"))));
        // Nothing may arrive: the condition must hold for 100 ms (a frame in flight would arrive well within it).
        Awaitility.await("the client reaches no execution node").during(100, TimeUnit.MILLISECONDS).atMost(100 + 2_000, TimeUnit.MILLISECONDS)
                .until(() -> !client.isConnectedTo(EXECUTION) && inE.isEmpty());
        assertThat(client.isConnectedTo(EXECUTION)).isFalse();
        assertThat(inE).isEmpty();
        assertThat(e.connectedClients()).isZero();
    }

    private static SSLSocket rawClient(Identity id, NodeTransport to) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("me", id.tlsKey(), new char[0], new Certificate[] {id.tlsCertificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", id.caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(to.localAddress().getAddress(), to.localAddress().getPort());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }
}
