package io.bulwark.sim.filter;

import io.bulwark.sim.FilterFault;
import java.util.List;
import java.util.stream.Collectors;

/** Every filter strategy the simulator knows, by name ({@code --filter-strategy NAME}). */
public final class FilterFaultCatalogue {
    private static final List<FilterFault> ALL = List.of(new PassDownFilter(), new ForgingFilter(), new ReplayFilter(),
            new ReorderFilter(), new DroppingFilter(), new SilentFilter());

    private FilterFaultCatalogue() {}

    public static List<FilterFault> all() {
        return ALL;
    }

    public static FilterFault byName(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown filter strategy '" + name + "'; one of: " + ALL.stream().map(FilterFault::name).collect(Collectors.joining(", "))));
    }
}
