package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one thing {@link KvClient} needs from a BFT client: submit operation bytes for ordering
 * and execution, and get the certified result bytes back. The real client in bulwark-client is
 * adapted to this; tests use a local {@link KvStateMachine} behind it.
 */
@FunctionalInterface
public interface Invoker {
    /**
     * Submits {@code operation}; the future completes with the (certified) result bytes, or
     * exceptionally if the client gives up.
     */
    CompletableFuture<Bytes> invokeAsync(Bytes operation);

    /**
     * Blocking {@link #invokeAsync}. A failure of the future is rethrown as is if it is
     * unchecked, else wrapped in a {@link CompletionException}.
     */
    default Bytes invoke(Bytes operation) {
        try {
            return invokeAsync(operation).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof java.lang.Error err) throw err;
            throw e;
        }
    }
}
