package io.bulwark.cli;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * Architecture rules over all production classes in {@code io.bulwark..} (every module on the
 * bulwark-cli classpath; test classes are not imported).
 *
 * <p>Protocol cores are pure, deterministic state machines: no threads, clocks, sockets, files or
 * randomness; hosts (runtime, simulator, CLI) do the I/O. Modules are layered: core at the bottom,
 * the cores above it, hosts and tools on top.
 *
 * <p>Rules about packages that may not exist yet (bench and the like)
 * allow an empty selection; {@link #importFindsTheCoreClasses} guards against an import that finds
 * nothing and so makes every rule pass vacuously.
 */
@AnalyzeClasses(packages = "io.bulwark", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The pure protocol cores. */
    private static final String[] CORES = {
        "io.bulwark.core..", "io.bulwark.agreement..", "io.bulwark.execution..", "io.bulwark.firewall..",
        "io.bulwark.client.core.."
    };

    /** Key generation lives here: it may use SecureRandom and take a java.util.Random parameter. */
    private static final String CRYPTO = "io.bulwark.core.crypto..";

    /** The threshold key dealer (run once, offline, by {@code bulwark init}) takes a Random too. */
    private static final String THRESHOLD_DEALER = "io.bulwark.firewall.threshold.ThresholdKeyDealer";

    private static final String PURE =
            "protocol cores are deterministic state machines without I/O; the hosts (runtime,"
                    + " simulator) own threads, time, network, disk and randomness";

    // ---------------------------------------------------------------- sanity of the import

    @ArchTest
    static void importFindsTheCoreClasses(JavaClasses classes) {
        int coreClasses = classes.that(resideInAPackage("io.bulwark.core..")).size();
        assertThat(coreClasses)
                .as("classes imported from io.bulwark.core (an empty import would make every rule pass)")
                .isGreaterThan(10);
    }

    @ArchTest
    static void importFindsTheFirewallClasses(JavaClasses classes) {
        assertThat(classes.contain("io.bulwark.firewall.FilterNode"))
                .as("io.bulwark.firewall on the classpath (bulwark-firewall is a dependency of bulwark-cli)")
                .isTrue();
    }

    // ---------------------------------------------------------------- (a) pure protocol cores

    @ArchTest
    static final ArchRule coresStartNoThreads =
            noClasses().that().resideInAnyPackage(CORES)
                    .should().dependOnClassesThat(threadsAndExecutors())
                    .because(PURE);

    @ArchTest
    static final ArchRule coresReadNoClock =
            noClasses().that().resideInAnyPackage(CORES)
                    .should().accessTargetWhere(readsTheClock())
                    .orShould().dependOnClassesThat(
                            named("java.time.Clock", "java.time.InstantSource")
                                    .or(assignableTo("java.time.InstantSource")))
                    .because(PURE + "; time comes in as an input (Tick/TimerFired)");

    @ArchTest
    static final ArchRule coresUseNoNetwork =
            noClasses().that().resideInAnyPackage(CORES)
                    .should().dependOnClassesThat(resideInAnyPackage("java.net..", "javax.net.."))
                    .because(PURE);

    @ArchTest
    static final ArchRule coresUseNoFiles =
            noClasses().that().resideInAnyPackage(CORES)
                    .should().dependOnClassesThat(files())
                    .because(PURE + "; persistence is an output (persist records), written by the host");

    @ArchTest
    static final ArchRule coresUseNoRandomness =
            noClasses().that().resideInAnyPackage(CORES)
                    .and().resideOutsideOfPackage(CRYPTO)
                    .and().doNotHaveFullyQualifiedName(THRESHOLD_DEALER)
                    .should().dependOnClassesThat(randomness())
                    .orShould().accessTargetWhere(randomnessMethods())
                    .because(PURE + "; only key generation in " + CRYPTO + " and " + THRESHOLD_DEALER
                            + " may use SecureRandom or take a Random");

    @ArchTest
    static final ArchRule noCoreUsesThreadLocalRandom =
            noClasses().that().resideInAnyPackage(CORES)
                    .should().dependOnClassesThat(named("java.util.concurrent.ThreadLocalRandom"))
                    .because("randomness in the cores must be passed in explicitly (seeded in the simulator)");

    // ---------------------------------------------------------------- (b) module layering

    @ArchTest
    static final ArchRule coreDependsOnNoOtherBulwarkPackage =
            noClasses().that().resideInAPackage("io.bulwark.core..")
                    .should().dependOnClassesThat(
                            resideInAPackage("io.bulwark..").and(resideOutsideOfPackages("io.bulwark.core..")))
                    .because("bulwark-core is the bottom layer");

    @ArchTest
    static final ArchRule agreementDependsOnlyOnCore =
            noClasses().that().resideInAPackage("io.bulwark.agreement..")
                    .should().dependOnClassesThat(
                            resideInAPackage("io.bulwark..")
                                    .and(resideOutsideOfPackages("io.bulwark.core..", "io.bulwark.agreement..")))
                    .because("the agreement cores depend only on bulwark-core")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule executionDependsOnlyOnCoreAndTheLearner =
            noClasses().that().resideInAPackage("io.bulwark.execution..")
                    .should().dependOnClassesThat(
                            resideInAPackage("io.bulwark..")
                                    .and(resideOutsideOfPackages("io.bulwark.core..", "io.bulwark.agreement..",
                                            "io.bulwark.execution..")))
                    .because("execution nodes are FaB learners: they reuse the agreement learner and nothing above")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule firewallDependsOnlyOnCore =
            noClasses().that().resideInAPackage("io.bulwark.firewall..")
                    .should().dependOnClassesThat(
                            resideInAPackage("io.bulwark..")
                                    .and(resideOutsideOfPackages("io.bulwark.core..", "io.bulwark.firewall..")))
                    .because("filters see messages and keys, never the agreement or execution cores")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule clientDependsOnlyOnCore =
            noClasses().that().resideInAPackage("io.bulwark.client..")
                    .should().dependOnClassesThat(
                            resideInAPackage("io.bulwark..")
                                    .and(resideOutsideOfPackages("io.bulwark.core..", "io.bulwark.client..")))
                    .because("applications embed the client library; it must not drag in servers")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule applicationsSitOnTheSpiAndTheClient =
            noClasses().that().resideInAPackage("io.bulwark.kv..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            "io.bulwark.agreement..", "io.bulwark.sim..", "io.bulwark.runtime..", "io.bulwark.cli..")
                    .because("an application sees the StateMachine SPI and the client, not the protocol or its hosts")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule runtimeDoesNotDependOnTools =
            noClasses().that().resideInAPackage("io.bulwark.runtime..")
                    .should().dependOnClassesThat().resideInAnyPackage("io.bulwark.sim..", "io.bulwark.cli..")
                    .because("the runtime is a host like the simulator, not a user of it")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule coresDependOnNoHost =
            noClasses().that().resideInAnyPackage(
                            "io.bulwark.agreement..", "io.bulwark.execution..", "io.bulwark.firewall..",
                            "io.bulwark.client.core..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            "io.bulwark.sim..", "io.bulwark.runtime..", "io.bulwark.cli..")
                    .because("the hosts drive the cores, never the other way round")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule simDoesNotDependOnCli =
            noClasses().that().resideInAPackage("io.bulwark.sim..")
                    .should().dependOnClassesThat().resideInAPackage("io.bulwark.cli..")
                    .because("the simulator is a library; the CLI is one of its users")
                    .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyToolsDependOnCli =
            noClasses().that().resideInAPackage("io.bulwark..")
                    .and().resideOutsideOfPackages("io.bulwark.cli..", "io.bulwark.bench..")
                    .should().dependOnClassesThat().resideInAPackage("io.bulwark.cli..")
                    .because("the CLI is the top layer");

    // ---------------------------------------------------------------- naming

    @ArchTest
    static final ArchRule noVagueClassNames =
            noClasses().that().resideInAPackage("io.bulwark..")
                    .should().haveSimpleNameEndingWith("Manager")
                    .orShould().haveSimpleNameEndingWith("Helper")
                    .orShould().haveSimpleNameEndingWith("Util")
                    .orShould().haveSimpleNameEndingWith("Utils")
                    .because("a class is named for what it is or does");

    // ---------------------------------------------------------------- predicates

    private static DescribedPredicate<JavaClass> named(String... fullNames) {
        Set<String> names = Set.of(fullNames);
        return DescribedPredicate.describe(
                "are any of " + String.join(", ", fullNames), c -> names.contains(c.getName()));
    }

    /** Name-based (works even if a JDK class's hierarchy were not resolved) and by assignability. */
    private static DescribedPredicate<JavaClass> threadsAndExecutors() {
        return DescribedPredicate.describe(
                "are threads, thread pools, executors or timers",
                c -> c.getName().matches("java\\.lang\\.Thread(\\$.*)?")
                        || c.isAssignableTo(Thread.class)
                        || c.getName().matches("java\\.util\\.concurrent\\.[A-Za-z]*Executor[A-Za-z]*(\\$.*)?")
                        || c.getName().startsWith("java.util.concurrent.ForkJoin")
                        || c.getName().equals("java.util.Timer")
                        || c.getName().equals("java.util.TimerTask"));
    }

    private static DescribedPredicate<JavaClass> files() {
        return DescribedPredicate.describe(
                "are files or file channels (java.io.File*, java.io.RandomAccessFile, java.nio.file..,"
                        + " java.nio.channels..)",
                c -> c.getName().matches("java\\.io\\.File[A-Za-z]*")
                        || c.getName().equals("java.io.RandomAccessFile")
                        || c.getPackageName().startsWith("java.nio.file")
                        || c.getPackageName().startsWith("java.nio.channels"));
    }

    private static DescribedPredicate<JavaClass> randomness() {
        return DescribedPredicate.describe(
                "are sources of randomness (java.util.Random and subclasses such as SecureRandom,"
                        + " SplittableRandom, java.util.random..)",
                c -> c.getName().equals("java.util.Random")
                        || c.isAssignableTo(java.util.Random.class)
                        || c.getName().equals("java.security.SecureRandom")
                        || c.getName().equals("java.util.SplittableRandom")
                        || c.getName().equals("java.util.concurrent.ThreadLocalRandom")
                        || c.getPackageName().equals("java.util.random"));
    }

    /** Calls and method references (e.g. {@code System::nanoTime}) that read the wall clock. */
    private static DescribedPredicate<JavaAccess<?>> readsTheClock() {
        return DescribedPredicate.describe(
                "read the clock (System.currentTimeMillis/nanoTime, java.time.*.now,"
                        + " new java.util.Date(), Calendar.getInstance)",
                a -> {
                    String owner = a.getTargetOwner().getName();
                    String name = a.getName();
                    return (owner.equals("java.lang.System")
                                    && (name.equals("currentTimeMillis") || name.equals("nanoTime")))
                            || (a.getTargetOwner().getPackageName().equals("java.time") && name.equals("now"))
                            || a.getTarget().getFullName().equals("java.util.Date.<init>()")
                            || (owner.equals("java.util.Calendar") && name.equals("getInstance"));
                });
    }

    private static DescribedPredicate<JavaAccess<?>> randomnessMethods() {
        return DescribedPredicate.describe(
                "use Math.random or UUID.randomUUID",
                a -> (a.getTargetOwner().getName().equals("java.lang.Math") && a.getName().equals("random"))
                        || (a.getTargetOwner().getName().equals("java.lang.StrictMath")
                                && a.getName().equals("random"))
                        || (a.getTargetOwner().getName().equals("java.util.UUID")
                                && a.getName().equals("randomUUID")));
    }
}
