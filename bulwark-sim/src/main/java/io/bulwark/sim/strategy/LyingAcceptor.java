package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.Vote;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * An acceptor that lies about what it accepted. It tells a fixed half of the learners wrong
 * digests in ACCEPTED and COMMIT, and re-signs its view-change reports with made-up content:
 * votes at the highest proposal number below the one being moved to, for batches it builds
 * from real client-signed requests it has seen (so they pass every request check); commit
 * certificates left out; stale votes (an older vote than its latest, or its latest under a lower
 * number); reports for slots it never voted in.
 */
public final class LyingAcceptor implements ByzantineStrategy {
    @Override
    public String name() {
        return "lying-acceptor";
    }

    @Override
    public String description() {
        return "Sends wrong digests in ACCEPTED/COMMIT to half the learners and re-signs its view changes with "
                + "fabricated top-pn votes built from real requests, dropped commit certificates and stale votes.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private static final int REQUESTS_KEPT = 64;
    private static final int OLD_VOTES_KEPT = 512;

    private static final class Node extends TamperingNode {
        private final SplittableRandom r;
        private final BitSet victims = new BitSet();
        private final Ring<Request> requests = new Ring<>(REQUESTS_KEPT);
        /** The first vote this node ever cast per slot (for "stale" reports). */
        private final Map<Long, Vote> firstVotes = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Vote> e) {
                return size() > OLD_VOTES_KEPT;
            }
        };
        private ViewChange lastIn;
        private ViewChange lastOut;

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.r = ctx.random();
            for (int n : ctx.correctNodes()) {
                if (r.nextBoolean()) victims.set(n);
            }
        }

        @Override
        protected boolean admit(Principal from, Message m) {
            switch (m) {
                case Request q -> requests.add(q);
                case Propose p -> {
                    for (Request q : p.batch().requests()) {
                        if (r.nextInt(4) == 0) requests.add(q);
                    }
                }
                default -> { }
            }
            return true;
        }

        private boolean lieTo(Principal to) {
            return to.kind() == Principal.Kind.NODE && victims.get((int) to.id()) && r.nextInt(10) < 7;
        }

        private Digest wrongDigest() {
            if (r.nextBoolean() || requests.isEmpty()) return Forgery.randomDigest(r);
            return fabricated().digest();
        }

        private Batch fabricated() {
            return Forgery.batchFrom(r, requests.toList(), 6, Math.floorDiv(ctx.now(), Forgery.MS) - r.nextInt(50));
        }

        @Override
        protected void tamper(Principal to, Message m) {
            switch (m) {
                case Accepted acc -> {
                    if (lieTo(to)) ctx.send(to, new Accepted(acc.pn(), acc.slot(), wrongDigest()));
                    else ctx.send(to, acc);
                }
                case Commit c -> {
                    if (lieTo(to)) ctx.send(to, new Commit(c.pn(), c.slot(), wrongDigest()));
                    else ctx.send(to, c);
                }
                case ViewChange vc -> {
                    if (vc != lastIn) {
                        lastIn = vc;
                        lastOut = lie(vc);
                    }
                    ctx.send(to, lastOut);
                }
                default -> ctx.send(to, m);
            }
        }

        private ViewChange lie(ViewChange vc) {
            long top = vc.pn() - 1; // the highest proposal number a report for vc.pn() may carry
            TreeMap<Long, SlotReport> out = new TreeMap<>();
            long highest = vc.firstReportedSlot() - 1;
            for (SlotReport rep : vc.reports()) {
                highest = Math.max(highest, rep.slot());
                if (rep.vote() != null) firstVotes.putIfAbsent(rep.slot(), rep.vote());
                SlotReport lied = switch (r.nextInt(5)) {
                    case 0 -> rep;
                    case 1 -> new SlotReport(rep.slot(), new Vote(top, fabricated()), null, null);
                    case 2 -> rep.vote() == null ? null : new SlotReport(rep.slot(), rep.vote(), null, null);
                    case 3 -> stale(rep);
                    default -> rep.vote() == null
                            ? rep
                            : new SlotReport(rep.slot(), new Vote(top, rep.vote().batch()), rep.commit(), rep.commitBatch());
                };
                if (lied != null) out.put(rep.slot(), lied);
            }
            // Slots it never voted in, just above what it knows.
            long windowEnd = vc.firstReportedSlot() + ctx.config().logWindowSlots() - 1;
            int extra = r.nextInt(4);
            for (int i = 0; i < extra; i++) {
                long slot = Math.min(windowEnd, highest + 1 + r.nextInt(4));
                if (slot >= vc.firstReportedSlot()) out.putIfAbsent(slot, new SlotReport(slot, new Vote(top, fabricated()), null, null));
            }
            return Forgery.signViewChange(ctx.signer(), ctx.self(), vc.pn(), vc.stable(), new ArrayList<>(out.values()));
        }

        /** An older vote than the latest: the first one cast, or the latest under a lower number. */
        private SlotReport stale(SlotReport rep) {
            Vote first = firstVotes.get(rep.slot());
            if (first != null && rep.vote() != null && first.pn() < rep.vote().pn()) {
                return new SlotReport(rep.slot(), first, null, null);
            }
            if (rep.vote() != null && rep.vote().pn() > 0) {
                return new SlotReport(rep.slot(), new Vote(r.nextLong(rep.vote().pn()), rep.vote().batch()), null, null);
            }
            return rep.vote() == null ? null : new SlotReport(rep.slot(), rep.vote(), null, null);
        }
    }
}
