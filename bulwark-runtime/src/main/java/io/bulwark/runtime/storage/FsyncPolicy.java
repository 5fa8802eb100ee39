package io.bulwark.runtime.storage;

import java.util.Locale;

/**
 * When the write-ahead log forces its records to stable storage. In every mode a batch's
 * records are written to the operating system (one {@code write} per batch) before the
 * messages that depend on them are sent, so a crash of the process alone never loses them;
 * the modes differ in what a crash of the machine (power loss, kernel panic) can lose.
 */
public enum FsyncPolicy {
    /**
     * The default and the only mode that keeps every promise across a power loss: the host
     * fsyncs once per protocol-thread batch (group commit), after appending the batch's
     * records and before sending any message of that batch.
     */
    ALWAYS,
    /**
     * A background thread fsyncs every N milliseconds. A machine crash may lose the last N ms of
     * records, i.e. of votes and promises already sent: a node restarted from such a log may
     * contradict itself, which counts against the f faults the cluster tolerates. For benchmarks
     * and tests only.
     */
    INTERVAL,
    /** Never fsync (the OS writes back when it likes). For tests and benchmarks only. */
    NEVER;

    public static FsyncPolicy parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fsync policy '" + s + "' (expected always, interval or never)");
        }
    }
}
