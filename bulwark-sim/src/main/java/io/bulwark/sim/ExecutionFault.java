package io.bulwark.sim;

/**
 * A way for a faulty execution node to misbehave: the execution-cluster counterpart of
 * {@link ByzantineStrategy}. A strategy gets the node's own signer and nothing else's.
 */
public interface ExecutionFault {
    /** A short name for tables and {@code --execution-strategy NAME}. */
    String name();

    /** One sentence on what it does. */
    String description();

    FaultyExecutor create(FaultyExecutor.Context context);
}
