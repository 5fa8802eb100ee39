package io.bulwark.runtime.node;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A core's timers, keyed: setting a key again replaces its deadline, cancelling forgets it.
 * Each setting gets a generation number, so a superseded entry left in the queue is recognised
 * and skipped when it comes due. Deadlines are {@link System#nanoTime()} values. Protocol-thread
 * confined.
 */
final class TimerTable {
    private record Entry(long deadline, Object key, long generation) {}

    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final Map<Object, Long> live = new HashMap<>();
    private long generations;

    void set(Object key, long deadlineNanos) {
        long g = ++generations;
        live.put(key, g);
        queue.add(new Entry(deadlineNanos, key, g));
        if (queue.size() > 4 * live.size() + 1024) compact();
    }

    void cancel(Object key) {
        live.remove(key);
    }

    /** Fires every live timer due at {@code nowNanos}, earliest first; returns how many fired. */
    int fireDue(long nowNanos, Consumer<Object> fire) {
        int fired = 0;
        while (!queue.isEmpty() && queue.peek().deadline - nowNanos <= 0) {
            Entry e = queue.poll();
            Long g = live.get(e.key);
            if (g != null && g == e.generation) {
                live.remove(e.key);
                fire.accept(e.key);
                fired++;
            }
        }
        return fired;
    }

    /** Nanoseconds until the earliest deadline (0 if due), or {@code max} if none is sooner. */
    long nanosUntilNext(long nowNanos, long max) {
        while (!queue.isEmpty()) {
            Entry e = queue.peek();
            Long g = live.get(e.key);
            if (g != null && g == e.generation) return Math.max(0, Math.min(max, e.deadline - nowNanos));
            queue.poll(); // superseded or cancelled
        }
        return max;
    }

    int size() {
        return live.size();
    }

    private void compact() {
        queue.removeIf(e -> {
            Long g = live.get(e.key);
            return g == null || g != e.generation;
        });
    }
}
