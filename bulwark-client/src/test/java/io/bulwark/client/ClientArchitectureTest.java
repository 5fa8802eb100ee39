package io.bulwark.client;

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

/**
 * The client core ({@code io.bulwark.client.core}) is a pure state machine like the protocol
 * cores: no threads, clocks, sockets, files or randomness; {@link BulwarkClient} is its host.
 */
@AnalyzeClasses(packages = "io.bulwark.client", importOptions = ImportOption.DoNotIncludeTests.class)
class ClientArchitectureTest {
    private static final String CORE = "io.bulwark.client.core..";
    private static final String PURE = "the client core is a deterministic state machine; BulwarkClient owns threads and time";

    @ArchTest
    static void importFindsTheClientCore(JavaClasses classes) {
        assertThat(classes.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(CORE)).size())
                .isGreaterThanOrEqualTo(3);
    }

    @ArchTest
    static final ArchRule coreStartsNoThreads = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat(DescribedPredicate.describe("are threads, executors or timers",
                    (JavaClass c) -> c.getName().startsWith("java.lang.Thread")
                            || c.getName().matches("java\\.util\\.concurrent\\..*")
                            || c.getName().startsWith("java.util.Timer")))
            .because(PURE);

    @ArchTest
    static final ArchRule coreReadsNoClock = noClasses().that().resideInAPackage(CORE)
            .should().accessTargetWhere(DescribedPredicate.describe("read the clock",
                    (JavaAccess<?> a) -> (a.getTargetOwner().getName().equals("java.lang.System")
                                    && (a.getName().equals("nanoTime") || a.getName().equals("currentTimeMillis")))
                            || (a.getTargetOwner().getPackageName().equals("java.time") && a.getName().equals("now"))))
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
            .because(PURE);

    @ArchTest
    static final ArchRule coreUsesNoNetworkFilesOrRandomness = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("java.net..", "javax.net..", "java.nio.file..",
                    "java.nio.channels..", "java.util.random..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
            .because(PURE);

    @ArchTest
    static final ArchRule coreDoesNotDependOnItsHost = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAPackage("io.bulwark.client")
            .because("the public API drives the core, never the other way round");

    @ArchTest
    static final ArchRule clientDependsOnlyOnCore = noClasses().that().resideInAPackage("io.bulwark.client..")
            .should().dependOnClassesThat().resideInAnyPackage("io.bulwark.agreement..", "io.bulwark.execution..",
                    "io.bulwark.sim..", "io.bulwark.runtime..", "io.bulwark.cli..", "io.bulwark.kv..")
            .because("bulwark-client depends on bulwark-core only");
}
