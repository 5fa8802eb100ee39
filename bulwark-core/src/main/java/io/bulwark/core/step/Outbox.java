package io.bulwark.core.step;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * What a protocol core asks its host to do after one step. Cores never perform I/O: they
 * append here, and the host carries it out in a fixed order that is the host's rule, applied
 * once for every core: first {@link #persists()} (durably), then timers, then
 * {@link #sends()}, then {@link #deliveries()}. Persist-before-send is what lets a restarted
 * node keep every promise its messages made.
 *
 * <p>One outbox per host, reused across steps: {@link #clear()} after draining.
 */
public final class Outbox {
    /** A message for one recipient (a node or a client). */
    public record Send(Principal to, Message message) {}

    /** Arm (or re-arm, replacing the previous deadline) or cancel the timer named {@code key}. */
    public record TimerCommand(Object key, long delayNanos, boolean cancel) {}

    /** A decided slot, handed to the application in slot order. */
    public record Delivery(long slot, Batch batch) {}

    private final List<Send> sends = new ArrayList<>();
    private final List<Object> persists = new ArrayList<>();
    private final List<TimerCommand> timers = new ArrayList<>();
    private final List<Delivery> deliveries = new ArrayList<>();

    public void send(Principal to, Message message) {
        sends.add(new Send(to, message));
    }

    public void sendToNode(int node, Message message) {
        send(Principal.node(node), message);
    }

    /** Records a fact that must survive a crash before any message of this step leaves. */
    public void persist(Object record) {
        persists.add(record);
    }

    public void setTimer(Object key, long delayNanos) {
        if (delayNanos < 0) throw new IllegalArgumentException("negative timer delay");
        timers.add(new TimerCommand(key, delayNanos, false));
    }

    public void cancelTimer(Object key) {
        timers.add(new TimerCommand(key, 0, true));
    }

    public void deliver(long slot, Batch batch) {
        deliveries.add(new Delivery(slot, batch));
    }

    /**
     * Removes and returns the messages addressed to {@code to}, in order. A node that plays
     * several roles uses this to hand its roles' messages to each other without the network.
     */
    public List<Message> takeSendsTo(Principal to) {
        List<Message> taken = null;
        for (int i = 0; i < sends.size(); i++) {
            if (sends.get(i).to().equals(to)) {
                if (taken == null) taken = new ArrayList<>();
                taken.add(sends.get(i).message());
            }
        }
        if (taken == null) return List.of();
        sends.removeIf(s -> s.to().equals(to));
        return taken;
    }

    public List<Send> sends() {
        return sends;
    }

    public List<Object> persists() {
        return persists;
    }

    public List<TimerCommand> timers() {
        return timers;
    }

    public List<Delivery> deliveries() {
        return deliveries;
    }

    public boolean isEmpty() {
        return sends.isEmpty() && persists.isEmpty() && timers.isEmpty() && deliveries.isEmpty();
    }

    public void clear() {
        sends.clear();
        persists.clear();
        timers.clear();
        deliveries.clear();
    }
}
