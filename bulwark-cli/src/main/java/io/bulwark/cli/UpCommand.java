package io.bulwark.cli;

import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.config.NodeInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark up}: every node of a cluster directory as a child process, until Ctrl-C or
 * SIGTERM, which stops them all (SIGTERM to each, then a grace period, then SIGKILL). The children
 * also stop by themselves if this process dies without cleaning up.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Starts every node of a cluster directory as a child process ('bulwark node --dir DIR --id i'), with"
                + " output in DIR/logs/node-<i>.log, and waits. Ctrl-C or SIGTERM stops them all: SIGTERM to each, then SIGKILL"
                + " to any still running after the grace period.")
public final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The cluster directory (from bulwark init).")
    Path dir;

    @Option(names = "--fsync", defaultValue = "always", description = "Passed to every node: always, interval or never (default ${DEFAULT-VALUE}).")
    NodeCommand.Fsync fsync;

    @Option(names = "--grace-seconds", defaultValue = "10", description = "How long nodes get to stop before they are killed (default ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--jvm-opt", paramLabel = "OPT",
            description = "Extra JVM option for each node process (repeatable; default: -Xmx512m -XX:+UseSerialGC).")
    List<String> jvmOpts;

    private record Child(NodeInfo node, Process process, Path log) {}

    private final List<Child> children = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    @Override
    public Integer call() {
        if (graceSeconds < 0) throw new ParameterException(spec.commandLine(), "--grace-seconds must not be negative");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ClusterConfig config;
        try {
            config = ClusterConfig.load(dir);
        } catch (ConfigException e) {
            err.println("bulwark up: " + e.getMessage());
            return 1;
        }
        Path logs = dir.resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            err.println("bulwark up: cannot create " + logs + ": " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(this::stopAll, "bulwark-up-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("java.class.path");
        try {
            for (NodeInfo n : config.nodes()) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                if (jvmOpts != null && !jvmOpts.isEmpty()) {
                    cmd.addAll(jvmOpts);
                } else {
                    cmd.add("-Xmx512m");
                    cmd.add("-XX:+UseSerialGC");
                }
                cmd.add("--enable-native-access=ALL-UNNAMED");
                if (Runtime.version().feature() >= 24) cmd.add("--sun-misc-unsafe-memory-access=allow");
                cmd.addAll(List.of("-cp", classpath, BulwarkCommand.class.getName(), "node", "--dir", dir.toString(), "--id",
                        Integer.toString(n.id()), "--fsync", fsync.name().toLowerCase(Locale.ROOT), "--exit-with-parent"));
                Path log = logs.resolve("node-" + n.id() + ".log");
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                synchronized (children) {
                    if (stopping) {
                        p.destroy();
                        break;
                    }
                    children.add(new Child(n, p, log));
                }
                out.printf("started %s (pid %d), log: %s%n", n, p.pid(), log);
                out.flush();
            }
        } catch (IOException e) {
            err.println("bulwark up: cannot start a node process: " + e.getMessage());
            stopAll();
            return 1;
        }
        out.printf("cluster up: %d nodes; logs in %s; Ctrl-C stops them all%n", children.size(), logs);
        out.flush();
        // Report children that die on their own; keep the others running.
        List<Child> watched = new ArrayList<>(children);
        while (!stopping) {
            for (Child c : new ArrayList<>(watched)) {
                if (!c.process().isAlive() && !stopping) {
                    err.printf("bulwark up: %s exited with code %d; see %s%n", c.node().principal(), c.process().exitValue(), c.log());
                    err.flush();
                    watched.remove(c);
                }
            }
            if (watched.isEmpty() && !stopping) {
                err.println("bulwark up: every node has exited");
                return 1;
            }
            try {
                if (stopped.await(500, TimeUnit.MILLISECONDS)) break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopAll();
        return 0;
    }

    /** SIGTERM to every child, wait up to the grace period, then SIGKILL the rest. Idempotent. */
    void stopAll() {
        List<Child> all;
        synchronized (children) {
            if (stopping) {
                all = List.of();
            } else {
                stopping = true;
                all = new ArrayList<>(children);
            }
        }
        if (all.isEmpty()) {
            stopped.countDown();
            return;
        }
        System.err.printf("bulwark up: stopping %d node(s)%n", all.size());
        for (Child c : all) c.process().destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        for (Child c : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!c.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    System.err.printf("bulwark up: %s did not stop in %d s; killing it%n", c.node().principal(), graceSeconds);
                    c.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                c.process().destroyForcibly();
            }
        }
        System.err.println("bulwark up: all nodes stopped");
        stopped.countDown();
    }
}
