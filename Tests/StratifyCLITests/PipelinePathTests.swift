import Foundation
@testable import StratifyPipeline
import Testing

/// A pipeline's relative paths are relative to its own folder, and the reference folder is
/// chosen flag > $STRATIFY_REFERENCE > definition > ./reference (docs/pipelines.md, Paths).
@Suite("Pipeline paths")
struct PipelinePathTests {
    /// Writes a definition with the given settings into `folder`, returning its path.
    func definition(in folder: URL, _ settings: [String: Any]) throws -> String {
        var p: [String: Any] = ["name": "t", "extract": "extract", "output_root": "root",
                                "cohorts": [["name": "frail", "where": "efi_category == 'severe'"]]]
        for (k, v) in settings { p[k] = v }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("p.json")
        try JSONSerialization.data(withJSONObject: p).write(to: url)
        return url.path
    }

    @Test func relativePathsAreResolvedAgainstTheDefinitionsFolder() throws {
        try withTemporaryDirectory("paths") { dir in
            let folder = dir.appendingPathComponent("pipelines")
            let d = try PipelineDefinition(path: try definition(in: folder, [
                "reference": "../reference", "rules": "../rules/x.rules", "pseudonym_key_file": "key"]))
            #expect(d.extract == folder.path + "/extract")
            #expect(d.outputRoot == folder.path + "/root")
            #expect(d.reference == folder.path + "/../reference")
            #expect(d.rules == folder.path + "/../rules/x.rules")
            #expect(d.pseudonymKeyFile == folder.path + "/key")
        }
    }

    @Test func absolutePathsAreKeptAsWritten() throws {
        try withTemporaryDirectory("paths") { dir in
            let d = try PipelineDefinition(path: try definition(in: dir.appendingPathComponent("p"), [
                "extract": "/srv/stratify/extract", "output_root": "/srv/stratify/output"]))
            #expect(d.extract == "/srv/stratify/extract")
            #expect(d.outputRoot == "/srv/stratify/output")
        }
    }

    @Test func withoutAReferenceSettingTheDefaultIsInTheWorkingFolder() throws {
        try withTemporaryDirectory("paths") { dir in
            let d = try PipelineDefinition(path: try definition(in: dir.appendingPathComponent("p"), [:]))
            #expect(d.reference == "reference")
            #expect(!d.referenceFromFile)
        }
    }

    @Test func theReferenceFlagWinsOverTheEnvironment() throws {
        var d = try PipelineDefinition(json: Array(#"{"name":"t","extract":"e","output_root":"o","reference":"r","cohorts":[]}"#.utf8), path: "p.json")
        d.chooseReference(flag: "/flag", environment: "/env")
        #expect(d.reference == "/flag")
    }

    @Test func theEnvironmentWinsOverTheDefinition() throws {
        var d = try PipelineDefinition(json: Array(#"{"name":"t","extract":"e","output_root":"o","reference":"r","cohorts":[]}"#.utf8), path: "p.json")
        d.chooseReference(flag: nil, environment: "/env")
        #expect(d.reference == "/env")
    }

    @Test func theDefinitionIsUsedWhenNeitherFlagNorEnvironmentIsSet() throws {
        var d = try PipelineDefinition(json: Array(#"{"name":"t","extract":"e","output_root":"o","reference":"r","cohorts":[]}"#.utf8), path: "p.json")
        d.chooseReference(flag: nil, environment: nil)
        #expect(d.reference == "r")
    }

    /// The issue's failure: a shipped pipeline started from outside the repository.
    @Test func theDemoPipelineRunsFromAnotherFolder() throws {
        try withTemporaryDirectory("paths-elsewhere") { dir in
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path,
                                  "--extract", Paths.golden.appendingPathComponent("pipeline-extract").path,
                                  "--output-root", dir.appendingPathComponent("root").path, "--quiet"], in: dir)
            #expect(r.status == 0, "\(r)")
        }
    }

    @Test func aRelativeOutputRootLandsBesideTheDefinitionWhateverTheWorkingFolder() throws {
        try withTemporaryDirectory("paths-root") { dir in
            let folder = dir.appendingPathComponent("pipelines")
            let file = try definition(in: folder, ["extract": Paths.golden.appendingPathComponent("pipeline-extract").path,
                                                   "reference": Paths.reference, "as_of": "2026-03-31"])
            let elsewhere = dir.appendingPathComponent("elsewhere")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            let r = try stratify(["run", file, "--quiet"], in: elsewhere)
            #expect(r.status == 0, "\(r)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("root/latest").path))
            #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("root").path))
        }
    }

    @Test func runHonoursStratifyReference() throws {
        try withTemporaryDirectory("paths-env") { dir in
            let missing = dir.appendingPathComponent("no-such-reference").path
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path,
                                  "--extract", Paths.golden.appendingPathComponent("pipeline-extract").path,
                                  "--output-root", dir.appendingPathComponent("root").path, "--quiet"],
                                 in: dir, environment: ["STRATIFY_REFERENCE": missing])
            #expect(r.status != 0, "\(r)")
            #expect(r.stderr.contains(missing), "\(r)")
        }
    }

    @Test func runAcceptsReferenceAboveTheEnvironment() throws {
        try withTemporaryDirectory("paths-flag") { dir in
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path,
                                  "--extract", Paths.golden.appendingPathComponent("pipeline-extract").path,
                                  "--output-root", dir.appendingPathComponent("root").path, "--quiet",
                                  "--reference", Paths.reference],
                                 in: dir, environment: ["STRATIFY_REFERENCE": dir.appendingPathComponent("nothing").path])
            #expect(r.status == 0, "\(r)")
        }
    }

    @Test func doctorHonoursStratifyReference() throws {
        try withTemporaryDirectory("paths-doctor") { dir in
            let f = try RunFixture(dir)
            let missing = dir.appendingPathComponent("no-such-reference").path
            let r = try stratify(["doctor", "--pipeline", f.file], environment: ["STRATIFY_REFERENCE": missing])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains(missing), "\(r)")
        }
    }
}
