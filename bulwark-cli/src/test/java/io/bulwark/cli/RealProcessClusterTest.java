package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.client.BulwarkTimeoutException;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvClient;
import io.bulwark.kv.KvErrorCode;
import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ClusterInit;
import io.bulwark.runtime.net.EventLoops;
import io.bulwark.sim.linearizability.CheckResult;
import io.bulwark.sim.linearizability.History;
import io.bulwark.sim.linearizability.LinearizabilityChecker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real processes: a 9-node cluster (f=1, t=1, g=1: six agreement nodes, three
 * execution nodes), every node its own JVM with {@code --fsync always}, under concurrent
 * key-value load from four clients, while the agreement leader and an execution node are
 * SIGKILLed and later restarted from their data directories.
 *
 * <p>Checks: no call hangs (each completes or times out within its timeout, and the clients keep
 * completing calls after the kill and after the restart); the whole history, with a final read of
 * every key by a fresh client appended, is linearizable, so every acknowledged write is still
 * readable; the last acknowledged writes are visible to the final reads (a direct check that names
 * the key and write at fault); and the restarted nodes catch up with the others (the next slot each
 * node reports when it is stopped with SIGTERM).
 *
 * <p>Timeline: start the nine JVMs and wait until the cluster answers; load; 5 s in, SIGKILL the
 * current agreement leader and execution node 6; 5 s later restart both on their data
 * directories; once both have logged that they started (a JVM takes seconds to start on two busy
 * cores), 8 s more load; then the final reads and SIGTERM to every node. About 45 s in all.
 *
 * <p>{@link #firewallSurvivesKillAndRestartOfAFilterAndAnExecutionNodeUnderLoad} runs the same
 * with a privacy firewall (h=1: four filters in two rows, thirteen JVMs, a 1024-bit threshold key
 * to keep the test short; deployments use 2048): the killed nodes are a filter of row 0 (the row
 * clients get their certificates from) and an execution node. It checks the same, and also that
 * an outside client is refused a key under {@code secret/} an administrator wrote, and, from the
 * nodes' logs, that execution nodes never connected to (or accepted connections from) agreement
 * nodes or clients, nor row-0 filters from execution nodes: the firewall topology held.
 *
 * <p>Prints the outage after the leader kill and the throughput before, during and after. On
 * failure, the node logs (status lines every second) and the history are copied to
 * {@code target/real-process-cluster-test/} (or the directory named by the system property
 * {@code bulwark.e2e.logs}); {@code -Dbulwark.e2e.keepLogs=true} copies them after a pass too. The
 * random choices of the clients come from a seed that is printed, and can be fixed with
 * {@code -Dbulwark.e2e.seed=N} (the interleaving with the processes is of course not
 * reproducible). Before the nodes are stopped, the restarted ones get up to
 * {@code -Dbulwark.e2e.settleMs} (15 s) with the cluster idle to report the others' next slot.
 */
@Tag("processes")
class RealProcessClusterTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(12);
    /** Slack on top of the call timeout before a call (or a client thread) counts as hung. */
    private static final Duration HANG_MARGIN = Duration.ofSeconds(4);
    private static final int LOAD_CLIENTS = 4;
    private static final long READY_CLIENT = LOAD_CLIENTS;
    private static final long FINAL_READ_CLIENT = LOAD_CLIENTS + 1;
    private static final int KEYS = 8;
    private static final long KILL_AFTER_MS = 5_000;
    private static final long RESTART_AFTER_MS = 5_000;
    private static final long RUN_AFTER_RESTART_MS = 8_000;
    /** How far behind the others a restarted node may be when it is stopped, in slots. */
    private static final long CATCH_UP_SLACK = 2;
    private static final Pattern ENTERED_VIEW = Pattern.compile("entered view pn=(\\d+)");
    private static final Pattern NEXT_SLOT = Pattern.compile("next-slot=(\\d+)");
    private static final Pattern CONNECTION = Pattern.compile("(?:connected to|accepted connection from) ((?:node|client)-\\d+)");
    /** Firewall mode: this client may read and write secret/ (ClusterInit.Firewall's admin); the others may not. */
    private static final long ADMIN_CLIENT = LOAD_CLIENTS + 2;

    @TempDir
    Path tmp;

    private LocalCluster cluster;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void noProcessOutlivesTheTest() {
        if (cluster != null) cluster.close();
        for (Process p : processes) {
            if (p.isAlive()) p.destroyForcibly();
        }
        assertThat(processes).as("node processes still alive after the test").noneMatch(Process::isAlive);
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().orElse("").contains(tmp.toString())))
                .as("descendant processes of this JVM still running on the test's cluster").isEmpty();
    }

    @Test
    void survivesKillAndRestartOfTheLeaderAndAnExecutionNodeUnderLoad() throws Exception {
        runTest(false);
    }

    @Test
    void firewallSurvivesKillAndRestartOfAFilterAndAnExecutionNodeUnderLoad() throws Exception {
        runTest(true);
    }

    private void runTest(boolean firewall) throws Exception {
        long seed = Long.getLong("bulwark.e2e.seed", new SecureRandom().nextLong());
        System.out.printf("RealProcessClusterTest%s: seed %d (-Dbulwark.e2e.seed=%d replays the clients' choices)%n",
                firewall ? " (firewall)" : "", seed, seed);
        Path dir = tmp.resolve("cluster");
        Recorder recorder = new Recorder();
        // The nodes run on a copy of this JVM's class path (LocalCluster passes java.class.path to
        // them), so that a build in another terminal rewriting target/ or ~/.m2 while the test runs
        // cannot make a node (or the restarted ones, ten seconds in) load classes from a half-written jar.
        String classPath = System.getProperty("java.class.path");
        System.setProperty("java.class.path", snapshot(classPath, tmp.resolve("classpath")));
        try {
            run(dir, seed, recorder, firewall);
        } catch (Throwable t) {
            saveEvidence(dir, seed, recorder, t);
            throw t;
        } finally {
            System.setProperty("java.class.path", classPath);
        }
    }

    /** Copies every entry of {@code classPath} (jars and class directories) under {@code into}; returns the copy's class path. */
    private static String snapshot(String classPath, Path into) throws IOException {
        List<String> copied = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Path source = Path.of(entry);
            if (!Files.exists(source)) continue;
            Path target = into.resolve(n++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> tree = Files.walk(source)) {
                    for (Path p : tree.toList()) {
                        Path t = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) Files.createDirectories(t);
                        else Files.copy(p, t);
                    }
                }
            } else {
                Files.createDirectories(into);
                Files.copy(source, target);
            }
            copied.add(target.toString());
        }
        return String.join(File.pathSeparator, copied);
    }

    private void run(Path dir, long seed, Recorder recorder, boolean firewall) throws Exception {
        long testStart = System.nanoTime();
        ClusterInit.Firewall fw = firewall ? new ClusterInit.Firewall(1, 1024, ADMIN_CLIENT) : null;
        ClusterInit.create(dir, 1, 1, 1, "127.0.0.1", LocalCluster.freeBasePort(firewall ? 13 : 9), 16, fw, new SecureRandom());
        ClusterConfig config = ClusterConfig.load(dir);
        System.out.printf("cluster directory created in %.1f s%n", seconds(System.nanoTime() - testStart));
        int[] agreement = config.agreementNodeIds();
        int[] execution = config.executionNodeIds();
        assertThat(agreement).hasSize(6);
        assertThat(execution).containsExactly(6, 7, 8);
        if (firewall) assertThat(config.filterNodeIds()).containsExactly(9, 10, 11, 12);
        int killedExecution = execution[0];

        // Status lines every second: the logs then show how each node's next slot moved.
        cluster = new LocalCluster(config, "always", List.of()).statusInterval(1_000);
        for (int id = 0; id < config.nodes().size(); id++) processes.add(cluster.start(id));

        try (EventLoops loops = new EventLoops(1, "e2e-client-io")) {
            // ---- wait until the cluster answers (JVM start-up of nine processes on two cores)
            long readyAt;
            try (ClientSession session = ClientSession.open(config, READY_CLIENT, Duration.ofSeconds(5), loops)) {
                readyAt = awaitReady(new KvClient(session.invoker()), recorder);
            }
            System.out.printf("cluster answering %.1f s after start%n", seconds(readyAt - testStart));
            if (firewall) checkSecretsStayHidden(config, loops);

            // ---- load, with a kill and a restart
            List<LoadClient> clients = new ArrayList<>();
            List<ClientSession> sessions = new ArrayList<>();
            SplittableRandom seeds = new SplittableRandom(seed);
            ConcurrentHashMap<String, Optional<Bytes>> lastSeen = new ConcurrentHashMap<>();
            long killAt;
            long restartAt;
            long upAt;
            long stopAt;
            int leader;
            try {
                for (int c = 0; c < LOAD_CLIENTS; c++) {
                    ClientSession s = ClientSession.open(config, c, CALL_TIMEOUT, loops);
                    sessions.add(s);
                    clients.add(new LoadClient(c, new KvClient(s.invoker()), seeds.split(), recorder, lastSeen));
                }
                long loadStart = System.nanoTime();
                for (LoadClient c : clients) c.thread.start();

                sleepUntil(loadStart + ms(KILL_AFTER_MS));
                // without a firewall the agreement leader; with one a filter of row 0 (the variable keeps its name)
                leader = firewall ? config.filterRow(0)[0] : currentLeader(config);
                killAt = System.nanoTime();
                cluster.kill(leader);
                cluster.kill(killedExecution);
                System.out.printf("%.1f s: SIGKILLed node-%d (%s) and node-%d (execution)%n",
                        seconds(killAt - loadStart), leader, firewall ? "filter of row 0" : "agreement leader", killedExecution);

                sleepUntil(killAt + ms(RESTART_AFTER_MS));
                long startsBefore = starts(leader) + starts(killedExecution);
                restartAt = System.nanoTime();
                processes.add(cluster.start(leader));
                processes.add(cluster.start(killedExecution));
                System.out.printf("%.1f s: restarting node-%d and node-%d on their data directories%n",
                        seconds(restartAt - loadStart), leader, killedExecution);
                // A JVM starting on two busy cores takes seconds: the load goes on for a while
                // after both restarted nodes are up again, not just after they were launched.
                long upDeadline = restartAt + ms(60_000);
                while (starts(leader) + starts(killedExecution) < startsBefore + 2) {
                    assertThat(cluster.isAlive(leader) && cluster.isAlive(killedExecution))
                            .as("restarted node-%d and node-%d still running", leader, killedExecution).isTrue();
                    assertThat(System.nanoTime()).as("restarted nodes up within 60 s").isLessThan(upDeadline);
                    Thread.sleep(100);
                }
                upAt = System.nanoTime();
                System.out.printf("%.1f s: both restarted nodes are up (%.1f s after the restart)%n",
                        seconds(upAt - loadStart), seconds(upAt - restartAt));

                sleepUntil(upAt + ms(RUN_AFTER_RESTART_MS));
                stopAt = System.nanoTime();
                for (LoadClient c : clients) c.stop = true;
                long joinDeadline = stopAt + CALL_TIMEOUT.toNanos() + HANG_MARGIN.toNanos();
                for (LoadClient c : clients) c.thread.join(Duration.ofNanos(Math.max(1, joinDeadline - System.nanoTime())));
                List<String> hung = clients.stream().filter(c -> c.thread.isAlive())
                        .map(c -> "client " + c.id + " stuck in " + c.current).toList();
                assertThat(hung).as("client threads still in a call %s after the load stopped (a hung call)",
                        CALL_TIMEOUT.plus(HANG_MARGIN)).isEmpty();
                System.out.printf("%.1f s: load stopped (%d calls)%n", seconds(System.nanoTime() - loadStart), recorder.size());
            } finally {
                for (ClientSession s : sessions) s.close();
            }

            // ---- a fresh client reads every key once more; those reads join the history
            try (ClientSession session = ClientSession.open(config, FINAL_READ_CLIENT, CALL_TIMEOUT, loops)) {
                KvClient kv = new KvClient(session.invoker());
                for (int k = 0; k < KEYS; k++) {
                    KvOperation op = new KvOperation.Get(key(k));
                    Call call = recorder.call(FINAL_READ_CLIENT, op, kv);
                    assertThat(call.failure).as("final read of %s", key(k)).isNull();
                }
            }

            // Catching up takes a moment once the load stops (slots in flight, a cold JVM): wait until
            // the restarted nodes report the others' next slot, at most 15 s, then stop and compare.
            long settleMs = Long.getLong("bulwark.e2e.settleMs", 15_000);
            if (settleMs > 0) settle(config, leader, killedExecution, settleMs);

            // ---- stop everything cleanly, so each node logs where it stopped
            cluster.stopAll(15);
            System.out.printf("all nodes stopped %.1f s after the test started%n", seconds(System.nanoTime() - testStart));

            History history = recorder.history();
            List<Call> calls = recorder.calls();
            report(calls, killAt, restartAt, upAt, stopAt, leader, killedExecution);

            // (a) no call hung; progress after the kill and after the restart; no unexpected errors
            long limit = CALL_TIMEOUT.plus(HANG_MARGIN).toNanos();
            assertThat(calls).as("calls that took longer than their timeout %s (+%s)", CALL_TIMEOUT, HANG_MARGIN)
                    .allMatch(c -> c.endedAt - c.invokedAt <= limit);
            assertThat(calls).as("calls that failed other than by timing out, or were refused by the store")
                    .noneMatch(c -> (c.failure != null && !(c.failure instanceof BulwarkTimeoutException))
                            || c.result instanceof KvResult.Error);
            assertThat(calls).as("calls invoked after the leader kill that completed before the restart")
                    .anyMatch(c -> c.completed() && c.invokedAt > killAt && c.endedAt < restartAt);
            assertThat(calls).as("calls invoked after the restart that completed before the load stopped")
                    .anyMatch(c -> c.completed() && c.invokedAt > restartAt && c.endedAt < stopAt);

            // (c) direct: each final read shows one of the writes that may have been last
            for (String problem : lastWriteProblems(history)) System.out.println("LAST-WRITE PROBLEM: " + problem);
            assertThat(lastWriteProblems(history)).as("final reads that miss the last acknowledged writes").isEmpty();

            // (b) the whole history, final reads included, is linearizable
            long checkStart = System.nanoTime();
            CheckResult result = LinearizabilityChecker.check(history);
            System.out.printf("linearizability: %s in %.1f s%n", result.verdict(), seconds(System.nanoTime() - checkStart));
            if (!result.isLinearizable()) System.out.println(result);
            assertThat(result.verdict()).as("linearizability of %d operations:%n%s", history.size(), result)
                    .isEqualTo(CheckResult.Verdict.LINEARIZABLE);

            // (d) the restarted nodes caught up
            Map<Integer, Long> slots = new LinkedHashMap<>();
            for (int id = 0; id < config.nodes().size(); id++) slots.put(id, stoppedSlot(id));
            System.out.println("next-slot at SIGTERM: " + slots);
            for (int id : agreement) System.out.printf("  node-%d stopped in %s%n", id, stoppedView(id));
            assertThat(slots).as("every node logs its next slot when stopped").allSatisfy((id, s) -> assertThat(s).isNotNegative());
            assertCaughtUp(firewall ? "filter" : "agreement", leader, firewall ? config.filterRow(0) : agreement, slots, lastStatus(leader));
            assertCaughtUp("execution", killedExecution, execution, slots, lastStatus(killedExecution));

            // (e) firewall: the topology held for the whole run, restarts included
            if (firewall) assertTopologyHeld(config);

            System.out.printf("RealProcessClusterTest: passed, %.1f s in all%n", seconds(System.nanoTime() - testStart));
            if (Boolean.getBoolean("bulwark.e2e.keepLogs")) saveEvidence(dir, seed, recorder, null);
        }
    }

    // ------------------------------------------------------------------------------ firewall

    /** An administrator writes a secret; a load client's read of it is refused, its scan skips it; the administrator reads it back. */
    private static void checkSecretsStayHidden(ClusterConfig config, EventLoops loops) throws Exception {
        Bytes key = Bytes.ofUtf8(ClusterInit.SECRET_PREFIX + "e2e");
        Bytes value = Bytes.ofUtf8("classified-" + new SecureRandom().nextInt(1000));
        try (ClientSession admin = ClientSession.open(config, ADMIN_CLIENT, CALL_TIMEOUT, loops);
                ClientSession outsider = ClientSession.open(config, 1, CALL_TIMEOUT, loops)) {
            KvClient adminKv = new KvClient(admin.invoker());
            adminKv.put(key, value);
            KvResult denied = new KvClient(outsider.invoker()).execute(new KvOperation.Get(key));
            assertThat(denied).as("an outside client's read of %s", key.toUtf8())
                    .isInstanceOfSatisfying(KvResult.Error.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.PERMISSION_DENIED));
            KvResult scan = new KvClient(outsider.invoker()).execute(new KvOperation.Scan(Bytes.ofUtf8(""), Bytes.ofUtf8("~"), 100));
            assertThat(((KvResult.ScanResult) scan).entries()).as("an outside client's scan").noneMatch(e -> e.getKey().equals(key));
            assertThat(adminKv.get(key)).as("the administrator reads the secret back").contains(value);
        }
        System.out.println("secret/: written by the administrator, refused to client-1 (read and scan)");
    }

    /**
     * From every node's log (each connection made or accepted is logged with the peer's
     * authenticated name): execution nodes connected only with execution nodes and the top filter
     * row; agreement nodes and row-0 filters with no execution node; and no node refused a
     * connection or dropped a frame for the topology (no client, node or core even tried to
     * cross it: clients dial agreement nodes and row 0 only, and the cores address only their
     * neighbours).
     */
    private void assertTopologyHeld(ClusterConfig config) throws IOException {
        Set<String> executionSide = new java.util.TreeSet<>();
        for (int id : config.executionNodeIds()) executionSide.add("node-" + id);
        for (int id : config.filterRow(config.spec().h())) executionSide.add("node-" + id);
        for (int id = 0; id < config.nodes().size(); id++) {
            Set<String> peers = new java.util.TreeSet<>();
            for (String line : Files.readAllLines(cluster.log(id))) {
                Matcher m = CONNECTION.matcher(line);
                if (m.find()) peers.add(m.group(1));
            }
            System.out.printf("  node-%d (%s) connected with %s%n", id, config.node(id).role().label(), peers);
            List<String> crossings = Files.readAllLines(cluster.log(id)).stream()
                    .filter(l -> l.contains("firewall topology does not link") || l.contains("| topology: ")).toList();
            assertThat(crossings).as("node-%d refused or dropped traffic across the firewall topology (someone tried to cross it)", id)
                    .isEmpty();
            boolean rowZero = config.spec().isFilterNode(id) && config.spec().filterRow(id) == 0;
            if (config.spec().isExecutionNode(id)) {
                assertThat(peers).as("node-%d (execution) connected only with execution nodes and the top filter row", id)
                        .isNotEmpty().allMatch(executionSide::contains);
            } else if (config.spec().isAgreementNode(id) || rowZero) {
                assertThat(peers).as("node-%d connected with no execution node", id)
                        .noneMatch(p -> p.startsWith("node-") && config.spec().isExecutionNode(Integer.parseInt(p.substring(5))));
            }
        }
    }

    // ------------------------------------------------------------------------------ load

    /** One closed-loop client: random puts, gets, deletes and compare-and-sets on a few keys, each value unique. */
    private static final class LoadClient {
        final long id;
        final KvClient kv;
        final SplittableRandom random;
        final Recorder recorder;
        final ConcurrentHashMap<String, Optional<Bytes>> lastSeen;
        final Thread thread;
        volatile boolean stop;
        volatile KvOperation current;
        long written;

        LoadClient(long id, KvClient kv, SplittableRandom random, Recorder recorder,
                ConcurrentHashMap<String, Optional<Bytes>> lastSeen) {
            this.id = id;
            this.kv = kv;
            this.random = random;
            this.recorder = recorder;
            this.lastSeen = lastSeen;
            this.thread = new Thread(this::loop, "e2e-client-" + id);
            thread.setDaemon(true);
        }

        private void loop() {
            while (!stop) {
                int k = random.nextInt(KEYS);
                Bytes key = key(k);
                int dice = random.nextInt(10);
                KvOperation op;
                if (dice < 4) {
                    op = new KvOperation.Put(key, nextValue());
                } else if (dice < 7) {
                    op = new KvOperation.Get(key);
                } else if (dice < 8) {
                    op = new KvOperation.Delete(key);
                } else {
                    // expect what someone saw last (often still current), so that some succeed
                    Optional<Bytes> expected = lastSeen.getOrDefault(key.toUtf8(), Optional.empty());
                    op = new KvOperation.CompareAndSet(key, expected.orElse(null), nextValue());
                }
                current = op;
                Call call = recorder.call(id, op, kv);
                if (call.result != null) {
                    Optional<Bytes> seen = switch (call.result) {
                        case KvResult.Value v -> v.value();
                        case KvResult.CasResult c -> c.current();
                        case KvResult.Ok ok -> Optional.of(((KvOperation.Put) op).value());
                        case KvResult.Deleted d -> Optional.empty();
                        default -> null;
                    };
                    if (seen != null) lastSeen.put(key.toUtf8(), seen);
                }
            }
            current = null;
        }

        private Bytes nextValue() {
            return Bytes.ofUtf8("c" + id + "-" + written++);
        }
    }

    /** A call as the test saw it; {@code result} null if it failed ({@code failure}) and so stays pending. */
    private record Call(int historyId, long clientId, KvOperation operation, long invokedAt, long endedAt, KvResult result,
            Throwable failure) {
        boolean completed() {
            return result != null;
        }
    }

    /** The history under construction, and the calls with their failures and times, shared by the client threads. */
    private static final class Recorder {
        private final History.Builder builder = History.builder();
        private final List<Call> calls = new ArrayList<>();

        /** Runs {@code op}, recording its invocation before and its response (if any) after. */
        Call call(long clientId, KvOperation op, KvClient kv) {
            int id;
            long invokedAt;
            synchronized (this) {
                invokedAt = System.nanoTime();
                id = builder.invoke(clientId, invokedAt, op);
            }
            KvResult result = null;
            Throwable failure = null;
            try {
                result = kv.execute(op);
            } catch (RuntimeException e) {
                failure = e; // a timeout (or anything else): outcome unknown, the operation stays pending
            }
            long endedAt = System.nanoTime();
            Call call = new Call(id, clientId, op, invokedAt, endedAt, result, failure);
            synchronized (this) {
                if (result != null) builder.complete(id, endedAt, result);
                calls.add(call);
            }
            return call;
        }

        synchronized int size() {
            return builder.size();
        }

        synchronized History history() {
            return builder.build();
        }

        synchronized List<Call> calls() {
            return List.copyOf(calls);
        }
    }

    private static long awaitReady(KvClient kv, Recorder recorder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Call c = recorder.call(READY_CLIENT, new KvOperation.Get(key(0)), kv);
            if (c.completed()) return c.endedAt;
            assertThat(System.nanoTime()).as("cluster answering within 60 s of start; last failure: %s", c.failure)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    // ------------------------------------------------------------------------------ checks

    /**
     * For each key, the final read (by the last client, after every other call ended) must show
     * the effect of a write that may be the last one: a write that no completed write follows in
     * real time, or a write that never returned. A write followed by another completed write
     * cannot be last in any linearization, and a key no one wrote must be absent. Necessary for
     * linearizability, and a plainer account of a lost acknowledged write than the checker's.
     */
    private static List<String> lastWriteProblems(History history) {
        List<String> problems = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            Bytes key = key(k);
            History.Operation finalRead = null;
            List<History.Operation> writes = new ArrayList<>();
            for (History.Operation o : history.operations()) {
                if (o.clientId() == FINAL_READ_CLIENT && o.operation() instanceof KvOperation.Get g && g.key().equals(key)) {
                    finalRead = o;
                } else if (isWriteOf(o, key)) {
                    writes.add(o);
                }
            }
            if (finalRead == null || finalRead.pending()) {
                problems.add(key.toUtf8() + ": no final read");
                continue;
            }
            Optional<Bytes> read = ((KvResult.Value) finalRead.result()).value();
            Set<Optional<Bytes>> possible = new HashSet<>();
            List<History.Operation> candidates = new ArrayList<>();
            if (writes.isEmpty()) possible.add(Optional.empty());
            for (History.Operation w : writes) {
                boolean followed = writes.stream().anyMatch(o -> !o.pending() && o.invokedAt() > w.returnedAt());
                if (followed) continue;
                candidates.add(w);
                possible.add(switch (w.operation()) {
                    case KvOperation.Put p -> Optional.of(p.value());
                    case KvOperation.CompareAndSet c -> Optional.ofNullable(c.newValue());
                    default -> Optional.empty(); // delete
                });
            }
            if (!possible.contains(read)) {
                problems.add(key.toUtf8() + ": the final read " + finalRead + " shows none of the writes that may be last: "
                        + candidates);
            }
        }
        return problems;
    }

    /** Whether {@code o} may have changed {@code key}: a put, a delete, a compare-and-set that succeeded or never returned. */
    private static boolean isWriteOf(History.Operation o, Bytes key) {
        if (o.result() instanceof KvResult.Error) return false;
        return switch (o.operation()) {
            case KvOperation.Put p -> p.key().equals(key);
            case KvOperation.Delete d -> d.key().equals(key);
            case KvOperation.CompareAndSet c -> c.key().equals(key) && (o.pending() || ((KvResult.CasResult) o.result()).success());
            default -> false;
        };
    }

    private static void assertCaughtUp(String role, int restarted, int[] ids, Map<Integer, Long> slots, String status) {
        long highest = 0;
        for (int id : ids) if (id != restarted) highest = Math.max(highest, slots.get(id));
        assertThat(slots.get(restarted))
                .as("%s node-%d (killed and restarted) stopped at next-slot %d; the other %s nodes reached %d. Its last words:%n%s",
                        role, restarted, slots.get(restarted), role, highest, status)
                .isGreaterThanOrEqualTo(highest - CATCH_UP_SLACK);
    }

    /** The last line node {@code id} logged with its state in it (its stop line, normally). */
    private String lastStatus(int id) throws IOException {
        String last = "(none)";
        for (String line : Files.readAllLines(cluster.log(id))) if (line.contains("next-slot=")) last = line;
        return last;
    }

    /** The next slot node {@code id} reported when it last stopped, or -1 if its last run logged no stop. */
    private long stoppedSlot(int id) throws IOException {
        List<String> lines = Files.readAllLines(cluster.log(id));
        String stopLine = "node-" + id + " stopped: ";
        int lastStart = -1;
        int lastStop = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("node-" + id + " started: ")) lastStart = i;
            if (lines.get(i).contains(stopLine)) lastStop = i;
        }
        if (lastStop < lastStart || lastStop < 0) return -1;
        Matcher m = NEXT_SLOT.matcher(lines.get(lastStop));
        long slot = -1;
        while (m.find()) slot = Long.parseLong(m.group(1));
        return slot;
    }

    /** Waits up to {@code ms} until both restarted nodes report the next slot the others reported, printing progress. */
    private void settle(ClusterConfig config, int agreementNode, int executionNode, long ms) throws Exception {
        long start = System.nanoTime();
        while (true) {
            long top = 0;
            for (int id = 0; id < config.nodes().size(); id++) {
                if (id != agreementNode && id != executionNode) top = Math.max(top, cluster.lastReportedNextSlot(id));
            }
            long a = cluster.lastReportedNextSlot(agreementNode);
            long e = cluster.lastReportedNextSlot(executionNode);
            System.out.printf("settle +%.1f s: others %d, node-%d %d, node-%d %d%n", seconds(System.nanoTime() - start), top,
                    agreementNode, a, executionNode, e);
            if ((a >= top && e >= top) || System.nanoTime() - start > ms(ms)) return;
            Thread.sleep(1_000);
        }
    }

    /** The view part ("pn=N normal|view-change leader=node-L") of the last stop line of node {@code id}. */
    private String stoppedView(int id) throws IOException {
        String view = "?";
        Pattern p = Pattern.compile("node-" + id + " stopped: (pn=\\d+ \\S+ leader=node-\\d+)");
        for (String line : Files.readAllLines(cluster.log(id))) {
            Matcher m = p.matcher(line);
            if (m.find()) view = m.group(1);
        }
        return view;
    }

    /** How many times node {@code id} has logged that it started. */
    private long starts(int id) throws IOException {
        if (!Files.exists(cluster.log(id))) return 0;
        String started = "node-" + id + " started: ";
        try (Stream<String> lines = Files.lines(cluster.log(id))) {
            return lines.filter(l -> l.contains(started)).count();
        }
    }

    /** The leader of the highest view an agreement node has entered (logged as "entered view pn=N"), else of view 0. */
    private int currentLeader(ClusterConfig config) throws IOException {
        long pn = 0;
        for (int id : config.agreementNodeIds()) {
            if (!Files.exists(cluster.log(id))) continue;
            for (String line : Files.readAllLines(cluster.log(id))) {
                Matcher m = ENTERED_VIEW.matcher(line);
                if (m.find()) pn = Math.max(pn, Long.parseLong(m.group(1)));
            }
        }
        return config.spec().leaderOf(pn);
    }

    // ------------------------------------------------------------------------------ report

    private static void report(List<Call> calls, long killAt, long restartAt, long upAt, long stopAt, int leader, int execution) {
        List<Call> loadCalls = calls.stream().filter(c -> c.clientId < LOAD_CLIENTS).toList();
        long loadStart = loadCalls.stream().mapToLong(Call::invokedAt).min().orElse(killAt);
        List<Long> completions = loadCalls.stream().filter(Call::completed).map(Call::endedAt).sorted().toList();
        long timeouts = loadCalls.stream().filter(c -> !c.completed()).count();
        Optional<Long> firstAfterKill = completions.stream().filter(t -> t > killAt).findFirst();
        Optional<Long> firstInvokedAfterKill = loadCalls.stream().filter(c -> c.completed() && c.invokedAt > killAt)
                .map(Call::endedAt).min(Comparator.naturalOrder());
        System.out.printf("calls: %d by the load clients, %d completed, %d timed out (pending)%n",
                loadCalls.size(), completions.size(), timeouts);
        System.out.printf("outage after SIGKILL of node-%d (leader) and node-%d: first completion after the kill %s;"
                        + " first completion of a call invoked after it %s; longest gap between completions after it %.2f s;"
                        + " longest gap after the restart %.2f s%n", leader, execution,
                firstAfterKill.map(t -> String.format("+%.2f s", seconds(t - killAt))).orElse("none"),
                firstInvokedAfterKill.map(t -> String.format("+%.2f s", seconds(t - killAt))).orElse("none"),
                seconds(longestGap(completions, killAt, restartAt)), seconds(longestGap(completions, restartAt, stopAt)));
        System.out.printf("throughput (completed calls/s): before the kill %.1f; kill to restart %.1f; while the two"
                        + " restarted JVMs start %.1f; once they are up %.1f%n", rate(completions, loadStart, killAt),
                rate(completions, killAt, restartAt), rate(completions, restartAt, upAt), rate(completions, upAt, stopAt));
        long longest = calls.stream().mapToLong(c -> c.endedAt - c.invokedAt).max().orElse(0);
        System.out.printf("longest call: %.2f s%n", seconds(longest));
    }

    /** The longest time without a completion in [from, to), the edges counting as completions. */
    private static long longestGap(List<Long> completions, long from, long to) {
        long previous = from;
        long longest = 0;
        for (long t : completions) {
            if (t <= from) continue;
            if (t >= to) break;
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return Math.max(longest, to - previous);
    }

    private static double rate(List<Long> completions, long from, long to) {
        long n = completions.stream().filter(t -> t >= from && t < to).count();
        return n / seconds(to - from);
    }

    private static void saveEvidence(Path dir, long seed, Recorder recorder, Throwable failure) {
        try {
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path target = Path.of(System.getProperty("bulwark.e2e.logs", "target/real-process-cluster-test")).resolve(stamp);
            Files.createDirectories(target);
            Path logs = dir.resolve("logs");
            if (Files.isDirectory(logs)) {
                try (Stream<Path> files = Files.list(logs)) {
                    for (Path f : files.toList()) Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            StringBuilder sb = new StringBuilder("seed " + seed + "\nfailure: " + (failure == null ? "none" : failure) + "\n\n");
            for (Call c : recorder.calls()) {
                sb.append(c.historyId).append(" client ").append(c.clientId).append(" [").append(c.invokedAt).append(", ")
                        .append(c.endedAt).append("] ").append(c.operation).append(" -> ")
                        .append(c.result != null ? c.result : "FAILED " + c.failure).append('\n');
            }
            sb.append('\n').append(recorder.history());
            Files.writeString(target.resolve("history.txt"), sb);
            System.out.println("evidence (node logs, history) saved in " + target.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            System.out.println("could not save the evidence: " + e);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private static Bytes key(int k) {
        return Bytes.ofUtf8("k" + k);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }
}
