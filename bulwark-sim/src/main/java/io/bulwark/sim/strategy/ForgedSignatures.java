package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.Vote;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Corrupts signatures on everything it sends that carries one (each message independently,
 * most of the time): signed accepts with random signature bytes or in another acceptor's name,
 * view changes in a correct node's name or with their reports changed under the old signature,
 * checkpoints with bad signatures, proposals with an altered or invented client request, and
 * NewViews with forged view changes in their certificate or proposals that do not follow from it.
 */
public final class ForgedSignatures implements ByzantineStrategy {
    @Override
    public String name() {
        return "forged-signatures";
    }

    @Override
    public String description() {
        return "Sends signed accepts, view changes, checkpoints, proposals and NewViews with bad or borrowed "
                + "signatures, altered or invented client requests, and forged certificate entries.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private static final class Node extends TamperingNode {
        private final SplittableRandom r;
        private final List<Integer> correct;
        private final int clients = 8;

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.r = ctx.random();
            this.correct = ctx.correctNodes();
        }

        private boolean forge() {
            return r.nextInt(10) < 6;
        }

        private int someoneElse() {
            return correct.isEmpty() ? ctx.self() : Forgery.pick(r, correct);
        }

        @Override
        protected void tamper(Principal to, Message m) {
            if (to.kind() != Principal.Kind.NODE || !forge()) {
                ctx.send(to, m);
                return;
            }
            Message forged = switch (m) {
                case SignedAccept s -> r.nextBoolean()
                        ? new SignedAccept(s.acceptor(), s.pn(), s.slot(), s.digest(), Forgery.randomSignature(r))
                        : new SignedAccept(someoneElse(), s.pn(), s.slot(), s.digest(),
                                r.nextBoolean() ? s.signature() : Forgery.randomSignature(r));
                case ViewChange vc -> forgeViewChange(vc);
                case Checkpoint c -> r.nextBoolean()
                        ? new Checkpoint(c.sender(), c.slot(), c.logHash(), Forgery.randomSignature(r))
                        : new Checkpoint(someoneElse(), c.slot(), c.logHash(), c.signature());
                case Propose p -> new Propose(p.pn(), p.slot(), forgeBatch(p.batch()));
                case NewView nv -> forgeNewView(nv);
                case Decided d -> new Decided(d.slot(), forgeBatch(d.batch()));
                case Request q -> Forgery.alteredRequest(r, q);
                default -> m;
            };
            ctx.send(to, forged);
        }

        /** A batch with one request's operation altered under its old signature, or an invented request added. */
        private Batch forgeBatch(Batch b) {
            List<Request> rq = new ArrayList<>(b.requests());
            if (!rq.isEmpty() && r.nextBoolean()) {
                int i = r.nextInt(rq.size());
                rq.set(i, Forgery.alteredRequest(r, rq.get(i)));
            } else {
                Request invented = Forgery.inventedRequest(r, clients);
                boolean clash = rq.stream().anyMatch(q -> q.id().equals(invented.id()));
                if (!clash) rq.add(r.nextInt(rq.size() + 1), invented);
            }
            return new Batch(b.isEmpty() ? Math.floorDiv(ctx.now(), Forgery.MS) : b.timeMillis(), rq);
        }

        private ViewChange forgeViewChange(ViewChange vc) {
            switch (r.nextInt(3)) {
                case 0 -> {
                    // In a correct node's name: the network says it is from us, and the signature is junk.
                    return new ViewChange(someoneElse(), vc.pn(), vc.stable(), vc.reports(), Forgery.randomSignature(r));
                }
                case 1 -> {
                    // Reports changed, old signature kept.
                    return new ViewChange(vc.sender(), vc.pn(), vc.stable(), tamperedReports(vc), vc.signature());
                }
                default -> {
                    return new ViewChange(vc.sender(), vc.pn(), vc.stable(), vc.reports(), Forgery.randomSignature(r));
                }
            }
        }

        private List<SlotReport> tamperedReports(ViewChange vc) {
            List<SlotReport> reports = new ArrayList<>(vc.reports());
            if (!reports.isEmpty() && r.nextBoolean()) {
                int i = r.nextInt(reports.size());
                SlotReport old = reports.get(i);
                if (old.vote() != null && vc.pn() > 0) {
                    reports.set(i, new SlotReport(old.slot(), new Vote(vc.pn() - 1, old.vote().batch()), null, null));
                } else {
                    reports.remove(i);
                }
            } else {
                long slot = reports.isEmpty() ? vc.firstReportedSlot() : reports.getLast().slot() + 1;
                if (vc.pn() > 0) reports.add(new SlotReport(slot, new Vote(vc.pn() - 1, Batch.EMPTY), null, null));
            }
            return reports;
        }

        private NewView forgeNewView(NewView nv) {
            List<ViewChange> cert = new ArrayList<>(nv.certificate());
            List<Proposal> proposals = new ArrayList<>(nv.proposals());
            switch (r.nextInt(3)) {
                case 0 -> {
                    // One entry replaced by a forged view change of a correct node that is not in it.
                    if (!cert.isEmpty()) {
                        int i = r.nextInt(cert.size());
                        ViewChange v = cert.get(i);
                        cert.set(i, new ViewChange(someoneElse(), v.pn(), v.stable(), v.reports(), Forgery.randomSignature(r)));
                    }
                }
                case 1 -> {
                    // One entry's reports changed under its signature.
                    if (!cert.isEmpty()) {
                        int i = r.nextInt(cert.size());
                        ViewChange v = cert.get(i);
                        cert.set(i, new ViewChange(v.sender(), v.pn(), v.stable(), tamperedReports(v), v.signature()));
                    }
                }
                default -> {
                    // A proposal that does not follow from the certificate, with a forged request.
                    if (proposals.isEmpty()) {
                        proposals.add(new Proposal(0, forgeBatch(Batch.EMPTY)));
                    } else {
                        int i = r.nextInt(proposals.size());
                        Proposal p = proposals.get(i);
                        proposals.set(i, new Proposal(p.slot(), forgeBatch(p.batch())));
                    }
                }
            }
            return new NewView(nv.pn(), cert, proposals);
        }
    }
}
