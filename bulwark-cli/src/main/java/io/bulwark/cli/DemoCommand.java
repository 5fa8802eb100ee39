package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ClusterInit;
import io.bulwark.runtime.config.NodeInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark demo}: the main job on an embedded local default. Creates a throwaway cluster
 * (f = 1, t = 1, g = 1: six agreement nodes, three execution nodes, each its own process on
 * 127.0.0.1), runs a key-value workload whose every answer is certified by the execution
 * cluster, SIGKILLs the leader and an execution node mid-run and restarts them from their data
 * directories, then checks every acknowledged write and reports throughput, latency and the
 * outage. Stops everything it started.
 *
 * <p>With {@code --firewall} the cluster has a privacy firewall (h = 1: four filters in two rows,
 * thirteen processes): requests are sealed to the execution cluster, replies come back as
 * threshold-signed certificates through the filters, an administrator writes a key under
 * {@code secret/} that another client is refused, and a row-0 filter and an execution node are
 * the ones killed and restarted. At the end it shows, from the nodes' logs, that the execution
 * nodes only ever connected to each other and to the top filter row.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a local 9-process cluster (f=1, t=1, g=1), runs a key-value workload through a node failure",
            "and recovery, checks every acknowledged write, and reports what it saw. --simulator runs the simulator instead;",
            "--firewall adds a privacy firewall (h=1: 4 filter nodes, 13 processes) and shows access control through it."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--simulator", description = "Show the deterministic simulator under Byzantine faults instead.")
    boolean simulator;

    @Option(names = "--seeds", defaultValue = "60", description = "With --simulator: seeded runs (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--keep", description = "Keep the cluster directory (configuration, keys, data, logs) afterwards.")
    boolean keep;

    @Option(names = "--firewall", description = "Put a privacy firewall (h=1: 2 rows of 2 filter nodes) between the agreement and"
            + " execution clusters.")
    boolean firewall;

    @Option(names = "--threshold-bits", defaultValue = "2048",
            description = "With --firewall: modulus of the execution cluster's threshold RSA key (default ${DEFAULT-VALUE}).")
    int thresholdBits;

    private final long start = System.nanoTime();
    private PrintStream out;

    @Override
    public Integer call() throws Exception {
        out = System.out;
        if (simulator) return simulatorDemo();
        if (clients < 1 || clients > 16) throw new CommandLine.ParameterException(spec.commandLine(), "--clients must be in [1, 16]");
        if (thresholdBits < 512 || thresholdBits > 4096 || thresholdBits % 2 != 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threshold-bits must be even and in [512, 4096]");
        }
        Path dir = Files.createTempDirectory("bulwark-demo-");
        int processes = firewall ? 13 : 9;
        int base = LocalCluster.freeBasePort(processes);
        if (firewall) {
            out.println("Bulwark firewall demo: 6 agreement nodes (FaB Paxos, f=1 t=1) order requests, 3 execution nodes (g=1) run a");
            out.println("key-value store, and 2 rows of 2 filter nodes (h=1) stand between them. Requests are sealed to the execution");
            out.println("cluster; a reply leaves only as one certificate threshold-signed by g+1 = 2 execution nodes, checked by every");
            out.println("filter row. Execution nodes talk to nothing but each other and the top filter row.");
        } else {
            out.println("Bulwark demo: 6 agreement nodes (FaB Paxos, f=1 t=1) order requests, 3 execution nodes (g=1) run a");
            out.println("key-value store; a client accepts an answer only when g+1 = 2 execution nodes sent the same one.");
        }
        out.println();
        // clients 0..clients-1 load, client `clients` probes (and is the outsider), client clients+1 administers secret/
        ClusterInit.Firewall fw = firewall ? new ClusterInit.Firewall(1, thresholdBits, clients + 1) : null;
        long dealStart = System.nanoTime();
        List<NodeInfo> nodes = ClusterInit.create(dir, 1, 1, 1, "127.0.0.1", base, 2 * clients + 2, fw, new SecureRandom());
        ClusterConfig config = ClusterConfig.load(dir);
        say("cluster written to %s (127.0.0.1:%d-%d)%s", dir, base, base + nodes.size() - 1, firewall
                ? String.format("; %d-bit threshold key dealt in %.1f s", thresholdBits, (System.nanoTime() - dealStart) / 1e9) : "");
        try (LocalCluster cluster = new LocalCluster(config, "always", List.of()).statusInterval(1_000)) {
            cluster.startAll();
            say("started %d node processes (fsync before every promise; logs in %s)", processes, dir.resolve("logs"));
            try {
                return run(config, cluster);
            } catch (io.bulwark.client.BulwarkException e) {
                say("FAILED: %s", e.getMessage());
                return 1;
            }
        } finally {
            if (keep) {
                say("kept %s", dir);
            } else {
                deleteRecursively(dir);
            }
        }
    }

    private int run(ClusterConfig config, LocalCluster cluster) throws Exception {
        List<ClientSession> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) sessions.add(ClientSession.open(config, i, Duration.ofSeconds(15), null));
            ClientSession probe = ClientSession.open(config, clients, Duration.ofSeconds(30), null);
            sessions.add(probe);
            if (!awaitReady(config, cluster)) return 1;
            BulwarkClient.Result first = probe.client().invokeWithSlot(new KvOperation.Put(Bytes.ofUtf8("greeting"),
                    Bytes.ofUtf8("hello")).encode());
            say("first write certified by the execution cluster: put greeting=hello decided in slot %d (%.1f ms)",
                    first.slot(), first.latency().toNanos() / 1e6);
            if (firewall && !secrets(config, probe)) return 1;

            Workload load = new Workload(sessions.subList(0, clients));
            load.start();
            say("%d clients writing and reading their own keys...", clients);
            progress(load, 5);
            // Without a firewall: the leader and an execution node. With one: a row-0 filter (clients get
            // their certificates from row 0) and an execution node.
            int leader = firewall ? config.filterRow(0)[0] : Math.max(0, cluster.lastReportedLeader());
            int executor = config.executionNodeIds()[0];
            say("SIGKILL node-%d (%s) and node-%d (execution)", leader, firewall ? "filter, row 0" : "agreement; the current leader",
                    executor);
            long killedAt = System.nanoTime();
            cluster.kill(leader);
            cluster.kill(executor);
            progress(load, 6);
            say("restarting node-%d and node-%d%s", leader, executor, firewall ? " (the filter has no state to recover; the execution"
                    + " node recovers from its data directory)" : " from their data directories");
            cluster.start(leader);
            cluster.start(executor);
            progress(load, 12);
            load.stop();

            // Every acknowledged write must be there: each key has one writer, so its value is
            // the last write acknowledged (or one still in doubt, if a call timed out).
            int checked = 0;
            int wrong = 0;
            for (Map.Entry<Bytes, List<Bytes>> e : load.acceptable().entrySet()) {
                KvResult r = KvResult.decode(probe.client().invoke(new KvOperation.Get(e.getKey()).encode()));
                Bytes value = r instanceof KvResult.Value v ? v.value().orElse(null) : null;
                checked++;
                if (!e.getValue().contains(value)) {
                    wrong++;
                    say("  MISMATCH %s: read %s, expected one of %s", e.getKey().toUtf8(), value == null ? "(absent)" : value.toUtf8(),
                            e.getValue().stream().map(b -> b == null ? "(absent)" : b.toUtf8()).toList());
                }
            }
            say("checked %d keys: %s", checked, wrong == 0 ? "every acknowledged write is readable" : wrong + " WRONG");

            Histogram h = load.latencies();
            double seconds = (load.stoppedAt - load.startedAt) / 1e9;
            out.printf("%nworkload: %d calls in %.1f s = %.0f ops/s, latency p50 %.2f ms, p99 %.2f ms, max %.1f ms; failed calls: %d%n",
                    h.getTotalCount(), seconds, h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1e6,
                    h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, load.failed.get());
            out.printf("outage after the kill: the longest wait between two certified answers was %.0f ms%n",
                    load.longestPauseAfter(killedAt) / 1e6);

            // The restarted nodes must catch up: the agreement node from its log and its peers, the
            // execution node from its checkpoint and the agreement nodes (or by state transfer).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long top;
            boolean caughtUp;
            do {
                TimeUnit.SECONDS.sleep(1);
                top = 0;
                for (NodeInfo n : config.nodes()) top = Math.max(top, cluster.lastReportedNextSlot(n.id()));
                caughtUp = cluster.lastReportedNextSlot(leader) >= top && cluster.lastReportedNextSlot(executor) >= top;
            } while (!caughtUp && System.nanoTime() < deadline);
            say("restarted nodes %s: node-%d at slot %d, node-%d at slot %d (highest: %d)", caughtUp ? "caught up" : "DID NOT catch up",
                    leader, cluster.lastReportedNextSlot(leader), executor, cluster.lastReportedNextSlot(executor), top);
            if (firewall) showTopology(config, cluster);
            if (!caughtUp || wrong > 0) return 1;
        } finally {
            for (ClientSession s : sessions) s.close();
            say("stopping the cluster (SIGTERM)...");
            cluster.stopAll(10);
        }
        return 0;
    }

    /**
     * An administrator writes a secret; another client's read of it is refused and its scan
     * skips it; the administrator reads it back. Returns whether all of that held.
     */
    private boolean secrets(ClusterConfig config, ClientSession outsider) throws Exception {
        long adminId = clients + 1;
        Bytes key = Bytes.ofUtf8(ClusterInit.SECRET_PREFIX + "launch-code");
        Bytes value = Bytes.ofUtf8("0000-" + new SecureRandom().nextInt(10_000));
        try (ClientSession admin = ClientSession.open(config, adminId, Duration.ofSeconds(30), null)) {
            KvResult put = KvResult.decode(admin.client().invoke(new KvOperation.Put(key, value).encode()));
            say("client-%d (administrator of %s in %s) writes %s: %s", adminId, ClusterInit.SECRET_PREFIX,
                    config.accessPolicyFile().getFileName(), key.toUtf8(), put);
            KvResult read = KvResult.decode(outsider.client().invoke(new KvOperation.Get(key).encode()));
            boolean denied = read instanceof KvResult.Error e && e.code() == io.bulwark.kv.KvErrorCode.PERMISSION_DENIED;
            say("client-%d reads %s: %s", outsider.client().clientId(), key.toUtf8(), denied ? "PERMISSION DENIED (as it should be)" : read);
            KvResult scan = KvResult.decode(outsider.client().invoke(new KvOperation.Scan(Bytes.ofUtf8(""), Bytes.ofUtf8("~"), 100).encode()));
            boolean hidden = scan instanceof KvResult.ScanResult sr && sr.entries().stream().noneMatch(e -> e.getKey().equals(key));
            say("client-%d scans every key: %s", outsider.client().clientId(), hidden ? "the secret is not among them" : "SAW THE SECRET: " + scan);
            KvResult back = KvResult.decode(admin.client().invoke(new KvOperation.Get(key).encode()));
            boolean readable = back instanceof KvResult.Value v && v.value().equals(java.util.Optional.of(value));
            say("client-%d reads it back: %s", adminId, readable ? value.toUtf8() : "WRONG: " + back);
            return put instanceof KvResult.Ok && denied && hidden && readable;
        }
    }

    /** Who each node connected to (dialed or accepted), from the logs: execution nodes only to execution nodes and row h. */
    private void showTopology(ClusterConfig config, LocalCluster cluster) throws IOException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?:connected to|accepted connection from) (node-\\d+|client-\\d+)");
        say("connections the execution nodes made or accepted (from their logs):");
        for (int id : config.executionNodeIds()) {
            java.util.TreeSet<String> peers = new java.util.TreeSet<>(Comparator.comparingInt((String n) -> n.startsWith("client") ? 1 : 0)
                    .thenComparingInt(n -> Integer.parseInt(n.substring(n.indexOf('-') + 1))));
            for (String line : Files.readAllLines(cluster.log(id))) {
                java.util.regex.Matcher m = p.matcher(line);
                if (m.find()) peers.add(m.group(1));
            }
            out.printf("  node-%d (execution): %s%n", id, String.join(", ", peers));
        }
        out.printf("  (execution nodes are %s; the top filter row is %s; agreement nodes are 0-%d)%n",
                java.util.Arrays.toString(config.executionNodeIds()), java.util.Arrays.toString(config.filterRow(config.spec().h())),
                config.spec().agreementNodes() - 1);
    }

    /**
     * Waits until the cluster answers a read (a dozen JVMs starting on a couple of busy cores take
     * a while), at most three minutes. Every node must still be running.
     */
    private boolean awaitReady(ClusterConfig config, LocalCluster cluster) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(3);
        try (ClientSession ready = ClientSession.open(config, clients + 1 + (firewall ? 1 : 0), Duration.ofSeconds(5), null)) {
            while (true) {
                for (NodeInfo n : config.nodes()) {
                    if (!cluster.isAlive(n.id())) {
                        say("node-%d exited during start-up; see %s", n.id(), cluster.log(n.id()));
                        return false;
                    }
                }
                try {
                    ready.client().invoke(new KvOperation.Get(Bytes.ofUtf8("greeting")).encode());
                    say("cluster answering (%.1f s after the processes were started)", (System.nanoTime() - start) / 1e9 + 0.0);
                    return true;
                } catch (io.bulwark.client.BulwarkException notYet) {
                    if (System.nanoTime() > deadline) {
                        say("the cluster did not answer within 3 minutes; see the logs in %s", cluster.log(0).getParent());
                        return false;
                    }
                    say("  waiting for the cluster to answer...");
                }
            }
        }
    }

    private void progress(Workload load, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds; i++) {
            long before = load.completed.get();
            TimeUnit.SECONDS.sleep(1);
            say("  %5d ops/s  (failed so far: %d)", load.completed.get() - before, load.failed.get());
        }
    }

    private void say(String format, Object... args) {
        out.printf("[%5.1fs] %s%n", (System.nanoTime() - start) / 1e9, String.format(format, args));
        out.flush();
    }

    /** Closed-loop clients, each owning its keys, recording what each key may hold now. */
    private static final class Workload {
        private final List<ClientSession> sessions;
        private final Recorder recorder = new Recorder(3);
        private final Histogram total = new Histogram(3);
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private final Map<Bytes, List<Bytes>> possible = new ConcurrentHashMap<>();
        private final List<Long> completionTimes = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();
        long startedAt;
        long stoppedAt;

        Workload(List<ClientSession> sessions) {
            this.sessions = sessions;
        }

        void start() {
            startedAt = System.nanoTime();
            for (int i = 0; i < sessions.size(); i++) {
                int client = i;
                Thread t = new Thread(() -> loop(client), "demo-client-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void loop(int client) {
            BulwarkClient c = sessions.get(client).client();
            java.util.SplittableRandom random = new java.util.SplittableRandom(client);
            long n = 0;
            while (running) {
                Bytes key = Bytes.ofUtf8("demo-" + client + "-" + random.nextInt(8));
                boolean write = random.nextInt(3) != 0;
                Bytes value = Bytes.ofUtf8("v" + client + "." + (n++));
                long t0 = System.nanoTime();
                try {
                    if (write) {
                        possible.computeIfAbsent(key, k -> new ArrayList<>(java.util.Collections.singletonList(null))).add(value);
                        c.invoke(new KvOperation.Put(key, value).encode());
                        possible.put(key, new ArrayList<>(List.of(value))); // acknowledged: now the only possibility
                    } else {
                        c.invoke(new KvOperation.Get(key).encode());
                    }
                    long now = System.nanoTime();
                    recorder.recordValue(now - t0);
                    completed.incrementAndGet();
                    completionTimes.add(now);
                } catch (RuntimeException e) {
                    failed.incrementAndGet(); // the value stays "either" for that key
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread t : threads) t.join(20_000);
            stoppedAt = System.nanoTime();
        }

        Map<Bytes, List<Bytes>> acceptable() {
            return new HashMap<>(possible);
        }

        Histogram latencies() {
            total.add(recorder.getIntervalHistogram());
            return total;
        }

        /** The longest time between consecutive completions from {@code t} on (counting from {@code t} itself). */
        long longestPauseAfter(long t) {
            List<Long> times;
            synchronized (completionTimes) {
                times = completionTimes.stream().filter(x -> x > t).sorted().toList();
            }
            long previous = t;
            long longest = 0;
            for (long x : times) {
                longest = Math.max(longest, x - previous);
                previous = x;
            }
            return longest;
        }
    }

    private int simulatorDemo() {
        out.println("""
                Bulwark simulator demo: FaB Paxos with f=1, t=1 (a = 3f+2t+1 = 6 agreement nodes) and an execution
                cluster of 3 nodes (g=1) in the deterministic simulator. Each run gives nodes Byzantine strategies
                (equivocating leader, lying acceptor, forged signatures, replays, twins, wrong results, lying state
                transfer, ...) and/or a network that loses, duplicates and reorders messages, partitions nodes and
                crashes them until it stabilises. Checkers verify agreement, validity, linearizability, liveness
                after stabilisation, and that a correct leader decides in exactly two message delays.
                """);
        CommandLine sim = new CommandLine(new SimCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        return sim.execute("--protocol", "fab", "--f", "1", "--t", "1", "--g", "1", "--seeds", Integer.toString(seeds),
                "--faults", "network,byzantine");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
