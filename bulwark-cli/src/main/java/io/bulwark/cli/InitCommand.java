package io.bulwark.cli;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.runtime.config.ClusterInit;
import io.bulwark.runtime.config.ConfigException;
import io.bulwark.runtime.config.NodeInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bulwark init}: writes a new cluster directory. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {
            "Creates a cluster directory: cluster.properties (fault thresholds, every node's role and address, public keys),"
                    + " a TLS certificate per node and client signed by a throwaway CA (whose private key is discarded),"
                    + " and each principal's secrets in secrets/<principal>.key (mode 600).",
            "With --firewall, adds a privacy firewall of (h+1)^2 filter nodes in h+1 rows between the agreement and"
                    + " execution clusters, deals the execution cluster's (g+1)-of-(2g+1) threshold RSA key (each execution node's"
                    + " share only in its own secrets/node-<id>.threshold-share.pem; the public key in public/threshold-public.pem) and its X25519 key"
                    + " (secret with the execution nodes, public key in cluster.properties), and writes access.policy: every"
                    + " client may read and write every key except under secret/, which only the --admin-client may.",
            "Prints one line per node: its id, role and address. Refuses to overwrite an existing cluster."
        })
public final class InitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Directory to create the cluster in (created if missing).")
    Path dir;

    @Option(names = "--f", defaultValue = "1", description = "Byzantine agreement nodes tolerated; the cluster has 3f+2t+1 agreement nodes (default ${DEFAULT-VALUE}).")
    int f;

    @Option(names = "--t", defaultValue = "1", description = "Slow agreement nodes the two-step fast path survives, 0 <= t <= f (default ${DEFAULT-VALUE}).")
    int t;

    @Option(names = "--g", defaultValue = "1", description = "Byzantine execution nodes tolerated; the cluster has 2g+1 execution nodes running the key-value store."
            + " -1: no execution cluster (agreement nodes answer clients) (default ${DEFAULT-VALUE}).")
    int g;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address every node listens on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--base-port", defaultValue = "7000", description = "Node i listens on base-port + i (default ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--clients", defaultValue = "100", description = "Client identities to create: client-0 .. client-(n-1) (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--firewall", description = "Add a privacy firewall: (h+1)^2 filter nodes between the agreement and execution clusters.")
    boolean firewall;

    @Option(names = "--h", description = "With --firewall: Byzantine filter nodes tolerated; (h+1)^2 filters in h+1 rows (default 1).")
    Integer h;

    @Option(names = "--threshold-bits", description = "With --firewall: modulus of the execution cluster's threshold RSA key (default "
            + ClusterInit.THRESHOLD_BITS_DEFAULT + ").")
    Integer thresholdBits;

    @Option(names = "--admin-client", description = "With --firewall: the client that may read and write keys under "
            + ClusterInit.SECRET_PREFIX + " in the default access policy; -1 for none (default 0, or -1 with no clients).")
    Long adminClient;

    @Override
    public Integer call() {
        if (!firewall && (h != null || thresholdBits != null || adminClient != null)) {
            throw new ParameterException(spec.commandLine(), "--h, --threshold-bits and --admin-client need --firewall");
        }
        ClusterInit.Firewall fw = !firewall ? null
                : new ClusterInit.Firewall(h != null ? h : 1, thresholdBits != null ? thresholdBits : ClusterInit.THRESHOLD_BITS_DEFAULT,
                        adminClient != null ? adminClient : clients > 0 ? 0 : -1);
        ClusterSpec cluster;
        try {
            cluster = new ClusterSpec(f, t, g, fw == null ? -1 : fw.h());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid cluster shape: " + e.getMessage());
        }
        if (basePort < 1 || basePort + cluster.totalNodes() - 1 > 65_535) {
            throw new ParameterException(spec.commandLine(), "--base-port " + basePort + ": the " + cluster.totalNodes()
                    + " nodes need ports " + basePort + ".." + (basePort + cluster.totalNodes() - 1) + ", within 1..65535");
        }
        if (clients < 0 || clients > io.bulwark.runtime.config.ClusterConfig.CLIENTS_MAX) {
            throw new ParameterException(spec.commandLine(), "--clients must be in [0, " + io.bulwark.runtime.config.ClusterConfig.CLIENTS_MAX + "]");
        }
        if (host.isBlank() || host.contains(" ")) throw new ParameterException(spec.commandLine(), "--host '" + host + "' is not an address");
        if (fw != null) {
            int bits = fw.thresholdBits();
            if (bits < 512 || bits > 4096 || bits % 2 != 0) {
                throw new ParameterException(spec.commandLine(), "--threshold-bits must be even and in [512, 4096] (2048 or more for real use)");
            }
            if (fw.adminClient() < -1 || fw.adminClient() >= clients) {
                throw new ParameterException(spec.commandLine(), "--admin-client " + fw.adminClient() + " is not one of the clients 0.."
                        + (clients - 1) + " (or -1 for none)");
            }
        }
        List<NodeInfo> nodes;
        try {
            nodes = ClusterInit.create(dir, f, t, g, host, basePort, clients, fw, new SecureRandom());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("bulwark init: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        for (NodeInfo n : nodes) out.println(n);
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.printf("cluster written to %s: %d agreement node(s), %d execution node(s), %s%d client identities.%n", dir,
                cluster.agreementNodes(), cluster.executionNodes(),
                fw == null ? "" : cluster.filterNodes() + " filter node(s) in " + cluster.filterRows() + " row(s), ", clients);
        if (fw != null) {
            err.printf("firewall: %d-bit threshold key (%d of %d execution nodes sign); access policy in %s: %s%n", fw.thresholdBits(),
                    cluster.g() + 1, cluster.executionNodes(), dir.resolve(io.bulwark.runtime.config.AccessPolicyFile.FILE),
                    fw.adminClient() >= 0 ? "only client-" + fw.adminClient() + " may read and write " + ClusterInit.SECRET_PREFIX
                            : "no client may read or write " + ClusterInit.SECRET_PREFIX);
        }
        err.printf("start it with: bulwark up --dir %s%n", dir);
        err.flush();
        return 0;
    }
}
