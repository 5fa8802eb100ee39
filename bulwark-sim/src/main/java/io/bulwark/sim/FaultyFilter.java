package io.bulwark.sim;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.firewall.FilterNode;
import java.util.SplittableRandom;

/** The behaviour of one faulty filter of the privacy firewall, driven by the simulator. */
public interface FaultyFilter {
    void start();

    /** A message for this filter (decoded). */
    void onMessage(Principal from, Message message);

    /**
     * Bytes for this filter that are not a message: a correct filter never sees them (the
     * transport drops them), a colluding one may read what a faulty neighbour hid in them.
     */
    default void onRaw(Principal from, byte[] bytes) {}

    void onTimer(Object key);

    /**
     * What a faulty filter may use: its identity, the network (only its links to the rows next
     * to it exist), time, randomness, and a correct filter core to wrap. Filters hold no secret
     * of the service and no execution key share: what a faulty filter knows of the secret is what
     * faulty execution nodes (or other faulty filters) manage to send it.
     */
    interface Context {
        ClusterSpec spec();

        int self();

        /** This filter's row: 0 next to the agreement cluster, h next to the execution cluster. */
        int row();

        long now();

        SplittableRandom random();

        /** Sends as this filter (no spoofing). A message on a link the firewall does not have is dropped. */
        void send(Principal to, Message message);

        void sendRaw(Principal to, byte[] bytes);

        void setTimer(Object key, long delayNanos);

        /** A correct filter core for this node whose outputs go to {@code sink}. */
        HonestFilter honest(FaultyNode.Sink sink);
    }

    /** A correct filter core run on behalf of a faulty filter. */
    interface HonestFilter {
        FilterNode node();

        void onMessage(Principal from, Message message);

        void onTimer(Object key);

        boolean ownsTimer(Object key);
    }
}
