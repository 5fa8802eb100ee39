package io.bulwark.runtime.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.WireLimits;
import io.bulwark.runtime.TestClusters;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.Identity;
import java.io.DataInputStream;
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

class TlsTransportTest {
    @TempDir
    static Path tmp;

    static ClusterConfig cluster;
    static ClusterConfig otherCluster;

    record Received(Principal from, Message m) {}

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void clusters() throws Exception {
        cluster = TestClusters.create(tmp.resolve("a"), 0, 0, 0, 2); // node-0 agreement, node-1 execution
        otherCluster = TestClusters.create(tmp.resolve("b"), 0, 0, 0, 1);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        open.clear();
    }

    private NodeTransport node(ClusterConfig config, Identity id, LinkedBlockingQueue<Received> inbox) throws IOException {
        NodeTransport t = new NodeTransport(config, id, TransportOptions.defaults(), (from, m) -> inbox.add(new Received(from, m)));
        open.add(t);
        t.start();
        return t;
    }

    private NodeTransport node(int id, LinkedBlockingQueue<Received> inbox) throws Exception {
        return node(cluster, cluster.identity(Principal.node(id)), inbox);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(10, TimeUnit.SECONDS).until(condition::getAsBoolean);
    }

    private static Request request(long client, long ts) {
        return new Request(client, ts, Bytes.ofUtf8("op"), Bytes.EMPTY);
    }

