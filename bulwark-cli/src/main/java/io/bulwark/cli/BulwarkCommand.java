package io.bulwark.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code bulwark} command: the top level of the CLI.
 *
 * <p>Each subcommand is its own class in this package, registered in the {@code subcommands}
 * list of the {@link Command} annotation below (before {@link CommandLine.HelpCommand}, so that
 * {@code help} stays last in the usage text).
 *
 * <p>Exit codes follow picocli's defaults: 0 on success, 1 when a command fails, 2 on a usage
 * error (unknown option or subcommand, bad or missing value) with a clear message and the usage
 * text on stderr, never a stack trace.
 */
@Command(
        name = "bulwark",
        mixinStandardHelpOptions = true,
        version = "bulwark 0.1.0",
        description = {
            "Bulwark: Byzantine-fault-tolerant state machine replication with FaB Paxos",
            "(two-step consensus), separated agreement and execution, and a privacy firewall."
        },
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        subcommands = {
            DemoCommand.class,
            SimCommand.class,
            KvCommand.class,
            BenchCommand.class,
            InitCommand.class,
            NodeCommand.class,
            UpCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BulwarkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code bulwark} with no command is a usage error: exit code 2, message and usage on stderr. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required command");
    }

    /** The command line as {@link #main} runs it; tests use the same configuration. */
    static CommandLine newCommandLine() {
        return new CommandLine(new BulwarkCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }
}
