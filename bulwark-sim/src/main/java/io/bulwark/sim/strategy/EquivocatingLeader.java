package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.CommitCertificate;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.Vote;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A leader that tells two groups of correct acceptors two different valid batches for the same
 * slot, and backs each group's value with everything a faulty node can sign: the aim is for
 * correct learners to learn different values.
 *
 * <p>All faulty nodes running it compute the same split without talking: for proposal number
 * pn the correct nodes are shuffled by a hash of (pn, sorted faulty ids), with the next leader,
 * if correct, put last (in group B). The B value is a fixed function of the A value (the
 * smallest-digest of: the empty batch, the requests reversed or one short, the time moved by a
 * few ms, so that B also wins digest tie-breaks), so a colluding acceptor that receives A knows
 * B, votes B itself, and reports B; its ACCEPTED, COMMIT and DECIDED follow the split too.
 * Two kinds of slot:
 * <ul>
 *   <li><b>fast split</b>: A goes to exactly {@code fast − faulty} correct acceptors, the rest get
 *       B. Faulty nodes send ACCEPTED(A) only to the first {@code faulty} of them (X), so X can
 *       learn A fast while too few correct nodes know A for DECIDED catch-up to spread it, and
 *       sign B only (no commit certificate for A can form). The faulty nodes ask early for the
 *       next view with B in their reports (A certificates left out), and a faulty next leader
 *       keeps X out of its progress certificate for a while. With the fast quorum one too small,
 *       B then wins the view change after X has delivered A.</li>
 *   <li><b>halves</b> (a third of the slots, by a hash of pn and slot): A to ⌊(c−1)/2⌋ of the c
 *       correct acceptors, B to the rest, and ACCEPTED, SIGNED-ACCEPT and COMMIT for each value to
 *       its half: with the commit quorum one too small both halves certify and learn.</li>
 * </ul>
 * Half the client requests (by a hash of the request) are <b>timed</b>: the leader holds them
 * back until a correct node forwards one, which tells it when that node started watching it
 * and so at which heartbeat it will suspect the leader; the request is proposed, fast split,
 * 2.5 ms before that heartbeat. The view change then starts before the slow path can certify A
 * and before catch-up can spread it, which is what a support, report or proof threshold one too
 * small needs to be exploited. NewViews it leads go only to the A half in every other pn. A
 * faulty node's own core is fed DECIDED for its split slots if it has not learned them within
 * half the request timeout, so that it never suspects its own (faulty) leader and leaves the view.
 */
public final class EquivocatingLeader implements ByzantineStrategy {
    @Override
    public String name() {
        return "equivocating-leader";
    }