    @Test
    void twoNodesExchangeMessagesOverMutualTls() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        var inbox1 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        NodeTransport n1 = node(1, inbox1);
        for (int i = 0; i < 100; i++) n0.send(Principal.node(1), new DecisionQuery(i, 1));
        n1.send(Principal.node(0), new StateRequest(42));
        for (int i = 0; i < 100; i++) {
            Received r = inbox1.poll(10, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.from()).isEqualTo(Principal.node(0));
            assertThat(r.m()).isEqualTo(new DecisionQuery(i, 1)); // in order, none lost
        }
        Received back = inbox0.poll(10, TimeUnit.SECONDS);
        assertThat(back).isEqualTo(new Received(Principal.node(1), new StateRequest(42)));
        assertThat(n0.isConnectedTo(1)).isTrue();
        assertThat(n0.stats().messagesOut()).isEqualTo(100);
        assertThat(n1.stats().messagesIn()).isEqualTo(100);
        assertThat(n0.stats().refusedPeers() + n1.stats().refusedPeers()).isZero();
    }

    @Test
    void aClientIsAnsweredOverItsOwnConnection() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        var inbox1 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        NodeTransport n1 = node(1, inbox1);
        var clientInbox = new LinkedBlockingQueue<Received>();
        NettyClientTransport client = new NettyClientTransport(cluster, cluster.identity(Principal.client(1)));
        open.add(client);
        client.onReceive((from, m) -> clientInbox.add(new Received(from, m)));
        client.send(Principal.node(0), request(1, 7));
        Received r = inbox0.poll(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new Received(Principal.client(1), request(1, 7)));
        n0.send(Principal.client(1), new Reply(1, 7, 0, Bytes.ofUtf8("ok")));
        assertThat(clientInbox.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.node(0), new Reply(1, 7, 0, Bytes.ofUtf8("ok"))));
        // the execution node (the cluster's responder) was dialed eagerly, so it can answer too
        await(() -> n1.connectedClients() == 1, "client connection to node-1");
        n1.send(Principal.client(1), new Reply(1, 7, 0, Bytes.ofUtf8("ok")));
        assertThat(clientInbox.poll(10, TimeUnit.SECONDS).from()).isEqualTo(Principal.node(1));
        // a client that never connected cannot be reached: counted, not an error
        n0.send(Principal.client(0), new Reply(0, 1, 0, Bytes.EMPTY));
        assertThat(n0.stats().unroutable()).isEqualTo(1);
    }

    @Test
    void aPeerWithACertificateFromAnotherCaIsRefused() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        // a client of another cluster dials our nodes
        NettyClientTransport stranger = new NettyClientTransport(cluster, otherCluster.identity(Principal.client(0)));
        open.add(stranger);
        stranger.send(Principal.node(0), request(0, 1));
        await(() -> n0.stats().handshakeFailures() > 0, "handshake failure at node-0");
        // and a node of the other cluster sits on node-1's address: node-0 will not talk to it
        var strangerInbox = new LinkedBlockingQueue<Received>();
        NodeTransport fake = node(cluster, otherCluster.identity(Principal.node(1)), strangerInbox);
        n0.send(Principal.node(1), new StateRequest(1));
        await(() -> n0.stats().handshakeFailures() > 1 || fake.stats().handshakeFailures() > 0, "handshake failure on the dial");
        // Nothing may arrive: the condition must hold for 200 ms (a frame in flight would arrive well within it).
        Awaitility.await("nothing from the stranger").during(200, TimeUnit.MILLISECONDS).atMost(200 + 2_000, TimeUnit.MILLISECONDS)
                .until(() -> inbox0.isEmpty() && strangerInbox.isEmpty() && !n0.isConnectedTo(1));
        assertThat(inbox0).isEmpty();
        assertThat(strangerInbox).isEmpty();
        assertThat(n0.isConnectedTo(1)).isFalse();
        assertThat(stranger.isConnectedTo(0)).isFalse();
    }

    @Test
    void aClientCannotPoseAsANode() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        Identity client0 = cluster.identity(Principal.client(0));
        // client-0's certificate, claiming to be node-1 and listening on node-1's address
        Identity posing = new Identity(Principal.node(1), client0.ed25519Secret(), client0.x25519Secret(), client0.tlsKey(),
                client0.tlsCertificate(), client0.caCertificate());
        var posingInbox = new LinkedBlockingQueue<Received>();
        NodeTransport impostor = node(cluster, posing, posingInbox);

        // what it sends is attributed to the principal its certificate names
        impostor.send(Principal.node(0), new StateRequest(5));
        Received r = inbox0.poll(10, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new Received(Principal.client(0), new StateRequest(5)));

        // and node-0, dialing node-1, refuses the connection
        n0.send(Principal.node(1), new StateRequest(6));
        await(() -> n0.stats().refusedPeers() > 0, "refusal of the impostor");
        // Nothing may arrive: the condition must hold for 100 ms (a frame in flight would arrive well within it).
        Awaitility.await("nothing to the impostor").during(100, TimeUnit.MILLISECONDS).atMost(100 + 2_000, TimeUnit.MILLISECONDS)
                .until(() -> !n0.isConnectedTo(1) && posingInbox.isEmpty());
        assertThat(n0.isConnectedTo(1)).isFalse();
        assertThat(posingInbox).isEmpty();
    }

    // ---------------------------------------------------------------- raw frames

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

    private static void frame(DataOutputStream out, byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    @Test
    void malformedFramesAreCountedAndDroppedAndTheConnectionGoesOn() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        try (SSLSocket s = rawClient(cluster.identity(Principal.client(0)), n0)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            frame(out, new byte[] {WireCodec.VERSION, 99, 0}); // unknown type
            frame(out, new byte[] {7, WireCodec.REQUEST}); // unknown version
            frame(out, new byte[0]); // truncated
            byte[] valid = WireCodec.encode(request(0, 3));
            frame(out, java.util.Arrays.copyOf(valid, valid.length + 1)); // trailing byte
            frame(out, valid);
            Received r = inbox0.poll(10, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new Received(Principal.client(0), request(0, 3)));
            assertThat(n0.stats().malformed(Reason.UNKNOWN_TYPE)).isEqualTo(1);
            assertThat(n0.stats().malformed(Reason.UNKNOWN_VERSION)).isEqualTo(1);
            assertThat(n0.stats().malformed(Reason.TRUNCATED)).isEqualTo(1);
            assertThat(n0.stats().malformed(Reason.TRAILING_BYTES)).isEqualTo(1);
            // the connection is still good both ways
            await(() -> n0.connectedClients() == 1, "client registered");
            n0.send(Principal.client(0), new Reply(0, 3, 9, Bytes.ofUtf8("fine")));
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] reply = new byte[in.readInt()];
            in.readFully(reply);
            assertThat(WireCodec.decode(reply)).isEqualTo(new Reply(0, 3, 9, Bytes.ofUtf8("fine")));
        }
        assertThat(inbox0).isEmpty();
    }

    @Test
    void anOversizedFrameClosesTheConnectionAndNothingElse() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = node(0, inbox0);
        try (SSLSocket s = rawClient(cluster.identity(Principal.client(0)), n0)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(WireLimits.FRAME_BYTES_MAX + 1);
            out.write(new byte[64]);
            out.flush();
            int read;
            try {
                read = s.getInputStream().read();
            } catch (IOException closed) {
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
        }
        await(() -> n0.stats().oversizedFrames() == 1, "oversized frame counted");
        // a negative length is just as fatal for the stream
        try (SSLSocket s = rawClient(cluster.identity(Principal.client(1)), n0)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(-1);
            out.flush();
            int read;
            try {
                read = s.getInputStream().read();
            } catch (IOException closed) {
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
        }
        // the node is unharmed: a new connection works
        try (SSLSocket s = rawClient(cluster.identity(Principal.client(0)), n0)) {
            frame(new DataOutputStream(s.getOutputStream()), WireCodec.encode(request(0, 4)));
            assertThat(inbox0.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(Principal.client(0), request(0, 4)));
        }
    }

    @Test
    void aFullOutboundQueueDropsAndCounts() throws Exception {
        var inbox0 = new LinkedBlockingQueue<Received>();
        NodeTransport n0 = new NodeTransport(cluster, cluster.identity(Principal.node(0)),
                TransportOptions.defaults().withOutboundQueueMax(10), (from, m) -> inbox0.add(new Received(from, m)));
        open.add(n0);
        n0.start();
        // node-1 is down: frames wait in the bounded queue, the oldest are pushed out
        for (int i = 0; i < 50; i++) n0.send(Principal.node(1), new StateRequest(i));
        await(() -> n0.stats().outboundDrops() == 40, "40 drops");
        var inbox1 = new LinkedBlockingQueue<Received>();
        node(1, inbox1);
        for (int i = 40; i < 50; i++) {
            Received r = inbox1.poll(10, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.m()).isEqualTo(new StateRequest(i)); // the newest ten, after a reconnect with backoff
        }
    }
}
