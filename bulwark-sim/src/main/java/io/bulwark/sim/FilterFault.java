package io.bulwark.sim;

/**
 * A way for a faulty filter to misbehave: the firewall counterpart of {@link ExecutionFault}.
 * Faulty filters collude with the faulty execution nodes of the run (they run strategies agreed
 * in advance) but get no key and no secret from the simulator.
 */
public interface FilterFault {
    /** A short name for tables and {@code --filter-strategy NAME}. */
    String name();

    /** One sentence on what it does. */
    String description();

    FaultyFilter create(FaultyFilter.Context context);
}
