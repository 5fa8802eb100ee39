package io.bulwark.cli;

import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.node.NodeHost;
import io.bulwark.runtime.storage.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bulwark node}: runs one node of a cluster directory in this process until it is stopped. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Runs one node of a cluster as this process: recovers its state from the data directory, listens on its"
                + " configured address (mutual TLS) and runs until stopped. SIGTERM or Ctrl-C stop it cleanly: stop accepting,"
                + " fsync, close. Logs go to stderr, with a metrics summary every 10 s.")
public final class NodeCommand implements Callable<Integer> {
    enum Fsync { always, interval, never }

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The cluster directory (from bulwark init).")
    Path dir;

    @Option(names = "--id", required = true, description = "Which node to run (its id in cluster.properties).")
    int id;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory: write-ahead log and checkpoints (default: DIR/data/node-ID).")
    Path data;

    @Option(names = "--fsync", defaultValue = "always",
            description = "When the write-ahead log is fsynced: always (before the messages that depend on it are sent; the"
                    + " only safe choice), interval (every --fsync-interval-ms: a machine crash may lose recent promises),"
                    + " never (default ${DEFAULT-VALUE}).")
    Fsync fsync;

    @Option(names = "--fsync-interval-ms", defaultValue = "100", description = "With --fsync interval: how often (default ${DEFAULT-VALUE}).")
    long fsyncIntervalMs;

    @Option(names = "--status-interval-ms", defaultValue = "10000",
            description = "How often the node logs a status line (default ${DEFAULT-VALUE}).")
    long statusIntervalMs;

    @Option(names = "--exit-with-parent", hidden = true, description = "Stop when the parent process exits (used by 'bulwark up').")
    boolean exitWithParent;

    @Override
    public Integer call() {
        LogSetup.configure();
        if (fsyncIntervalMs < 1) throw new ParameterException(spec.commandLine(), "--fsync-interval-ms must be positive");
        if (statusIntervalMs < 100) throw new ParameterException(spec.commandLine(), "--status-interval-ms must be at least 100");
        ClusterConfig config;
        try {
            config = ClusterConfig.load(dir);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("bulwark node: " + e.getMessage());
            return 1;
        }
        if (id < 0 || id >= config.nodes().size()) {
            throw new ParameterException(spec.commandLine(), "--id " + id + ": the cluster in " + dir + " has nodes 0.."
                    + (config.nodes().size() - 1));
        }
        Path dataDir = data != null ? data : dir.resolve("data").resolve("node-" + id);
        NodeHost.Options options = NodeHost.Options.defaults().withFsync(FsyncPolicy.valueOf(fsync.name().toUpperCase(java.util.Locale.ROOT)));
        options = new NodeHost.Options(options.fsync(), fsyncIntervalMs, options.walSegmentBytes(), options.walCompactBytes(),
                options.inboundQueueMax(), options.batchInputsMax(), statusIntervalMs, options.signatureCacheEntries(),
                options.transport(), options.fab(), options.execution(), options.filter());
        NodeHost host;
        try {
            host = NodeHost.open(config, id, dataDir, options);
            host.start();
        } catch (ConfigException | IOException e) {
            spec.commandLine().getErr().println("bulwark node: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("bulwark node: node-" + id + " cannot start: " + e);
            return 1;
        }
        Thread hook = new Thread(host::stop, "node-" + id + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
                System.err.println("bulwark node " + id + ": parent process exited; stopping");
                host.stop();
            }));
        }
        try {
            while (!host.awaitTermination(1, TimeUnit.HOURS)) {
                // keep running
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.stop();
        }
        if (host.failure() != null) {
            spec.commandLine().getErr().println("bulwark node: node-" + id + " failed: " + host.failure().getMessage());
            return 1;
        }
        return 0;
    }
}
