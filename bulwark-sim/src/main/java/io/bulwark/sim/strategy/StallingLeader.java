package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Propose;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A leader that is slow on purpose: it holds back every PROPOSE it would send and releases it
 * at 90% of the request timeout, so that no correct node quite suspects it (Aardvark's "slow
 * primary"). Retransmissions of a held proposal are dropped; after release they go out normally.
 */
public final class StallingLeader implements ByzantineStrategy {
    @Override
    public String name() {
        return "stalling-leader";
    }

    @Override
    public String description() {
        return "As leader holds back every PROPOSE until just under the request timeout (90%), so it is never quite suspected.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private record SlotKey(long pn, long slot) {}

    private record Release(SlotKey key) {}

    private record Held(Principal to, Propose propose) {}

    private static final int RELEASED_KEPT = 1_024;

    private static final class Node extends TamperingNode {
        private final Map<SlotKey, List<Held>> held = new LinkedHashMap<>();
        private final Map<SlotKey, Boolean> released = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SlotKey, Boolean> e) {
                return size() > RELEASED_KEPT;
            }
        };
        private final long holdNanos;

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.holdNanos = ctx.config().requestTimeoutNanos() * 9 / 10;
        }

        @Override
        protected void tamper(Principal to, Message m) {
            if (!(m instanceof Propose p)) {
                ctx.send(to, m);
                return;
            }
            SlotKey key = new SlotKey(p.pn(), p.slot());
            if (released.containsKey(key)) {
                ctx.send(to, m);
                return;
            }
            List<Held> list = held.get(key);
            if (list == null) {
                list = new ArrayList<>();
                held.put(key, list);
                ctx.setTimer(new Release(key), holdNanos);
            }
            // The first round only: later retransmissions of a held proposal are dropped.
            if (list.size() < ctx.spec().agreementNodes() && list.stream().noneMatch(h -> h.to().equals(to))) {
                list.add(new Held(to, p));
            }
        }

        @Override
        protected void onOwnTimer(Object key) {
            if (!(key instanceof Release rel)) return;
            List<Held> list = held.remove(rel.key());
            released.put(rel.key(), Boolean.TRUE);
            if (list == null) return;
            for (Held h : list) ctx.send(h.to(), h.propose());
        }
    }
}
