/**
 * A linearizability checker for key-value histories: {@link io.bulwark.sim.linearizability.History}
 * (what clients invoked, when, and what they saw), checked by
 * {@link io.bulwark.sim.linearizability.LinearizabilityChecker} against the semantics of
 * {@link io.bulwark.kv.KvStateMachine}, giving a
 * {@link io.bulwark.sim.linearizability.CheckResult}: linearizable, not (with the key and a
 * shrunk set of operations that cannot be ordered), or unknown (step bound reached).
 *
 * <p>Method: partition by key (P-compositionality; scans join the keys in their range), then the
 * Wing &amp; Gong / Lowe search with memoization of (linearized set, state) per partition, with a
 * step bound. Pending operations may take effect after their invocation, or never.
 */
package io.bulwark.sim.linearizability;
