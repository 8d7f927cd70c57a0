// swift-tools-version:6.0
import PackageDescription

// Stratify: population health risk stratification for NHS ICBs.
// Zero package dependencies by design: toolchain + system zlib only.
//
// Conditional compilation flags:
//   STRATIFY_INTERNAL_CHECKS – extra invariant checks in debug/test builds only.
let checks: [SwiftSetting] = [.define("STRATIFY_INTERNAL_CHECKS", .when(configuration: .debug))]

let package = Package(
    name: "stratify",
    products: [
        .executable(name: "stratify", targets: ["stratify"]),
        .executable(name: "stratify-bench", targets: ["stratify-bench"]),
        // The libraries, for the fuzz harnesses in Fuzz/ (a separate package built with sanitizers).
        .library(name: "StratifyLibraries", targets: ["StratifyCore", "StratifyIngest", "StratifyReference", "StratifyFlags",
                                                      "StratifyScores", "StratifyExport", "StratifySynth", "StratifyPipeline"]),
    ],
    targets: [
        // System zlib for `.csv.gz` extracts. `.ci/run` installs zlib1g-dev when it is missing.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // System SQLite for the run history. `scripts/install-deps` installs libsqlite3-dev when missing.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's malloc.h (malloc_trim), for the benchmark's fair peak-RSS measurement only.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "StratifyCore", swiftSettings: checks),
        .target(name: "StratifyIngest", dependencies: ["StratifyCore", "CZlib"], swiftSettings: checks),
        .target(name: "StratifyReference", dependencies: ["StratifyCore", "StratifyIngest"], swiftSettings: checks),
        .target(name: "StratifyFlags", dependencies: ["StratifyCore", "StratifyIngest", "StratifyReference"], swiftSettings: checks),
        .target(name: "StratifyScores", dependencies: ["StratifyCore", "StratifyReference", "StratifyFlags"], swiftSettings: checks),
        .target(name: "StratifyExport", dependencies: ["StratifyCore", "StratifyReference", "StratifyFlags", "CSQLite", "CZlib"], swiftSettings: checks),
        .target(name: "StratifySynth", dependencies: ["StratifyCore", "StratifyIngest", "StratifyReference"], swiftSettings: checks),
        .target(
            name: "StratifyPipeline",
            dependencies: ["StratifyCore", "StratifyIngest", "StratifyReference", "StratifyFlags", "StratifyScores", "StratifyExport", "StratifySynth"],
            swiftSettings: checks),
        .executableTarget(name: "stratify", dependencies: ["StratifyPipeline"]),
        .executableTarget(name: "stratify-bench", dependencies: ["StratifyPipeline", "StratifyScores", "CMalloc"]),
        .testTarget(name: "StratifyCoreTests", dependencies: ["StratifyCore"]),
        .testTarget(name: "StratifyIngestTests", dependencies: ["StratifyIngest", "CZlib"]),
        .testTarget(name: "StratifyReferenceTests", dependencies: ["StratifyReference"]),
        .testTarget(name: "StratifyFlagsTests", dependencies: ["StratifyFlags", "StratifyIngest", "StratifyReference", "StratifyScores", "StratifyExport"]),
        .testTarget(name: "StratifyScoresTests", dependencies: ["StratifyScores"]),
        .testTarget(name: "StratifyExportTests", dependencies: ["StratifyExport", "StratifyFlags", "StratifyReference", "CZlib"]),
        .testTarget(name: "StratifySynthTests", dependencies: ["StratifySynth", "StratifyPipeline", "StratifyFlags"]),
        .testTarget(name: "StratifyReportTests", dependencies: ["StratifyPipeline", "StratifyExport", "StratifyReference"]),
        .testTarget(
            name: "StratifyCLITests", dependencies: ["StratifyPipeline", "CSQLite"],
            exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
