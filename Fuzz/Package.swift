// swift-tools-version:6.0
import PackageDescription

// Fuzz harnesses for Stratify (docs/fuzzing.md). A separate package so that the main build never
// sees sanitizer flags: `scripts/fuzz` builds it with
//   swift build -c release --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address
// Each executable's main.swift hands its test function to libFuzzer's driver (CFuzzDriver).
// The main package is a local path dependency (our own code, not a third-party package).
let package = Package(
    name: "stratify-fuzz",
    dependencies: [.package(name: "stratify", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "StratifyLibraries", package: "stratify")]),
        .executableTarget(name: "fuzz-csv", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-rules", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-pipeline", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "fuzz-cohort", dependencies: ["FuzzSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
