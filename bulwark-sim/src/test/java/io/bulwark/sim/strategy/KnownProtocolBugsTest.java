package io.bulwark.sim.strategy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.agreement.FabConfig;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.WireLimits;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.NetworkProfile;
import io.bulwark.sim.SimResult;
import io.bulwark.sim.Simulation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Liveness bugs in the agreement protocol that the strategy catalogue found, kept as exact
 * reproductions so they stay fixed: a far-future view change used to lock a leader out of
 * collecting (fixed in FabProposer: the latest view change per sender, the NewView from those for
 * the leader's own pn), and a slot learned by fewer than f+1 correct learners before GST used to
 * stay undelivered forever (fixed in AgreementNode: an undelivered vote with no progress for a
 * request timeout is suspicion too).
 */
class KnownProtocolBugsTest {
    private static final long MS = NetworkProfile.MS;

    /**
     * One faulty node, otherwise silent, sends every correct node L a correctly signed
     * VIEW-CHANGE for a proposal number near {@link WireLimits#SEQUENCE_MAX} that L would lead.
     * {@code FabProposer.onViewChange} then moves L's {@code collectingPn} there for good and drops
     * every view change for a real pn below it, so no correct node can ever build a NewView:
     * once the (silent) first leader is suspected, the cluster cycles through view changes forever.
     */

    @Test
    void aViewChangeForAFarFuturePnMustNotLockALeaderOut() {
        ByzantineStrategy lockOut = new ByzantineStrategy() {
            @Override public String name() { return "lock-out"; }
            @Override public String description() { return "Silent, but sends each correct node a far-future view change it would lead."; }
            @Override public FaultyNode create(FaultyNode.Context ctx) {
                return new FaultyNode() {
                    @Override public void start() { ctx.setTimer("lock-out", 10 * MS); }
                    @Override public void onMessage(Principal from, Message m) {}
                    @Override public void onTimer(Object key) {
                        int a = ctx.spec().agreementNodes();
                        long base = WireLimits.SEQUENCE_MAX - 2L * a;
                        for (int l : ctx.correctNodes()) {
                            long pn = base - Math.floorMod(base, (long) a) + l;
                            List<SlotReport> none = List.of();
                            ctx.send(Principal.node(l), new ViewChange(ctx.self(), pn, null, none,
                                    ctx.signer().sign(WireCodec.viewChangeSignedBytes(ctx.self(), pn, null, none))));
                        }
                    }
                };
            }
        };
        ClusterSpec spec = ClusterSpec.agreementOnly(1, 1);
        SimResult r = new Simulation(new Simulation.Options(spec, StrategyCatalogueTest.config(1, 1), 1,
                NetworkProfile.stable(), List.of(new Simulation.Fault(0, lockOut)), 4, 300 * MS, 20_000 * MS, 500 * MS,
                300 * MS, 16, null)).run();
        assertTrue(r.ok(), r::toString);
    }

    /**
     * f=1, t=1, chaotic network, n0 (the leader) runs forged-signatures. Before GST slot 8 is
     * learned by one correct node only (n4, on the fast path with the faulty leader's ACCEPTED).
     * The other correct nodes hold too few ACCEPTEDs and COMMITs, and after GST nothing re-sends
     * them: the leader stops retransmitting once its own core has delivered the slot, and
     * SIGNED-ACCEPT and COMMIT are never retransmitted. DECIDED needs f+1 senders and only n4 is a
     * correct one (n0 spoiled its vote with a forged batch), and no correct node watches the slot's
     * requests (their clients were answered by n4 and n0), so no view change comes either: nodes
     * 1, 2, 3 and 5 stay at slot 8 for good (here after 15 s of quiet; found with settle 500 ms).
     * At commit 35b67b2 the same happens with f=2 t=1, seed 39, n0 and n5 forged-signatures.
     */
    @Test
    void laggingLearnersCatchUpAfterGstEvenWhenTheFaultyLeaderStopsRetransmitting() {
        ClusterSpec spec = ClusterSpec.agreementOnly(1, 1);
        NetworkProfile chaotic = new NetworkProfile(300 * MS, MS, 14 * MS / 10, 30 * MS, 0.1, 0.05, 0.3, 100 * MS, 0.3);
        SimResult r = new Simulation(new Simulation.Options(spec, StrategyCatalogueTest.config(1, 1), 56, chaotic,
                List.of(new Simulation.Fault(0, StrategyCatalogue.byName("forged-signatures"))), 4, 300 * MS, 20_000 * MS,
                15_000 * MS, 300 * MS, 16, null)).run();
        assertTrue(r.ok(), r::toString);
    }
}
