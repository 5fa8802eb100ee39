package io.bulwark.sim.linearizability;

import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A concurrent history of key-value operations as clients saw them: each operation with its
 * client, the time it was invoked, and either the time it returned and the result it returned,
 * or nothing if it never returned (a timeout, a crash: it may or may not have taken effect).
 *
 * <p>Times are plain numbers in any unit (virtual time in the simulator); only their order
 * matters. Two operations are ordered in real time only if one returned strictly before the
 * other was invoked; equal times count as overlapping.
 *
 * <p>How results are read: a {@link KvResult.Error} with a store code ({@code MALFORMED_OPERATION},
 * {@code UNSUPPORTED_VERSION}, {@code PERMISSION_DENIED}, {@code STORE_FULL}) means the store
 * refused the operation and it had no effect; {@link io.bulwark.kv.KvErrorCode#UNEXPECTED_REPLY}
 * comes from the client, not the store, so such an operation counts as pending (outcome unknown).
 * Record a transport failure or timeout as pending, never as an error.
 */
public final class History {
    /** {@link Operation#returnedAt()} of an operation that never returned. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * One operation of a history.
     *
     * @param id         its index in {@link History#operations()}
     * @param returnedAt when it returned, or {@link History#NEVER}
     * @param result     what it returned, or {@code null} if it never returned
     */
    public record Operation(int id, long clientId, long invokedAt, long returnedAt, KvOperation operation, KvResult result) {
        public Operation {
            Objects.requireNonNull(operation, "operation");
            if (id < 0) throw new IllegalArgumentException("id " + id);
            if ((result == null) != (returnedAt == NEVER)) {
                throw new IllegalArgumentException("an operation has a result exactly when it returned");
            }
            if (returnedAt < invokedAt) {
                throw new IllegalArgumentException("operation " + id + " returned at " + returnedAt + " before its invocation at " + invokedAt);
            }
        }

        /** Whether it never returned. */
        public boolean pending() {
            return result == null;
        }

        @Override
        public String toString() {
            return OperationFormat.describe(this);
        }
    }

    private final List<Operation> operations;

    private History(List<Operation> operations) {
        this.operations = Collections.unmodifiableList(new ArrayList<>(operations));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A history of exactly these operations; their ids must be 0, 1, 2, … in order. */
    public static History of(List<Operation> operations) {
        for (int i = 0; i < operations.size(); i++) {
            if (operations.get(i).id() != i) throw new IllegalArgumentException("operation at " + i + " has id " + operations.get(i).id());
        }
        return new History(operations);
    }

    /** The operations, indexed by id. */
    public List<Operation> operations() {
        return operations;
    }

    public int size() {
        return operations.size();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("History[" + operations.size() + " operations]");
        for (Operation op : operations) sb.append("\n  ").append(op);
        return sb.toString();
    }

    /**
     * Collects a history, either whole operations ({@link #completed}, {@link #pending}) or as
     * they happen ({@link #invoke} then {@link #complete}); an invocation never completed stays
     * pending.
     */
    public static final class Builder {
        private final List<Operation> ops = new ArrayList<>();

        private Builder() {}

        public Builder completed(long clientId, long invokedAt, long returnedAt, KvOperation op, KvResult result) {
            Objects.requireNonNull(result, "result");
            ops.add(new Operation(ops.size(), clientId, invokedAt, returnedAt, op, result));
            return this;
        }

        public Builder pending(long clientId, long invokedAt, KvOperation op) {
            ops.add(new Operation(ops.size(), clientId, invokedAt, NEVER, op, null));
            return this;
        }

        /** Records an invocation; returns its id, for {@link #complete}. */
        public int invoke(long clientId, long invokedAt, KvOperation op) {
            pending(clientId, invokedAt, op);
            return ops.size() - 1;
        }

        /** Records the response to invocation {@code id}. */
        public Builder complete(int id, long returnedAt, KvResult result) {
            Objects.requireNonNull(result, "result");
            Operation o = ops.get(id);
            if (!o.pending()) throw new IllegalStateException("operation " + id + " already returned");
            ops.set(id, new Operation(id, o.clientId(), o.invokedAt(), returnedAt, o.operation(), result));
            return this;
        }

        public int size() {
            return ops.size();
        }

        public History build() {
            return new History(ops);
        }
    }
}
