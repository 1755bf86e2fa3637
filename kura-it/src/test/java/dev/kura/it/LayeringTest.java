package dev.kura.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module picture of ARCHITECTURE.md, checked on the production classes of every module (test
 * classes are not imported). Maven already stops a module from importing what it does not depend
 * on; these rules also catch a new dependency line in a pom that points the wrong way, a class
 * reaching past a seam into an engine, and production code using test fixtures. kura-it sees every
 * module (kura-testing and kura-bench are on its test class path for this), so the rules live here.
 */
@AnalyzeClasses(packages = "dev.kura", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    private static final String[] LAYERS = {
        "dev.kura.common..", "dev.kura.s3..", "dev.kura.index..", "dev.kura.cluster..", "dev.kura.storage..",
        "dev.kura.object..",
        "dev.kura.frontend..", "dev.kura.console..", "dev.kura.server..", "dev.kura.testing..", "dev.kura.bench.."};

    /**
     * Floors: each may use only those below it; nothing uses the fixtures or the bench. (The fixtures
     * and the JMH benchmarks may reach any floor; the load generator has its own rule below.)
     */
    @ArchTest
    static final ArchRule layersDependOnlyDownward = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("common").definedBy("dev.kura.common..")
            .layer("s3").definedBy("dev.kura.s3..")
            .layer("index").definedBy("dev.kura.index..")
            .layer("cluster").definedBy("dev.kura.cluster..")
            .layer("storage").definedBy("dev.kura.storage..")
            .layer("object").definedBy("dev.kura.object..")
            .layer("frontend").definedBy("dev.kura.frontend..")
            .layer("console").definedBy("dev.kura.console..")
            .layer("server").definedBy("dev.kura.server..")
            .layer("testing").definedBy("dev.kura.testing..")
            .layer("bench").definedBy("dev.kura.bench..")
            .whereLayer("common").mayNotAccessAnyLayer()
            .whereLayer("s3").mayOnlyAccessLayers("common")
            .whereLayer("index").mayOnlyAccessLayers("common")
            // the replicated index (the RocksDB engine as a Raft state machine) and the shard protocol (a node's
            // drives served to its peers); wired by the composition root alone
            .whereLayer("cluster").mayOnlyAccessLayers("common", "index", "storage")
            .whereLayer("cluster").mayOnlyBeAccessedByLayers("server")
            .whereLayer("storage").mayOnlyAccessLayers("common")
            .whereLayer("object").mayOnlyAccessLayers("common", "s3", "index", "storage")
            .whereLayer("frontend").mayOnlyAccessLayers("common", "s3", "index", "storage", "object")
            .whereLayer("console").mayOnlyAccessLayers("common", "s3", "frontend")
            .whereLayer("server").mayOnlyAccessLayers("common", "s3", "index", "cluster", "storage", "object", "frontend",
                    "console")
            .whereLayer("testing").mayNotBeAccessedByAnyLayer()
            .whereLayer("bench").mayNotBeAccessedByAnyLayer()
            .because("modules point only downward; test fixtures and the bench are never shipped in the server");

    /** A new top-level package is outside every rule above until it is given a floor. */
    @ArchTest
    static final ArchRule everyClassIsOnAFloor = classes().should().resideInAnyPackage(LAYERS)
            .because("a package outside the layers would escape layersDependOnlyDownward");

    /**
     * The front end sees the index and the storage only through their seams (the top-level packages:
     * ObjectIndex, its records and commands; BlobStore): never the RocksDB engine, the key codec, the
     * local drive store or the file layer.
     */
    @ArchTest
    static final ArchRule frontendSeesIndexAndStorageOnlyThroughTheirSeams = noClasses()
            .that().resideInAPackage("dev.kura.frontend..")
            .should().dependOnClassesThat(behindTheSeams())
            .because("engines are chosen and opened by the composition root (kura-server) alone");

    /**
     * The object service likewise, with one known exception that predates this rule:
     * {@code MultipartService.abort} validates an upload id with {@code KeyCodec.isUploadId}, a
     * helper of the index's row-key format. Move that check behind the index seam and drop the
     * exception.
     */
    @ArchTest
    static final ArchRule objectSeesIndexAndStorageOnlyThroughTheirSeams = noClasses()
            .that().resideInAPackage("dev.kura.object..")
            .should().dependOnClassesThat(behindTheSeams().and(not(name("dev.kura.index.codec.KeyCodec"))))
            .because("engines are chosen and opened by the composition root (kura-server) alone");

    /** `kura bench` measures any S3 endpoint; only its JMH benchmarks may call server code. */
    @ArchTest
    static final ArchRule loadGeneratorIsIndependentOfTheServer = noClasses()
            .that().resideInAPackage("dev.kura.bench..").and().resideOutsideOfPackage("dev.kura.bench.jmh..")
            .should().dependOnClassesThat(resideInAPackage("dev.kura..")
                    .and(not(resideInAnyPackage("dev.kura.bench..", "dev.kura.common..")))
                    .as("are in Kura but outside kura-bench and kura-common"))
            .because("the load generator signs and sends its own requests, independently of the server's code");

    private static DescribedPredicate<JavaClass> behindTheSeams() {
        return resideInAnyPackage("dev.kura.index..", "dev.kura.storage..")
                .and(not(resideInAnyPackage("dev.kura.index", "dev.kura.storage")))
                .as("sit behind the index or storage seam (in a subpackage of dev.kura.index or dev.kura.storage)");
    }
}
