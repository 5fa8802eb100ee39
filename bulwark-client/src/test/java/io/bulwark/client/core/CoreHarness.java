package io.bulwark.client.core;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Drives a {@link ClientCore} the way a host does, in virtual time: timers fire when time is advanced past them. */
final class CoreHarness {
    static final long MS = 1_000_000L;

    final long clientId;
    final ClusterSpec spec;
    final ClientConfig config;
    final PublicKeyDirectory keys;
    final ClientCore core;
    private final Outbox out = new Outbox();
    long now = 1_000 * MS; // any origin: the core only uses differences
    /** Armed timers: key → due time, in arming order (ties fire in that order). */
    final Map<Object, Long> timers = new LinkedHashMap<>();
    private final List<Outbox.Send> sent = new ArrayList<>();
    final List<CallOutcome> outcomes = new ArrayList<>();

    CoreHarness(ClusterSpec spec, ClientConfig config, long initialTimestamp) {
        this(spec, config, initialTimestamp, RequestAuthenticator.NONE);
    }

    CoreHarness(ClusterSpec spec, ClientConfig config, long initialTimestamp, RequestAuthenticator authenticator) {
        this(spec, config, initialTimestamp, authenticator, null, null);
    }

    /** A firewall-mode client (both null without a firewall). */
    CoreHarness(ClusterSpec spec, ClientConfig config, long initialTimestamp, ClientSeal seal, ThresholdVerifier executionKey) {
        this(spec, config, initialTimestamp, RequestAuthenticator.NONE, seal, executionKey);
    }

    CoreHarness(ClusterSpec spec, ClientConfig config, long initialTimestamp, RequestAuthenticator authenticator,
            ClientSeal seal, ThresholdVerifier executionKey) {
        this.clientId = 7;
        this.spec = spec;
        this.config = config;
        Bytes secret = Ed25519Keys.generateSecretKey(new Random(42));
        Signer signer = Ed25519Keys.signer(Principal.client(clientId), secret);
        this.keys = new PublicKeyDirectory(Map.of(Principal.client(clientId), Ed25519Keys.publicKeyOf(secret)));
        this.core = new ClientCore(spec, clientId, signer, authenticator, config, initialTimestamp, seal, executionKey);
    }

    long submit(String operation) {
        long id = core.submit(now, Bytes.ofUtf8(operation), out);
        drain();
        return id;
    }

    /** A reply from node {@code node} for the outstanding request. */
    void reply(int node, long slot, String result) {
        reply(node, core.outstandingTimestamp().orElseThrow(), slot, result);
    }

    void reply(int node, long timestamp, long slot, String result) {
        deliver(Principal.node(node), new Reply(clientId, timestamp, slot, Bytes.ofUtf8(result)));
    }

    void deliver(Principal from, Message m) {
        core.onMessage(now, from, m, out);
        drain();
    }

    /** Moves time to {@code t}, firing every timer due by then in due order. */
    void advanceTo(long t) {
        while (true) {
            Map.Entry<Object, Long> next = null;
            for (Map.Entry<Object, Long> e : timers.entrySet()) {
                if (e.getValue() <= t && (next == null || e.getValue() < next.getValue())) next = e;
            }
            if (next == null) break;
            Object key = next.getKey();
            now = Math.max(now, next.getValue());
            timers.remove(key);
            core.onTimer(now, key, out);
            drain();
        }
        now = Math.max(now, t);
    }

    void advanceBy(long nanos) {
        advanceTo(now + nanos);
    }

    /** The sends since the last call, and forgets them. */
    List<Outbox.Send> takeSent() {
        List<Outbox.Send> s = List.copyOf(sent);
        sent.clear();
        return s;
    }

    List<Integer> recipients(List<Outbox.Send> sends) {
        List<Integer> ids = new ArrayList<>();
        for (Outbox.Send s : sends) ids.add((int) s.to().id());
        return ids;
    }

    Request requestIn(Outbox.Send s) {
        return (Request) s.message();
    }

    /** The outcomes reported so far, and forgets them. */
    List<CallOutcome> takeOutcomes() {
        List<CallOutcome> o = List.copyOf(outcomes);
        outcomes.clear();
        return o;
    }

    private void drain() {
        for (Outbox.TimerCommand t : out.timers()) {
            timers.remove(t.key());
            if (!t.cancel()) timers.put(t.key(), now + t.delayNanos());
        }
        if (!out.persists().isEmpty() || !out.deliveries().isEmpty()) {
            throw new AssertionError("a client core neither persists nor delivers");
        }
        sent.addAll(out.sends());
        out.clear();
        outcomes.addAll(core.drainOutcomes());
    }
}
