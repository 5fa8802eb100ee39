package io.bulwark.sim;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.ClientSeals;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ThresholdShareSigner;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Message;
import io.bulwark.execution.ExecutionNode;
import java.util.SplittableRandom;

/** The behaviour of one faulty execution node, driven by the simulator. */
public interface FaultyExecutor {
    void start();

    void onMessage(Principal from, Message message);

    void onTimer(Object key);

    /** What a faulty execution node may use: its identity and key, its replica's secret, the network, time, randomness. */
    interface Context {
        ClusterSpec spec();

        int self();

        Signer signer();

        long now();

        SplittableRandom random();

        /**
         * The confidential value this node's replica of the store holds under {@link SimSecrets#KEY}
         * (empty if the run has none): a faulty execution node can read its own state.
         */
        Bytes secret();

        /** With a firewall: this node's share of the execution cluster's threshold key (null without one). */
        ThresholdShareSigner shareSigner();

        /** With a firewall: the cluster's side of every client's seal, which every execution node holds (null without one). */
        ClientSeals seals();

        /** Sends as this node (no spoofing). */
        void send(Principal to, Message message);

        void sendRaw(Principal to, byte[] bytes);

        void setTimer(Object key, long delayNanos);

        /** A correct execution core (running the key-value store) whose outputs go to {@code sink}. */
        HonestExecution honest(FaultyNode.Sink sink);
    }

    /** A correct execution core run on behalf of a faulty node. */
    interface HonestExecution {
        ExecutionNode node();

        void onMessage(Principal from, Message message);

        void onTimer(Object key);

        boolean ownsTimer(Object key);
    }
}
