/**
 * The replicated key-value store: the application an execution cluster runs.
 *
 * <ul>
 *   <li>{@link io.bulwark.kv.KvOperation} and {@link io.bulwark.kv.KvResult}: the operations and
 *       results, with their canonical, strictly decoded binary encodings;
 *   <li>{@link io.bulwark.kv.KvStateMachine}: the {@link io.bulwark.execution.StateMachine}
 *       (sorted map, canonical snapshot, SHA-256 digest, per-client quotas, size cap);
 *   <li>{@link io.bulwark.kv.AccessPolicy}: the per-client access-control hook, and
 *       {@link io.bulwark.kv.PrefixAccessPolicy}, read and write permissions by key prefix loaded
 *       from a text file; under access control no result depends on keys the client cannot read;
 *   <li>{@link io.bulwark.kv.KvClient} over an {@link io.bulwark.kv.Invoker}: the typed client.
 * </ul>
 */
package io.bulwark.kv;
