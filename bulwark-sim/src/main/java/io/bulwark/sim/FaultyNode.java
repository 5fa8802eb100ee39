package io.bulwark.sim;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Message;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The behaviour of one faulty agreement node, driven by the simulator. */
public interface FaultyNode {
    /** Called once at time 0. */
    void start();

    /** A message for this node (already decoded; garbage from others never reaches it). */
    void onMessage(Principal from, Message message);

    /** A timer this node set through {@link Context#setTimer} fired. */
    void onTimer(Object key);

    /** What a faulty node may use: its own identity and keys, its colluders', the network, time, randomness. */
    interface Context {
        ClusterSpec spec();

        FabConfig config();

        int self();

        /** Signs as this node. */
        Signer signer();

        /** Signers of every faulty node in this run (colluders share keys), including this one. */
        Map<Integer, Signer> colluders();

        /** Public verification, as any node has. */
        SignatureVerifier verifier();

        /** The correct agreement nodes. */
        List<Integer> correctNodes();

        long now();

        /** A random stream of this node's own, derived from the run's seed. */
        SplittableRandom random();

        /** Sends as this node (the network authenticates the sender: no spoofing). */
        void send(Principal to, Message message);

        /** Sends arbitrary bytes as this node. */
        void sendRaw(Principal to, byte[] bytes);

        void setTimer(Object key, long delayNanos);

        /**
         * A correct core for this node's identity whose outputs come back to {@code sink}
         * instead of going out: strategies that mostly follow the protocol run one and
         * tamper with what it sends. Persisted state survives {@link #restartHonest}.
         */
        HonestCore honest(Sink sink);
    }

    /** Where an honest core's outgoing messages go when a strategy wraps it. */
    interface Sink {
        void send(Principal to, Message message);
    }

    /** A correct core run on behalf of a faulty node. */
    interface HonestCore {
        AgreementNode node();

        void onMessage(Principal from, Message message);

        void onTimer(Object key);

        /** True if the key belongs to this core's timers (strategies route those back to it). */
        boolean ownsTimer(Object key);

        /** Crash: forget everything not persisted. */
        void crash();

        /** Restart from persisted state. */
        void restart();

        boolean isUp();
    }
}
