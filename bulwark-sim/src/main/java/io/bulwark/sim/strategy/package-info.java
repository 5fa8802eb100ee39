/**
 * The catalogue of Byzantine strategies ({@link io.bulwark.sim.strategy.StrategyCatalogue}):
 * small named classes, each a {@link io.bulwark.sim.ByzantineStrategy} that the simulator gives
 * to up to f agreement nodes. Most run a correct core ({@link io.bulwark.sim.TamperingNode}) and
 * change what it sends; none can sign as anyone but the faulty nodes, and all keep their memory
 * bounded and draw randomness only from the run's seed, so a seed replays a run exactly.
 *
 * <table>
 *   <caption>Strategies</caption>
 *   <tr><th>name</th><th>what it does</th></tr>
 *   <tr><td>silent</td><td>never sends anything</td></tr>
 *   <tr><td>crash-recover</td><td>correct, but crashes and restarts from its persisted state over and over</td></tr>
 *   <tr><td>equivocating-leader</td><td>proposes different valid batches to two groups and backs both with everything it can sign</td></tr>
 *   <tr><td>lying-acceptor</td><td>wrong digests to some learners; re-signed view changes with fabricated, dropped and stale evidence</td></tr>
 *   <tr><td>forged-signatures</td><td>bad or borrowed signatures, altered or invented requests, forged certificate entries</td></tr>
 *   <tr><td>replay</td><td>re-sends old messages it received, as itself, to random nodes</td></tr>
 *   <tr><td>stale-future-pn</td><td>self-signed messages with proposal numbers and slots far ahead or behind</td></tr>
 *   <tr><td>garbage-bytes</td><td>random bytes and mangled encodings of real messages</td></tr>
 *   <tr><td>stalling-leader</td><td>as leader, holds every proposal until just under the request timeout</td></tr>
 *   <tr><td>twins</td><td>two correct cores with one identity, each talking to half the cluster</td></tr>
 * </table>
 */
package io.bulwark.sim.strategy;