    @Override
    public String description() {
        return "As leader proposes two different valid batches per slot to two groups of correct acceptors "
                + "and backs each with ACCEPTED, SIGNED-ACCEPT, COMMIT and view-change reports; colluders split alike.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    /** How long a faulty next leader keeps X out of its progress certificate. */
    private static final long ADMISSION_WINDOW_NANOS = 60 * Forgery.MS;
    private static final int EQUIVOCATIONS_KEPT = 4_096;

    private record SlotKey(long pn, long slot) {}

    private record SignTimer(SlotKey key) {}

    private record EarlyViewChangeTimer(long pn) {}

    private record InjectTimer(RequestId id) {}

    private record KeepCalmTimer(SlotKey key) {}

    /** How long before a correct node's suspicion heartbeat a timed request is proposed. */
    private static final long TIMED_LEAD_NANOS = 5 * Forgery.MS / 2;
    private static final long TIMED_VIEW_CHANGE_DELAY_NANOS = Forgery.MS / 4;

    /** The correct nodes of one pn in split order; {@code pos[node]} is a node's place, -1 if faulty. */
    private record Split(int[] order, int[] pos) {}

    /**
     * One equivocated slot.
     *
     * @param nA     correct nodes (in split order) that get A; the rest get B
     * @param xCount the first of them that faulty nodes tell about A (ACCEPTED, COMMIT)
     * @param signA  whether faulty nodes also sign A to the A group
     */
    private record Equivocation(long pn, Batch a, Batch b, Split split, int nA, int xCount, boolean signA) {
        int index(int node) {
            return node >= 0 && node < split.pos().length ? split.pos()[node] : -1;
        }
    }

    private static final class Node extends TamperingNode {
        private final int a;
        private final int faultyCount;
        private final long colludersHash;
        private final Map<SlotKey, Equivocation> equivocations = lru(EQUIVOCATIONS_KEPT);
        private final Map<Long, Equivocation> latestBySlot = lru(EQUIVOCATIONS_KEPT);
        private final Map<Long, Split> splits = lru(32);
        private final Map<Long, Long> collectingSince = lru(8);
        private long lastEquivocatedPn = -1;
        private long earlyViewChangePn = -1;
        private final Map<RequestId, Request> held = lru(1_024);
        private final Map<RequestId, Boolean> scheduled = lru(4_096);
        private final Map<RequestId, Boolean> injected = lru(4_096);
        private ViewChange lastViewChangeIn;
        private ViewChange lastViewChangeOut;

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.a = ctx.spec().agreementNodes();
            this.faultyCount = ctx.colluders().size();
            long h = 17;
            for (int id : new TreeSet<>(ctx.colluders().keySet())) h = Forgery.mix(h, id);
            this.colludersHash = h;
        }

        private static <K, V> Map<K, V> lru(int max) {
            return new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                    return size() > max;
                }
            };
        }

        private boolean isColluder(int node) {
            return ctx.colluders().containsKey(node);
        }

        private Split split(long pn) {
            Split s = splits.get(pn);
            if (s != null) return s;
            List<Integer> correct = new ArrayList<>(ctx.correctNodes());
            Collections.sort(correct);
            Collections.shuffle(correct, new java.util.Random(Forgery.mix(pn, colludersHash)));
            int next = ctx.spec().leaderOf(pn + 1);
            if (correct.remove(Integer.valueOf(next))) correct.add(next);
            int[] order = correct.stream().mapToInt(Integer::intValue).toArray();
            int[] pos = new int[a];
            java.util.Arrays.fill(pos, -1);
            for (int i = 0; i < order.length; i++) pos[order[i]] = i;
            s = new Split(order, pos);
            splits.put(pn, s);
            return s;
        }

        private int halvesSize(int correct) {
            return Math.max(1, Math.min(correct - 1, (correct - 1) / 2));
        }

        /** The same answer on every colluder: A is what the leader proposed, B follows from it. */
        private Equivocation register(long pn, long slot, Batch batchA) {
            SlotKey key = new SlotKey(pn, slot);
            Equivocation e = equivocations.get(key);
            if (e != null) return e;
            Split s = split(pn);
            int c = s.order().length;
            boolean timed = batchA.requests().stream().anyMatch(this::timed);
            boolean halves = !timed && Math.floorMod(Forgery.mix(Forgery.mix(pn, slot), colludersHash), 3) == 0;
            int nA;
            int x;
            if (halves) {
                nA = halvesSize(c);
                x = nA;
            } else {
                nA = Math.max(1, Math.min(c - 1, ctx.config().quorums().fast() - faultyCount));
                x = Math.min(faultyCount, nA);
            }
            e = new Equivocation(pn, batchA, variant(batchA), s, nA, x, halves);
            equivocations.put(key, e);
            Equivocation before = latestBySlot.get(slot);
            if (before == null || before.pn() <= pn) latestBySlot.put(slot, e);
            ctx.setTimer(new SignTimer(key), Math.max(1, ctx.config().slowPathDelayNanos() / 2));
            ctx.setTimer(new KeepCalmTimer(key), ctx.config().requestTimeoutNanos() / 2);
            if (pn > lastEquivocatedPn) lastEquivocatedPn = pn;
            if (timed) {
                // The view change is about to start: our reports (with B) must be in first.
                ctx.setTimer(new EarlyViewChangeTimer(pn), TIMED_VIEW_CHANGE_DELAY_NANOS);
            } else if (pn > earlyViewChangePn) {
                earlyViewChangePn = pn;
                ctx.setTimer(new EarlyViewChangeTimer(pn), 3 * ctx.config().slowPathDelayNanos());
            }
            return e;
        }

        /** Half the requests (by a hash every colluder computes alike) are proposed on a timer, see {@link #admit}. */
        private boolean timed(Request q) {
            return (Forgery.mix(Forgery.mix(q.clientId(), q.timestamp()), colludersHash) & 1) == 0;
        }

        /** The latest equivocation for {@code slot} under any pn, or null. */
        private Equivocation equivocatedSlot(long slot) {
            return latestBySlot.get(slot);
        }

        /** A different valid batch, a fixed function of {@code a}: the candidate with the smallest digest. */
        static Batch variant(Batch a) {
            List<Batch> candidates = new ArrayList<>();
            candidates.add(Batch.EMPTY);
            List<Request> rq = a.requests();
            if (rq.size() >= 2) {
                List<Request> reversed = new ArrayList<>(rq);
                Collections.reverse(reversed);
                candidates.add(new Batch(a.timeMillis(), reversed));
                candidates.add(new Batch(a.timeMillis(), rq.subList(0, rq.size() - 1)));
                candidates.add(new Batch(a.timeMillis(), rq.subList(1, rq.size())));
            }
            for (int d = 1; d <= 3; d++) {
                candidates.add(new Batch(a.timeMillis() + d, rq));
                if (a.timeMillis() - d >= 0) candidates.add(new Batch(a.timeMillis() - d, rq));
            }
            Digest da = a.digest();
            Batch best = null;
            for (Batch b : candidates) {
                if (b.digest().equals(da)) continue;
                if (best == null || b.digest().compareTo(best.digest()) < 0) best = b;
            }
            return best;
        }

        // ------------------------------------------------------------ incoming

        @Override
        protected boolean admit(Principal from, Message m) {
            if (m instanceof Request q && timed(q) && core.node().isLeader() && !injected.containsKey(q.id())) {
                hold(from, q);
                return false;
            }
            if (from.kind() != Principal.Kind.NODE) return true;
            int sender = (int) from.id();
            if (m instanceof Propose p && sender != ctx.self() && isColluder(sender)
                    && ctx.spec().leaderOf(p.pn()) == sender && !p.batch().isEmpty()) {
                // A colluding leader's proposal: this node is in group B.
                Equivocation e = register(p.pn(), p.slot(), p.batch());
                core.onMessage(from, new Propose(p.pn(), p.slot(), e.b()));
                return false;
            }
            if (m instanceof ViewChange vc && sender < a && !isColluder(sender) && ctx.spec().leaderOf(vc.pn()) == ctx.self()
                    && lastEquivocatedPn >= 0 && lastEquivocatedPn < vc.pn()) {
                // Leading the view change: keep X (the first faulty-count nodes of the split) out of
                // the progress certificate for a while, so that B's supporters fill it.
                long since = collectingSince.computeIfAbsent(vc.pn(), x -> ctx.now());
                int place = split(lastEquivocatedPn).pos()[sender];
                if (ctx.now() - since < ADMISSION_WINDOW_NANOS && place >= 0 && place < faultyCount) return false;
            }
            return true;
        }

        /**
         * Holds a timed request back from the leader core. When a correct node forwards it, that
         * node has just started watching it and will suspect this leader at its first heartbeat
         * after the request timeout; the request is proposed (and equivocated) a little before
         * that heartbeat, so that the view change starts before the slow path can certify A and
         * before catch-up can spread it.
         */
        private void hold(Principal from, Request q) {
            RequestId id = q.id();
            if (!held.containsKey(id)) {
                held.put(id, q);
                ctx.setTimer(new InjectTimer(id), 3 * ctx.config().requestTimeoutNanos()); // in case no one forwards it
            }
            if (from.kind() == Principal.Kind.NODE && !isColluder((int) from.id()) && !scheduled.containsKey(id)) {
                scheduled.put(id, Boolean.TRUE);
                long hb = ctx.config().heartbeatNanos();
                long watchedSince = ctx.now() - Forgery.MS; // it forwarded the request as it got it
                long suspectAt = ((watchedSince + ctx.config().requestTimeoutNanos()) / hb + 1) * hb;
                ctx.setTimer(new InjectTimer(id), Math.max(0, suspectAt - TIMED_LEAD_NANOS - ctx.now()));
            }
        }

        // ------------------------------------------------------------ outgoing

        @Override
        protected void tamper(Principal to, Message m) {
            if (m instanceof ViewChange vc) {
                // Reports say B everywhere, colluders included: a colluding next leader builds on them.
                if (vc != lastViewChangeIn) {
                    lastViewChangeIn = vc;
                    lastViewChangeOut = substitute(vc, vc.pn());
                }
                ctx.send(to, lastViewChangeOut);
                return;
            }
            if (to.kind() != Principal.Kind.NODE || isColluder((int) to.id())) {
                ctx.send(to, m);
                return;
            }
            int node = (int) to.id();
            switch (m) {
                case Propose p -> {
                    if (p.batch().isEmpty()) {
                        ctx.send(to, p);
                        return;
                    }
                    Equivocation e = register(p.pn(), p.slot(), p.batch());
                    ctx.send(to, e.index(node) < e.nA() ? p : new Propose(p.pn(), p.slot(), e.b()));
                }
                case Accepted acc -> {
                    Equivocation e = equivocations.get(new SlotKey(acc.pn(), acc.slot()));
                    if (e == null) {
                        ctx.send(to, acc);
                        return;
                    }
                    int i = e.index(node);
                    if (i < e.xCount()) ctx.send(to, new Accepted(acc.pn(), acc.slot(), e.a().digest()));
                    else if (i >= e.nA()) ctx.send(to, new Accepted(acc.pn(), acc.slot(), e.b().digest()));
                }
                case Commit c -> {
                    Equivocation e = equivocations.get(new SlotKey(c.pn(), c.slot()));
                    if (e == null) {
                        ctx.send(to, c);
                        return;
                    }
                    int i = e.index(node);
                    if (i < e.xCount()) ctx.send(to, new Commit(c.pn(), c.slot(), e.a().digest()));
                    else if (i >= e.nA()) ctx.send(to, new Commit(c.pn(), c.slot(), e.b().digest()));
                }
                case Decided d -> {
                    // Catch-up answers follow the split too: A only to those already told A.
                    Equivocation e = equivocatedSlot(d.slot());
                    if (e == null) {
                        ctx.send(to, d);
                        return;
                    }
                    ctx.send(to, new Decided(d.slot(), e.index(node) < e.xCount() ? e.a() : e.b()));
                }
                case SignedAccept s -> {
                    // Equivocated slots are signed by the strategy itself (SignTimer), per group.
                    if (!equivocations.containsKey(new SlotKey(s.pn(), s.slot()))) ctx.send(to, s);
                }
                case NewView nv -> {
                    boolean partial = (Forgery.mix(nv.pn(), colludersHash) & 1) == 0;
                    int[] pos = split(nv.pn()).pos();
                    // Learners outside the agreement cluster (execution nodes) count as the A half.
                    int position = node < pos.length ? pos[node] : 0;
                    if (!partial || position < halvesSize(split(nv.pn()).order().length)) {
                        ctx.send(to, nv);
                    }
                }
                default -> ctx.send(to, m);
            }
        }

        /** The view change with every A vote of an equivocated slot reported as B, and A certificates left out. */
        private ViewChange substitute(ViewChange vc, long pn) {
            boolean changed = pn != vc.pn();
            List<SlotReport> out = new ArrayList<>(vc.reports().size());
            for (SlotReport r : vc.reports()) {
                Vote v = r.vote();
                CommitCertificate cc = r.commit();
                Batch cb = r.commitBatch();
                if (v != null) {
                    Equivocation e = equivocations.get(new SlotKey(v.pn(), r.slot()));
                    if (e != null && v.batch().digest().equals(e.a().digest())) {
                        v = new Vote(v.pn(), e.b());
                        changed = true;
                    }
                }
                if (cc != null) {
                    Equivocation e = equivocations.get(new SlotKey(cc.pn(), r.slot()));
                    if (e != null && cc.digest().equals(e.a().digest())) {
                        cc = null;
                        cb = null;
                        changed = true;
                    }
                }
                if (v == null && cc == null) {
                    changed = true;
                    continue;
                }
                out.add(v == r.vote() && cc == r.commit() ? r : new SlotReport(r.slot(), v, cc, cb));
            }
            if (!changed) return vc;
            return Forgery.signViewChange(ctx.signer(), ctx.self(), pn, vc.stable(), out);
        }

        // ------------------------------------------------------------ own timers

        @Override
        protected void onOwnTimer(Object key) {
            switch (key) {
                case SignTimer st -> {
                    Equivocation e = equivocations.get(st.key());
                    if (e == null) return;
                    SlotKey k = st.key();
                    SignedAccept forA = e.signA()
                            ? Forgery.signAccept(ctx.signer(), ctx.self(), k.pn(), k.slot(), e.a().digest())
                            : null;
                    SignedAccept forB = Forgery.signAccept(ctx.signer(), ctx.self(), k.pn(), k.slot(), e.b().digest());
                    Commit commitA = new Commit(k.pn(), k.slot(), e.a().digest());
                    Commit commitB = new Commit(k.pn(), k.slot(), e.b().digest());
                    for (int node : e.split().order()) {
                        int i = e.index(node);
                        SignedAccept s = i < e.nA() ? forA : forB;
                        if (s != null) ctx.send(Principal.node(node), s);
                        // Back each group's value on the slow path too, whether or not our own cores certify it.
                        if (i < e.xCount()) ctx.send(Principal.node(node), commitA);
                        else if (i >= e.nA()) ctx.send(Principal.node(node), commitB);
                    }
                }
                case KeepCalmTimer kc -> {
                    // Our own core must not suspect its own leader (and stop proposing) because it
                    // cannot learn a slot we split: tell it, under enough names, what it voted for.
                    Equivocation e = equivocations.get(kc.key());
                    if (e == null || !core.isUp() || core.node().nextSlotToDeliver() > kc.key().slot()) return;
                    Vote mine = core.node().acceptor().votes().get(kc.key().slot());
                    Batch value = mine != null && mine.pn() == kc.key().pn() ? mine.batch() : e.a();
                    Decided d = new Decided(kc.key().slot(), value);
                    for (int n = 0; n <= ctx.spec().f(); n++) core.onMessage(Principal.node(n), d);
                }
                case InjectTimer it -> {
                    Request q = held.remove(it.id());
                    if (q == null || !core.isUp()) return;
                    injected.put(it.id(), Boolean.TRUE);
                    core.onMessage(Principal.client(q.clientId()), q);
                }
                case EarlyViewChangeTimer t -> {
                    // Ask for the next view before anyone suspects us, with B in our report.
                    if (!core.isUp() || core.node().pn() != t.pn()) return;
                    ViewChange mine = core.node().acceptor().currentViewChange();
                    ViewChange early = substitute(mine, t.pn() + 1);
                    for (int node = 0; node < a; node++) {
                        if (node != ctx.self()) ctx.send(Principal.node(node), early);
                    }
                }
                default -> { }
            }
        }
    }
}
