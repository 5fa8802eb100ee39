package io.bulwark.sim;

import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.FilterIncarnation;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;

/** One-line descriptions of messages for {@code --trace}: enough to follow a run, short enough to read. */
final class TraceFormat {
    private TraceFormat() {}

    static String batch(Batch b) {
        return b.isEmpty() ? "empty" : b.digest() + "(" + b.requests().size() + ")";
    }

    static String describe(Message m) {
        return switch (m) {
            case Request r -> "REQUEST " + r.id();
            case Propose p -> "PROPOSE pn=" + p.pn() + " slot=" + p.slot() + " " + batch(p.batch());
            case Accepted a -> "ACCEPTED pn=" + a.pn() + " slot=" + a.slot() + " " + a.digest();
            case SignedAccept s -> "SIGNED-ACCEPT by " + s.acceptor() + " pn=" + s.pn() + " slot=" + s.slot() + " " + s.digest();
            case Commit c -> "COMMIT pn=" + c.pn() + " slot=" + c.slot() + " " + c.digest();
            case ViewChange v -> "VIEW-CHANGE by " + v.sender() + " pn=" + v.pn() + " stable=" + (v.stable() == null ? "-" : v.stable().slot())
                    + " " + reports(v);
            case NewView n -> "NEW-VIEW pn=" + n.pn() + " from " + n.certificate().stream().map(v -> v.sender()).toList()
                    + " proposals " + n.proposals().stream().map(p -> p.slot() + ":" + batch(p.batch())).toList();
            case Checkpoint c -> "CHECKPOINT by " + c.sender() + " slot=" + c.slot() + " " + c.logHash();
            case DecisionQuery q -> "DECISION-QUERY slots " + q.fromSlot() + "+" + q.count();
            case Decided d -> "DECIDED slot=" + d.slot() + " " + batch(d.batch());
            case Reply r -> "REPLY " + r.clientId() + "/" + r.timestamp() + " slot=" + r.slot();
            case ExecutionCheckpoint c -> "EXECUTION-CHECKPOINT by " + c.sender() + " slot=" + c.slot() + " " + c.stateDigest();
            case StateRequest q -> "STATE-REQUEST from slot " + q.slot();
            case StateSnapshot s -> "STATE-SNAPSHOT slot=" + s.slot() + " " + s.state().length() + " bytes, "
                    + s.certificate().size() + " signatures";
            case Ordered o -> "ORDERED slot=" + o.slot() + " " + batch(o.batch()) + " by " + o.proof().stream()
                    .map(DecisionSignature::sender).toList();
            case ReplyShare r -> "REPLY-SHARE slot=" + r.slot() + " " + r.replies().size() + " replies";
            case SlotReplies r -> "SLOT-REPLIES slot=" + r.slot() + " " + r.replies().size() + " replies";
            case ReplyCertificate c -> "REPLY-CERTIFICATE " + c.reply().clientId() + "/" + c.reply().timestamp() + " slot="
                    + c.slot() + " leaf " + c.leafIndex() + "/" + c.leafCount();
            case ExecutedCertificate c -> "EXECUTED-CERTIFICATE slot=" + c.slot() + " " + c.root();
            case FilterIncarnation i -> "FILTER-INCARNATION " + i.incarnation();
        };
    }

    private static String reports(ViewChange v) {
        StringBuilder b = new StringBuilder("[");
        for (SlotReport r : v.reports()) {
            if (b.length() > 1) b.append(' ');
            b.append(r.slot()).append(':');
            if (r.vote() != null) b.append("v").append(r.vote().pn()).append('=').append(batch(r.vote().batch()));
            if (r.commit() != null) b.append(",cc").append(r.commit().pn());
        }
        return b.append(']').toString();
    }
}
