/**
 * The catalogue of faulty-filter strategies ({@link io.bulwark.sim.filter.FilterFaultCatalogue}):
 * small named classes, each a {@link io.bulwark.sim.FilterFault} the simulator gives to up to h
 * filters of the privacy firewall. They collude with the faulty execution nodes by a convention
 * agreed in advance ({@link io.bulwark.sim.Collusion}: the secret handed over as raw bytes) and
 * try to get the secret to the outside world; they hold no key and get no secret from the
 * simulator. All but {@code filter-silent} run a correct filter core and change what it sends.
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>name</th><th>what it does</th></tr>
 *   <tr><td>filter-pass-down</td><td>forwards everything from above, raw bytes and the handed-over secret included, to everyone below, unchecked</td></tr>
 *   <tr><td>filter-forge</td><td>alters what it passes down to carry the secret; passes shares off as combined signatures</td></tr>
 *   <tr><td>filter-replay</td><td>replays its earlier genuine messages chosen by the secret's bits</td></tr>
 *   <tr><td>filter-reorder</td><td>sends its genuine messages in pairs, swapped by the secret's bits</td></tr>
 *   <tr><td>filter-drop</td><td>passes a slot down only when the secret's bit for it is 1</td></tr>
 *   <tr><td>filter-silent</td><td>sends nothing</td></tr>
 * </table>
 */
package io.bulwark.sim.filter;
