package io.bulwark.sim.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A bounded buffer that keeps the last {@code capacity} items: what keeps a strategy's memory bounded. */
final class Ring<T> {
    private final Object[] items;
    private int next;
    private int size;

    Ring(int capacity) {
        this.items = new Object[capacity];
    }

    void add(T item) {
        items[next] = item;
        next = (next + 1) % items.length;
        if (size < items.length) size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    T random(SplittableRandom r) {
        return (T) items[r.nextInt(size)];
    }

    @SuppressWarnings("unchecked")
    List<T> toList() {
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) out.add((T) items[i]);
        return out;
    }
}
