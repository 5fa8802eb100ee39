package io.bulwark.sim.filter;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Request;
import io.bulwark.sim.Collusion;
import io.bulwark.sim.FaultyFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Base for filter strategies: runs the correct filter core (so the firewall stays live through
 * this filter unless the strategy says otherwise), passes what it would send through
 * {@link #tamper}, and listens for what colluding execution nodes hand over ({@link Collusion}):
 * once it has the secret, {@link #bit} reads it (before that, every bit is 0 — the strategy then
 * behaves the same whatever the secret, as it must: it knows nothing).
 */
abstract class TamperingFilter implements FaultyFilter {
    protected final Context ctx;
    protected final HonestFilter core;
    private byte[] secret = new byte[0];
    /** Clients this filter has seen (row 0), so that it can address them. */
    protected final TreeSet<Long> clients = new TreeSet<>();

    TamperingFilter(Context ctx) {
        this.ctx = ctx;
        this.core = ctx.honest(this::tamper);
    }

    @Override
    public void start() {}

    @Override
    public void onMessage(Principal from, Message message) {
        if (from.kind() == Principal.Kind.CLIENT) clients.add(from.id());
        if (message instanceof Request r) clients.add(r.clientId());
        core.onMessage(from, message);
        received(from, message);
    }

    @Override
    public void onRaw(Principal from, byte[] bytes) {
        Collusion.received(bytes).ifPresent(s -> secret = s.toByteArray());
        receivedRaw(from, bytes);
    }

    @Override
    public void onTimer(Object key) {
        if (core.ownsTimer(key)) core.onTimer(key);
        else onOwnTimer(key);
    }

    /** Decide what leaves when the correct core sends {@code m} to {@code to}. Default: send it. */
    protected void tamper(Principal to, Message m) {
        ctx.send(to, m);
    }

    /** A message the correct core has just seen. */
    protected void received(Principal from, Message m) {}

    protected void receivedRaw(Principal from, byte[] bytes) {}

    protected void onOwnTimer(Object key) {}

    /** Whether a colluder has handed this filter the secret. */
    protected boolean knowsSecret() {
        return secret.length > 0;
    }

    protected Bytes secret() {
        return Bytes.wrapOwned(secret.clone());
    }

    /** Bit {@code i} of the secret as far as this filter knows it (0 while it knows nothing). */
    protected int bit(long i) {
        if (secret.length == 0) return 0;
        long k = Math.floorMod(i, (long) secret.length * 8);
        return (secret[(int) (k / 8)] >> (int) (k % 8)) & 1;
    }

    /** Whether {@code from} is in the row above (row h: the execution nodes). */
    protected boolean fromAbove(Principal from) {
        if (from.kind() != Principal.Kind.NODE) return false;
        int id = (int) from.id();
        if (ctx.row() == ctx.spec().h()) return ctx.spec().isExecutionNode(id);
        return ctx.spec().isFilterNode(id) && ctx.spec().filterRow(id) == ctx.row() + 1;
    }

    /** Everyone below: the row below, or for row 0 the agreement nodes and the clients it has seen (and the first few). */
    protected List<Principal> below() {
        List<Principal> all = new ArrayList<>();
        if (ctx.row() == 0) {
            for (int n = 0; n < ctx.spec().agreementNodes(); n++) all.add(Principal.node(n));
            TreeSet<Long> ids = new TreeSet<>(clients);
            for (long c = 0; c < 8; c++) ids.add(c);
            for (long c : ids) all.add(Principal.client(c));
        } else {
            for (int c = 0; c <= ctx.spec().h(); c++) all.add(Principal.node(ctx.spec().filterNode(ctx.row() - 1, c)));
        }
        return all;
    }

    /** The slot a message is about, or -1. */
    protected static long slotOf(Message m) {
        return switch (m) {
            case io.bulwark.core.message.SlotReplies r -> r.slot();
            case io.bulwark.core.message.ReplyCertificate c -> c.slot();
            case io.bulwark.core.message.ExecutedCertificate c -> c.slot();
            case io.bulwark.core.message.ReplyShare s -> s.slot();
            case io.bulwark.core.message.Ordered o -> o.slot();
            default -> -1;
        };
    }

    static byte[] encode(Message m) {
        return WireCodec.encode(m);
    }
}
