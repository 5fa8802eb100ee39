package io.bulwark.cli;

import io.bulwark.client.BulwarkException;
import io.bulwark.client.BulwarkTimeoutException;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.kv.KvClient;
import io.bulwark.kv.KvException;
import io.bulwark.runtime.config.ClusterConfig;
import io.bulwark.runtime.config.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark kv}: the replicated key-value store from the command line. Every answer is
 * certified by the execution cluster (g+1 matching replies) before it is printed.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = {"Talks to a running cluster's key-value store as a client.",
            "Exit codes: 0 done, 1 other error, 2 usage, 3 key not found (get) / compare-and-set failed,",
            "4 cluster unreachable (no certified answer within --timeout-ms), 5 refused by the store."},
        subcommands = {KvCommand.Put.class, KvCommand.Get.class, KvCommand.Delete.class, KvCommand.Scan.class,
            KvCommand.Cas.class})
public final class KvCommand {
    static final int EXIT_NOT_FOUND = 3;
    static final int EXIT_UNREACHABLE = 4;
    static final int EXIT_REFUSED = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, description = "The cluster directory (from bulwark init).")
    Path dir;

    @Option(names = "--client", description = "Client identity to use (default: a random one of the second half of the"
            + " cluster's client ids, so that concurrent invocations rarely share one).")
    Long client;

    @Option(names = "--timeout-ms", defaultValue = "10000", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    /** Runs one operation with a connected store client, mapping failures to exit codes. */
    int run(Operation op) {
        PrintStream err = System.err;
        ClusterConfig config;
        try {
            config = ClientSession.load(dir);
        } catch (ConfigException e) {
            err.println("bulwark kv: " + e.getMessage());
            return 1;
        }
        long id = client != null ? client : config.clients() / 2 + new SecureRandom().nextInt(Math.max(1, config.clients() - config.clients() / 2));
        try (ClientSession session = ClientSession.open(config, id, Duration.ofMillis(timeoutMs), null)) {
            return op.run(new KvClient(session.invoker()), System.out);
        } catch (ConfigException e) {
            err.println("bulwark kv: " + e.getMessage());
            return 1;
        } catch (BulwarkTimeoutException e) {
            err.println("bulwark kv: cluster unreachable: no certified answer within " + timeoutMs + " ms (" + e.getMessage() + ")");
            return EXIT_UNREACHABLE;
        } catch (KvException e) {
            err.println("bulwark kv: refused by the store: " + e.code() + ": " + e.getMessage());
            return EXIT_REFUSED;
        } catch (BulwarkException e) {
            err.println("bulwark kv: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("bulwark kv: " + e.getMessage());
            return 1;
        }
    }

    interface Operation {
        int run(KvClient kv, PrintStream out) throws IOException;
    }

    static Bytes utf8(String s) {
        return Bytes.wrapOwned(s.getBytes(StandardCharsets.UTF_8));
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Sets KEY to VALUE.")
    static final class Put implements Callable<Integer> {
        @ParentCommand KvCommand parent;
        @Parameters(index = "0", paramLabel = "KEY") String key;
        @Parameters(index = "1", paramLabel = "VALUE") String value;

        @Override
        public Integer call() {
            return parent.run((kv, out) -> {
                kv.put(utf8(key), utf8(value));
                return 0;
            });
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "Prints the value of KEY alone on standard output; exit code 3 if there is none.")
    static final class Get implements Callable<Integer> {
        @ParentCommand KvCommand parent;
        @Parameters(index = "0", paramLabel = "KEY") String key;

        @Override
        public Integer call() {
            return parent.run((kv, out) -> {
                Optional<Bytes> value = kv.get(utf8(key));
                if (value.isEmpty()) {
                    System.err.println("bulwark kv: no such key: " + key);
                    return EXIT_NOT_FOUND;
                }
                value.get().writeTo(out);
                out.println();
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Removes KEY; exit code 3 if there was none.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand KvCommand parent;
        @Parameters(index = "0", paramLabel = "KEY") String key;

        @Override
        public Integer call() {
            return parent.run((kv, out) -> {
                if (kv.delete(utf8(key))) return 0;
                System.err.println("bulwark kv: no such key: " + key);
                return EXIT_NOT_FOUND;
            });
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
            description = "Sets KEY to NEW only if it currently holds EXPECTED (\"-\" for absent); exit code 3 if not.")
    static final class Cas implements Callable<Integer> {
        @ParentCommand KvCommand parent;
        @Parameters(index = "0", paramLabel = "KEY") String key;
        @Parameters(index = "1", paramLabel = "EXPECTED") String expected;
        @Parameters(index = "2", paramLabel = "NEW") String newValue;

        @Override
        public Integer call() {
            return parent.run((kv, out) -> {
                var r = kv.compareAndSet(utf8(key), expected.equals("-") ? null : utf8(expected), utf8(newValue));
                if (r.success()) return 0;
                System.err.println("bulwark kv: compare-and-set failed; current value: "
                        + r.current().map(Bytes::toUtf8).orElse("(absent)"));
                return EXIT_NOT_FOUND;
            });
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = "Prints KEY<TAB>VALUE for every key in [FROM, TO), in order.")
    static final class Scan implements Callable<Integer> {
        @ParentCommand KvCommand parent;
        @Parameters(index = "0", paramLabel = "FROM") String from;
        @Parameters(index = "1", paramLabel = "TO") String to;
        @Option(names = "--limit", defaultValue = "1000", description = "At most this many entries (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            return parent.run((kv, out) -> {
                List<Map.Entry<Bytes, Bytes>> entries = kv.scan(utf8(from), utf8(to), limit);
                for (Map.Entry<Bytes, Bytes> e : entries) out.println(e.getKey().toUtf8() + "\t" + e.getValue().toUtf8());
                return 0;
            });
        }
    }
}
