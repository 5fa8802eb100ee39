package io.bulwark.cli;

import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.NodeInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nodes of a cluster directory as child processes of this JVM ({@code bulwark node} each):
 * start, SIGKILL, restart and stop them one by one. Used by {@code up}, {@code demo} and the
 * real-process tests. Children are started with {@code --exit-with-parent}, and {@link #close}
 * stops whatever is left, so nothing outlives its owner.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Pattern NEXT_SLOT = Pattern.compile("next-slot=(\\d+)");

    private final ClusterConfig config;
    private final Path logs;
    private final String fsync;
    private final List<String> jvmOptions;
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();

    private long statusIntervalMs = 10_000;

    public LocalCluster(ClusterConfig config, String fsync, List<String> jvmOptions) throws IOException {
        this.config = config;
        this.logs = config.dir().resolve("logs");
        this.fsync = fsync.toLowerCase(Locale.ROOT);
        this.jvmOptions = List.copyOf(jvmOptions);
        Files.createDirectories(logs);
    }

    /** How often the nodes started from now on log their status (what {@link #lastReportedNextSlot} reads). */
    public LocalCluster statusInterval(long millis) {
        this.statusIntervalMs = millis;
        return this;
    }

    /**
     * The leader the agreement nodes last reported (from their logs: view changes and status
     * lines), or -1 if none has said yet. The highest proposal number seen wins.
     */
    public int lastReportedLeader() throws IOException {
        Pattern p = Pattern.compile("pn=(\\d+).*?leader[= ]node-(\\d+)");
        long bestPn = -1;
        int leader = -1;
        for (int id : config.agreementNodeIds()) {
            if (!Files.exists(log(id))) continue;
            for (String line : Files.readAllLines(log(id))) {
                Matcher m = p.matcher(line);
                if (m.find() && Long.parseLong(m.group(1)) >= bestPn) {
                    bestPn = Long.parseLong(m.group(1));
                    leader = Integer.parseInt(m.group(2));
                }
            }
        }
        return leader;
    }

    public ClusterConfig config() {
        return config;
    }

    public Path log(int node) {
        return logs.resolve("node-" + node + ".log");
    }

    public void startAll() throws IOException {
        for (NodeInfo n : config.nodes()) start(n.id());
    }

    /** Starts node {@code id} (appending to its log); a no-op if it runs. */
    public Process start(int id) throws IOException {
        Process running = processes.get(id);
        if (running != null && running.isAlive()) return running;
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (jvmOptions.isEmpty()) {
            // Ten JVMs share two cores on a laptop-sized box: keep each small.
            cmd.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        } else {
            cmd.addAll(jvmOptions);
        }
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BulwarkCommand.class.getName(), "node", "--dir",
                config.dir().toString(), "--id", Integer.toString(id), "--fsync", fsync, "--status-interval-ms",
                Long.toString(statusIntervalMs), "--exit-with-parent"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
        processes.put(id, p);
        return p;
    }

    /** SIGKILL: the node gets no chance to flush or say goodbye. */
    public void kill(int id) throws InterruptedException {
        Process p = processes.get(id);
        if (p == null) return;
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    public void stop(int id, long graceSeconds) throws InterruptedException {
        Process p = processes.get(id);
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    public boolean isAlive(int id) {
        Process p = processes.get(id);
        return p != null && p.isAlive();
    }

    public Optional<Process> process(int id) {
        return Optional.ofNullable(processes.get(id));
    }

    /** The last next-slot a node reported in its log (status lines and its stop line), if any. */
    public long lastReportedNextSlot(int id) throws IOException {
        long last = -1;
        if (!Files.exists(log(id))) return last;
        for (String line : Files.readAllLines(log(id))) {
            Matcher m = NEXT_SLOT.matcher(line);
            while (m.find()) last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /** Stops every node: SIGTERM all, wait up to {@code graceSeconds}, SIGKILL the rest. */
    public void stopAll(long graceSeconds) {
        for (Process p : processes.values()) p.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stopAll(10);
    }

    /** Where the search for free ports starts: above the well-known and most registered service ports. */
    private static final int SEARCH_FROM_PORT = 10_000;

    /**
     * A base port with {@code count} consecutive free ports on 127.0.0.1 (probed by binding each),
     * so tests and demos never collide with each other or with anything else running. Chosen
     * below the kernel's ephemeral range: a port in it can be taken as the source port of one of
     * the cluster's own outgoing connections between the probe and the node's bind (a node
     * started after the others have dialed then fails with "address already in use").
     */
    public static int freeBasePort(int count) throws IOException {
        int below = ephemeralPortsFrom();
        if (below - SEARCH_FROM_PORT < 4 * count) throw new IOException("no room below the ephemeral ports (" + below + ")");
        java.util.Random random = new java.security.SecureRandom();
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = SEARCH_FROM_PORT + random.nextInt(below - SEARCH_FROM_PORT - count);
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(false);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) return base;
        }
        throw new IOException("no run of " + count + " free ports found on 127.0.0.1");
    }

    /** The first ephemeral port (Linux: ip_local_port_range); 32768 (Linux's default) where it cannot be read. */
    static int ephemeralPortsFrom() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > SEARCH_FROM_PORT ? low : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }
}
