package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Typed client of the replicated key-value store over an {@link Invoker}. Every call is one
 * linearizable operation, except {@link #scan}, which may take several pages (see there).
 *
 * <p>An error result from the store becomes a {@link KvException} carrying its code; a reply
 * that is not the result the operation calls for becomes a {@code KvException} with
 * {@link KvErrorCode#UNEXPECTED_REPLY}. Async variants complete exceptionally with the same
 * exceptions. Arguments that no store would accept (beyond {@link KvLimits}: keys over 4 KiB,
 * values over 1 MiB − 8 KiB, operations over 1 MiB, scan limit out of range) throw
 * {@link IllegalArgumentException} before anything is sent.
 */
public final class KvClient {
    private final Invoker invoker;

    public KvClient(Invoker invoker) {
        this.invoker = Objects.requireNonNull(invoker, "invoker");
    }

    // ------------------------------------------------------------------------------ put

    public void put(Bytes key, Bytes value) {
        expect(call(new KvOperation.Put(key, value)), KvResult.Ok.class);
    }

    public CompletableFuture<Void> putAsync(Bytes key, Bytes value) {
        return callAsync(new KvOperation.Put(key, value), KvResult.Ok.class).thenApply(ok -> null);
    }

    // ------------------------------------------------------------------------------ get

    /** The value of {@code key}, or empty if it is absent. */
    public Optional<Bytes> get(Bytes key) {
        return expect(call(new KvOperation.Get(key)), KvResult.Value.class).value();
    }

    public CompletableFuture<Optional<Bytes>> getAsync(Bytes key) {
        return callAsync(new KvOperation.Get(key), KvResult.Value.class).thenApply(KvResult.Value::value);
    }

    // ------------------------------------------------------------------------------ delete

    /** Removes {@code key}; returns whether it existed. */
    public boolean delete(Bytes key) {
        return expect(call(new KvOperation.Delete(key)), KvResult.Deleted.class).existed();
    }

    public CompletableFuture<Boolean> deleteAsync(Bytes key) {
        return callAsync(new KvOperation.Delete(key), KvResult.Deleted.class).thenApply(KvResult.Deleted::existed);
    }

    // ------------------------------------------------------------------------------ compare-and-set

    /**
     * Sets {@code key} to {@code newValue} ({@code null}: removes it) if its current value equals
     * {@code expected} ({@code null}: if it is absent). The result says whether it did, and the
     * key's value after the operation.
     */
    public KvResult.CasResult compareAndSet(Bytes key, Bytes expected, Bytes newValue) {
        return expect(call(new KvOperation.CompareAndSet(key, expected, newValue)), KvResult.CasResult.class);
    }

    public CompletableFuture<KvResult.CasResult> compareAndSetAsync(Bytes key, Bytes expected, Bytes newValue) {
        return callAsync(new KvOperation.CompareAndSet(key, expected, newValue), KvResult.CasResult.class);
    }

    // ------------------------------------------------------------------------------ scan

    /**
     * Up to {@code limit} entries with {@code from <= key < to} ({@code to == null}: no upper
     * bound), in key order. If the store truncates a page (its per-result byte budget), this
     * asks for the next page from the successor of the last key, until {@code limit} entries or
     * the end of the range: each page is atomic, the whole is not.
     */
    public List<Map.Entry<Bytes, Bytes>> scan(Bytes from, Bytes to, int limit) {
        return join(scanAsync(from, to, limit));
    }

    public CompletableFuture<List<Map.Entry<Bytes, Bytes>>> scanAsync(Bytes from, Bytes to, int limit) {
        KvOperation.Scan first = new KvOperation.Scan(from, to, limit); // validates the arguments
        return scanFrom(first, new ArrayList<>());
    }

    private CompletableFuture<List<Map.Entry<Bytes, Bytes>>> scanFrom(KvOperation.Scan page, List<Map.Entry<Bytes, Bytes>> acc) {
        return callAsync(page, KvResult.ScanResult.class).thenCompose(r -> {
            acc.addAll(r.entries());
            int wanted = page.limit() - r.entries().size();
            if (!r.truncated() || wanted == 0) return CompletableFuture.completedFuture(List.copyOf(acc));
            if (r.entries().isEmpty()) {
                throw new KvException(KvErrorCode.UNEXPECTED_REPLY, "truncated scan page without entries");
            }
            Bytes next = successor(r.entries().getLast().getKey());
            if (page.toExclusive() != null && next.compareTo(page.toExclusive()) >= 0) {
                return CompletableFuture.completedFuture(List.copyOf(acc));
            }
            return scanFrom(new KvOperation.Scan(next, page.toExclusive(), wanted), acc);
        });
    }

    /** One scan page: a single atomic operation, possibly truncated by the store. */
    public KvResult.ScanResult scanPage(Bytes from, Bytes to, int limit) {
        return expect(call(new KvOperation.Scan(from, to, limit)), KvResult.ScanResult.class);
    }

    public CompletableFuture<KvResult.ScanResult> scanPageAsync(Bytes from, Bytes to, int limit) {
        return callAsync(new KvOperation.Scan(from, to, limit), KvResult.ScanResult.class);
    }

    /** The smallest key greater than {@code key}: {@code key || 0x00}. */
    static Bytes successor(Bytes key) {
        byte[] b = new byte[key.length() + 1];
        key.copyTo(b, 0);
        return Bytes.wrapOwned(b);
    }

    // ------------------------------------------------------------------------------ plumbing

    /** Sends any operation and returns its decoded result, errors included (no exception for them). */
    public KvResult execute(KvOperation op) {
        return decode(invoker.invoke(op.encode()));
    }

    public CompletableFuture<KvResult> executeAsync(KvOperation op) {
        return invoker.invokeAsync(op.encode()).thenApply(KvClient::decode);
    }

    private KvResult call(KvOperation op) {
        return execute(op);
    }

    private <R extends KvResult> CompletableFuture<R> callAsync(KvOperation op, Class<R> type) {
        return executeAsync(op).thenApply(r -> expect(r, type));
    }

    private static KvResult decode(Bytes reply) {
        if (reply == null) throw new KvException(KvErrorCode.UNEXPECTED_REPLY, "no reply bytes");
        try {
            return KvResult.decode(reply);
        } catch (MalformedMessageException e) {
            throw new KvException(KvErrorCode.UNEXPECTED_REPLY, "undecodable reply: " + e.getMessage(), e);
        }
    }

    private static <R extends KvResult> R expect(KvResult r, Class<R> type) {
        if (r instanceof KvResult.Error e) throw new KvException(e.code(), e.message());
        if (!type.isInstance(r)) {
            throw new KvException(KvErrorCode.UNEXPECTED_REPLY,
                    "expected " + type.getSimpleName() + ", got " + r.getClass().getSimpleName());
        }
        return type.cast(r);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof java.lang.Error err) throw err;
            throw e;
        }
    }
}
