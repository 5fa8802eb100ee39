package io.bulwark.sim.strategy;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.WireLimits;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Follows the protocol, and every few milliseconds also sends well-formed, correctly signed
 * (by itself) messages with proposal numbers from the far future (near
 * {@link WireLimits#SEQUENCE_MAX}, or pn + 1000) or the past (0, pn − 1), about slots far ahead
 * (stable + 10⁶, just past the window) or far behind: PROPOSE, ACCEPTED, COMMIT, SIGNED-ACCEPT,
 * VIEW-CHANGE, NEW-VIEW, CHECKPOINT, DECISION-QUERY, DECIDED.
 */
public final class StaleFuturePn implements ByzantineStrategy {
    @Override
    public String name() {
        return "stale-future-pn";
    }

    @Override
    public String description() {
        return "Follows the protocol but keeps sending self-signed messages with proposal numbers near the maximum, "
                + "pn+1000 or 0, about slots a million ahead or far behind.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private enum Timer { SEND }

    private static final class Node extends TamperingNode {
        private final SplittableRandom r;
        private final Ring<Batch> batches = new Ring<>(16);

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.r = ctx.random();
        }

        @Override
        public void start() {
            ctx.setTimer(Timer.SEND, Forgery.MS);
        }

        @Override
        protected boolean admit(Principal from, Message m) {
            if (m instanceof Propose p && !p.batch().isEmpty() && r.nextInt(4) == 0) batches.add(p.batch());
            return true;
        }

        /** A stale or future proposal number; when {@code leader >= 0}, a future one that {@code leader} would lead. */
        private long pn(int leader) {
            AgreementNode n = core.node();
            long current = n == null ? 0 : n.pn();
            int a = ctx.spec().agreementNodes();
            return switch (r.nextInt(4)) {
                case 0, 1 -> Forgery.farFuturePn(r, a, leader);
                case 2 -> {
                    long p = current + 1_000 + r.nextInt(1_000);
                    yield leader >= 0 ? p - Math.floorMod(p, (long) a) + leader : p;
                }
                default -> r.nextBoolean() ? 0 : Math.max(0, current - 1);
            };
        }

        private long slot() {
            AgreementNode n = core.node();
            long stable = n == null ? -1 : n.stableSlot();
            long next = n == null ? 0 : n.nextSlotToDeliver();
            return switch (r.nextInt(5)) {
                case 0, 1 -> stable + 1_000_000 + r.nextInt(1_000);
                case 2 -> stable + ctx.config().logWindowSlots() + 1 + r.nextInt(64);
                case 3 -> r.nextBoolean() ? 0 : Math.max(0, stable - r.nextInt(100));
                default -> Math.max(0, next - 1 - r.nextInt(1_000));
            };
        }

        private Batch batch() {
            return batches.isEmpty() || r.nextInt(4) == 0 ? Batch.EMPTY : batches.random(r);
        }

        private Digest digest() {
            return r.nextBoolean() ? Forgery.randomDigest(r) : batch().digest();
        }

        @Override
        protected void onOwnTimer(Object key) {
            if (key != Timer.SEND) return;
            ctx.setTimer(Timer.SEND, (2 + r.nextInt(9)) * Forgery.MS);
            int burst = 1 + r.nextInt(3);
            for (int i = 0; i < burst; i++) {
                if (r.nextInt(3) == 0) {
                    for (int node = 0; node < ctx.spec().agreementNodes(); node++) {
                        if (node != ctx.self()) send(node);
                    }
                } else {
                    send(Forgery.randomPeer(ctx));
                }
            }
        }

        private void send(int to) {
            Message m = make(to);
            if (m != null) ctx.send(Principal.node(to), m);
        }

        /**
         * One message for {@code to}. Proposals and NewViews name a pn this node leads (else
         * they are dropped at the door); view changes half the time name a pn that {@code to} leads.
         */
        private Message make(int to) {
            AgreementNode n = core.node();
            int self = ctx.self();
            return switch (r.nextInt(9)) {
                case 0 -> new Propose(pn(self), slot(), batch());
                case 1 -> new Accepted(pn(-1), slot(), digest());
                case 2 -> new Commit(pn(-1), slot(), digest());
                case 3 -> Forgery.signAccept(ctx.signer(), self, pn(-1), slot(), digest());
                case 4 -> viewChange(pn(r.nextBoolean() ? to : -1));
                case 5 -> {
                    long p = pn(self);
                    ViewChange vc = viewChange(p);
                    yield new NewView(p, vc == null ? List.of() : List.of(vc), List.of(new Proposal(slot(), batch())));
                }
                case 6 -> {
                    int k = ctx.config().checkpointInterval();
                    long s = slot();
                    s = s - Math.floorMod(s, (long) k) + k - 1;
                    yield Forgery.signCheckpoint(ctx.signer(), self, Math.min(s, WireLimits.SEQUENCE_MAX), digest());
                }
                case 7 -> new DecisionQuery(slot(), 1 + r.nextInt(WireLimits.QUERY_SLOTS_MAX));
                default -> n == null ? null : new Decided(slot(), batch());
            };
        }

        /** A view change for {@code pn} signed by this node: its real reports when they fit below pn, else none. */
        private ViewChange viewChange(long pn) {
            AgreementNode n = core.node();
            if (n == null) return null;
            ViewChange mine = n.acceptor().currentViewChange();
            List<SlotReport> reports = mine.reports();
            for (SlotReport rep : reports) {
                if ((rep.vote() != null && rep.vote().pn() >= pn) || (rep.commit() != null && rep.commit().pn() >= pn)) {
                    reports = List.of();
                    break;
                }
            }
            return Forgery.signViewChange(ctx.signer(), self(), pn, mine.stable(), reports);
        }

        private int self() {
            return ctx.self();
        }
    }
}
