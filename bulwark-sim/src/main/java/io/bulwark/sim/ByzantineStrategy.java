package io.bulwark.sim;

/**
 * A way for a faulty agreement node to misbehave. Implementations are small named classes;
 * a new one (in a test, say) needs nothing from the simulator but this interface and
 * {@link FaultyNode.Context}. The simulator hands the strategy the signer of the node it
 * controls and of its colluders, never anyone else's: it cannot forge.
 */
public interface ByzantineStrategy {
    /** A short name for tables and {@code --strategy NAME}. */
    String name();

    /** One sentence on what it does. */
    String description();

    /** The behaviour of one faulty node in one run. */
    FaultyNode create(FaultyNode.Context context);
}
