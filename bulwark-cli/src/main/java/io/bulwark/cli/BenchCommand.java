package io.bulwark.cli;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvClient;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.net.EventLoops;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark bench}: closed-loop load against a running cluster's key-value store. Each
 * client has one request outstanding at a time (as the protocol requires per client id) and
 * issues the next as soon as the previous one is certified; latency is measured from the
 * call to the certified reply, recorded with HdrHistogram.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Drives key-value load against a running cluster and reports throughput and latency.",
            "Each client does closed-loop puts (or gets) of --payload bytes; progress is printed every second."})
public final class BenchCommand implements Callable<Integer> {
    enum Workload { put, get, mixed }

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, description = "The cluster directory (from bulwark init).")
    Path dir;

    @Option(names = "--clients", defaultValue = "1", description = "Concurrent clients, one request in flight each (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds of measured load (default ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Seconds of load before measuring (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--payload", defaultValue = "0", description = "Value size in bytes (default ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--workload", defaultValue = "put", description = "put, get or mixed (default ${DEFAULT-VALUE}).")
    Workload workload;

    @Option(names = "--keys", defaultValue = "16", description = "Keys per client, written round robin (default ${DEFAULT-VALUE});"
            + " the store's size is clients x keys x payload, and every execution checkpoint serialises all of it.")
    int keysPerClient;

    @Option(names = "--first-client", defaultValue = "0", description = "Client ids used: FIRST .. FIRST+clients-1 (default ${DEFAULT-VALUE}).")
    int firstClient;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Per-call timeout (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastCompletionNanos = new AtomicLong();
    private final AtomicLong longestPauseNanos = new AtomicLong();
    private final AtomicLong longestPauseEndNanos = new AtomicLong();
    private volatile boolean measuring;
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 10_000) throw new ParameterException(spec.commandLine(), "--clients must be in [1, 10000]");
        if (durationSeconds < 1) throw new ParameterException(spec.commandLine(), "--duration must be at least 1");
        if (payload < 0 || payload > 1024 * 1024) throw new ParameterException(spec.commandLine(), "--payload must be in [0, 1048576]");
        if (keysPerClient < 1 || keysPerClient > 1_000_000) throw new ParameterException(spec.commandLine(), "--keys must be in [1, 1000000]");
        PrintStream out = System.out;
        ClusterConfig config;
        try {
            config = ClientSession.load(dir);
        } catch (ConfigException e) {
            System.err.println("bulwark bench: " + e.getMessage());
            return 1;
        }
        if (firstClient < 0 || firstClient + clients > config.clients()) {
            throw new ParameterException(spec.commandLine(), "the cluster has client ids 0.." + (config.clients() - 1)
                    + "; --first-client + --clients exceeds that");
        }
        out.printf("bench: %d clients, %s of %d-byte values over %d keys each, %d s warm-up + %d s measured, cluster f=%d t=%d g=%d%s%n",
                clients, workload, payload, keysPerClient, warmupSeconds, durationSeconds, config.spec().f(), config.spec().t(),
                config.spec().g(), config.spec().firewall() ? " h=" + config.spec().h() + " (privacy firewall, "
                        + config.thresholdPublicKey().modulusBits() + "-bit threshold key)" : "");
        List<ClientSession> sessions = new ArrayList<>();
        try (EventLoops loops = new EventLoops(Math.min(2, Runtime.getRuntime().availableProcessors()), "bench-io")) {
            for (int i = 0; i < clients; i++) {
                sessions.add(ClientSession.open(config, firstClient + i, Duration.ofMillis(timeoutMs), loops));
            }
            CountDownLatch finished = new CountDownLatch(clients);
            long start = System.nanoTime();
            lastCompletionNanos.set(start);
            for (int i = 0; i < clients; i++) {
                new Loop(new KvClient(sessions.get(i).invoker()), firstClient + i, finished).next();
            }
            report(out, start);
            stopping = true;
            finished.await(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        } catch (ConfigException e) {
            System.err.println("bulwark bench: " + e.getMessage());
            return 1;
        } finally {
            for (ClientSession s : sessions) s.close();
        }
        return 0;
    }

    /** Prints progress every second, then the totals. */
    private void report(PrintStream out, long start) throws InterruptedException {
        long warmupEnd = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(durationSeconds);
        Histogram interval = null;
        long measuredFrom = 0;
        long completedAtStart = 0;
        long tick = start;
        while (System.nanoTime() < end) {
            tick += TimeUnit.SECONDS.toNanos(1);
            long wait = tick - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            interval = recorder.getIntervalHistogram(interval);
            boolean warm = System.nanoTime() >= warmupEnd;
            if (warm && !measuring) {
                measuring = true;
                measuredFrom = System.nanoTime();
                completedAtStart = completed.get();
                longestPauseNanos.set(0);
                interval.reset();
                continue;
            }
            if (measuring) total.add(interval);
            out.printf("  %4.0f s %s %8d ops/s  p50 %7.3f ms  p99 %7.3f ms  failed %d%n", (System.nanoTime() - start) / 1e9,
                    measuring ? "   " : "(w)", interval.getTotalCount(), ms(interval.getValueAtPercentile(50)),
                    ms(interval.getValueAtPercentile(99)), failed.get());
        }
        double seconds = (System.nanoTime() - measuredFrom) / 1e9;
        long ops = completed.get() - completedAtStart;
        out.printf("%nRESULT clients=%d payload=%dB workload=%s ops=%d ops/s=%.0f p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms failed=%d%n",
                clients, payload, workload, ops, ops / seconds, ms(total.getValueAtPercentile(50)),
                ms(total.getValueAtPercentile(90)), ms(total.getValueAtPercentile(99)), ms(total.getMaxValue()), failed.get());
        out.printf("longest pause between completions while measuring: %.1f ms (ended %.1f s into the run)%n",
                longestPauseNanos.get() / 1e6, (longestPauseEndNanos.get() - start) / 1e9);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** One closed-loop client. */
    private final class Loop {
        final KvClient kv;
        final long id;
        final CountDownLatch finished;
        final SplittableRandom random;
        final Bytes value;
        long n;

        Loop(KvClient kv, long id, CountDownLatch finished) {
            this.kv = kv;
            this.id = id;
            this.finished = finished;
            this.random = new SplittableRandom(id);
            byte[] v = new byte[payload];
            random.nextBytes(v);
            this.value = Bytes.wrapOwned(v);
        }

        void next() {
            if (stopping) {
                finished.countDown();
                return;
            }
            Bytes key = Bytes.wrapOwned(("bench-" + id + "-" + (n++ % keysPerClient)).getBytes(StandardCharsets.UTF_8));
            boolean get = workload == Workload.get || (workload == Workload.mixed && random.nextBoolean());
            long started = System.nanoTime();
            var call = get ? kv.getAsync(key).thenApply(v -> null) : kv.putAsync(key, value);
            call.whenComplete((ok, error) -> {
                long now = System.nanoTime();
                if (error == null) {
                    recorder.recordValue(Math.max(1, now - started));
                    completed.incrementAndGet();
                    long previous = lastCompletionNanos.getAndSet(now);
                    if (measuring && now - previous > longestPauseNanos.get()) {
                        longestPauseNanos.set(now - previous);
                        longestPauseEndNanos.set(now);
                    }
                } else {
                    failed.incrementAndGet();
                }
                next();
            });
        }
    }
}
