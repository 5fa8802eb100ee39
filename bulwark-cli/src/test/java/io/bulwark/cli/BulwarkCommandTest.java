package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Runs the {@code bulwark} command in-process, as {@link BulwarkCommand#main} would. */
class BulwarkCommandTest {

    /** Exit code, stdout and stderr of one in-process run. */
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
    void unknownOptionIsAUsageErrorWithExitCode2() {
        Run r = run("--no-such-option");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-option'").contains("Usage: bulwark");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownCommandIsAUsageErrorWithExitCode2() {
        Run r = run("no-such-command");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument at index 0: 'no-such-command'");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void noCommandIsAUsageErrorWithExitCode2() {
        Run r = run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required command").contains("Usage: bulwark");
    }

    @Test
    void versionPrintsTheVersion() {
        Run r = run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo("bulwark 0.1.0");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpDescribesBulwarkAndListsTheHelpCommand() {
        Run r = run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("Usage: bulwark")
                .contains("Byzantine-fault-tolerant")
                .contains("FaB Paxos")
                .contains("Commands:")
                .contains("help");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpCommandPrintsTheUsage() {
        Run r = run("help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: bulwark");
    }
}
