package io.bulwark.sim.filter;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;
import java.util.ArrayList;
import java.util.List;

/**
 * A filter that forges and alters certificates: what it passes down carries the secret (once a
 * colluder handed it over) — every reply's sealed result replaced by it, the signature replaced
 * by it — and from the REPLY-SHAREs it sees (row h) it makes SLOT-REPLIES with a share in place
 * of the combined signature. Runs the correct core besides, whose genuine outputs it alters.
 */
public final class ForgingFilter implements FilterFault {
    @Override
    public String name() {
        return "filter-forge";
    }

    @Override
    public String description() {
        return "Alters and forges the certificates it passes down to carry the secret (results and signatures replaced, shares passed off as signatures).";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new TamperingFilter(context) {
            @Override
            protected void tamper(Principal to, Message m) {
                ctx.send(to, m); // the genuine one too: the firewall must stay live through the other filters anyway
                if (!knowsSecret()) return;
                Bytes s = secret();
                switch (m) {
                    case SlotReplies r -> ctx.send(to, new SlotReplies(r.slot(), withSecret(r.replies(), s), r.signature()));
                    case ReplyCertificate c -> {
                        ReplyLeaf leaf = new ReplyLeaf(c.reply().clientId(), c.reply().timestamp(), s);
                        ctx.send(to, new ReplyCertificate(c.slot(), leaf, c.leafIndex(), c.leafCount(), c.path(), c.signature()));
                        ctx.send(to, new ReplyCertificate(c.slot(), c.reply(), c.leafIndex(), c.leafCount(), c.path(), s));
                    }
                    case ExecutedCertificate c -> ctx.send(to, new ExecutedCertificate(c.slot(), Digest.sha256(s.toByteArray()), s));
                    default -> {}
                }
            }

            @Override
            protected void received(Principal from, Message m) {
                if (m instanceof ReplyShare s && fromAbove(from)) {
                    for (Principal to : below()) ctx.send(to, new SlotReplies(s.slot(), s.replies(), s.share()));
                }
            }

            private List<ReplyLeaf> withSecret(List<ReplyLeaf> leaves, Bytes s) {
                List<ReplyLeaf> out = new ArrayList<>();
                for (ReplyLeaf l : leaves) out.add(new ReplyLeaf(l.clientId(), l.timestamp(), s));
                return out;
            }
        };
    }
}
