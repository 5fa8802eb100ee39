package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code init}, {@code node} and {@code up} in-process: output, exit codes, clear errors (no process is started). */
class ClusterCommandsTest {
    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BulwarkCommand.newCommandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exitCode = cmd.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void initPrintsOneLinePerNodeAndRefusesToOverwrite(@TempDir Path tmp) {
        Path dir = tmp.resolve("c");
        Run r = run("init", "--dir", dir.toString(), "--f", "1", "--t", "1", "--g", "1", "--clients", "2", "--base-port", "7100");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines()).hasSize(9).first().isEqualTo("node-0 agreement 127.0.0.1:7100");
        assertThat(r.out().lines().toList().get(8)).isEqualTo("node-8 execution 127.0.0.1:7108");
        assertThat(Files.exists(dir.resolve("cluster.properties"))).isTrue();

        Run again = run("init", "--dir", dir.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("refusing to overwrite").doesNotContain("Exception");
    }

    @Test
    void initWithAFirewallAddsFilterRowsAndKeys(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("fw");
        Run r = run("init", "--dir", dir.toString(), "--f", "1", "--t", "1", "--g", "1", "--firewall", "--h", "1", "--threshold-bits",
                "1024", "--clients", "3", "--base-port", "7200");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(13);
        assertThat(r.out().lines().toList().get(9)).isEqualTo("node-9 filter 127.0.0.1:7209");
        assertThat(r.out().lines().toList().get(12)).isEqualTo("node-12 filter 127.0.0.1:7212");
        assertThat(r.err()).contains("4 filter node(s) in 2 row(s)", "1024-bit threshold key", "only client-0 may read and write secret/");
        var config = io.bulwark.runtime.config.ClusterConfig.load(dir);
        assertThat(config.thresholdPublicKey().modulusBits()).isEqualTo(1024);
        assertThat(config.accessPolicy().canRead(1, io.bulwark.core.bytes.Bytes.ofUtf8("secret/x"))).isFalse();
        assertThat(config.accessPolicy().canRead(0, io.bulwark.core.bytes.Bytes.ofUtf8("secret/x"))).isTrue();

        Run noFirewall = run("init", "--dir", tmp.resolve("a").toString(), "--h", "1");
        assertThat(noFirewall.exitCode()).isEqualTo(2);
        assertThat(noFirewall.err()).contains("need --firewall");
        Run bits = run("init", "--dir", tmp.resolve("b").toString(), "--firewall", "--threshold-bits", "100");
        assertThat(bits.exitCode()).isEqualTo(2);
        assertThat(bits.err()).contains("--threshold-bits");
        Run h = run("init", "--dir", tmp.resolve("c").toString(), "--firewall", "--h", "9");
        assertThat(h.exitCode()).isEqualTo(2);
        assertThat(h.err()).contains("h must be in");
        Run g = run("init", "--dir", tmp.resolve("d").toString(), "--firewall", "--g", "-1");
        assertThat(g.exitCode()).isEqualTo(2);
        assertThat(g.err()).contains("execution cluster");
        Run admin = run("init", "--dir", tmp.resolve("e").toString(), "--firewall", "--clients", "2", "--admin-client", "2");
        assertThat(admin.exitCode()).isEqualTo(2);
        assertThat(admin.err()).contains("--admin-client 2");
        assertThat(tmp.resolve("b")).doesNotExist();
    }

    @Test
    void badArgumentsAreUsageErrors(@TempDir Path tmp) {
        Run r = run("init", "--dir", tmp.resolve("x").toString(), "--f", "1", "--t", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("t must be in [0, f=1]").doesNotContain("\tat ");
        Run port = run("init", "--dir", tmp.resolve("y").toString(), "--base-port", "65530");
        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("--base-port 65530");
        Run notANumber = run("init", "--dir", tmp.resolve("z").toString(), "--f", "one");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        Run fsync = run("node", "--dir", tmp.toString(), "--id", "0", "--fsync", "sometimes");
        assertThat(fsync.exitCode()).isEqualTo(2);
        assertThat(fsync.err()).contains("--fsync");
    }

    @Test
    void nodeAndUpExplainBadClusterDirectories(@TempDir Path tmp) {
        Run missing = run("node", "--dir", tmp.resolve("none").toString(), "--id", "0");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no such cluster directory").doesNotContain("Exception");

        Path dir = tmp.resolve("c");
        assertThat(run("init", "--dir", dir.toString(), "--f", "0", "--t", "0", "--g", "-1", "--clients", "1").exitCode()).isZero();
        Run badId = run("node", "--dir", dir.toString(), "--id", "5");
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).contains("--id 5").contains("nodes 0..0");

        Run up = run("up", "--dir", tmp.resolve("none").toString());
        assertThat(up.exitCode()).isEqualTo(1);
        assertThat(up.err()).contains("no such cluster directory");
    }

    @Test
    void helpExplainsEveryOption() {
        Run init = run("init", "--help");
        assertThat(init.exitCode()).isZero();
        assertThat(init.out()).contains("--dir", "--f", "--t", "--g", "--host", "--base-port", "--clients", "Refuses to overwrite",
                "--firewall", "--h", "--threshold-bits", "--admin-client");
        Run node = run("node", "--help");
        assertThat(node.out()).contains("--dir", "--id", "--data", "--fsync");
        Run up = run("up", "--help");
        assertThat(up.out()).contains("--dir", "logs/node-<i>.log", "SIGKILL");
    }
}
