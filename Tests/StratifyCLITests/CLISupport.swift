import Foundation
import Testing

/// Where things are, found from this file's path: <root>/Tests/StratifyCLITests/CLISupport.swift.
enum Paths {
    /// Whether `python3` is on PATH, for tests that run a project script with it.
    static let hasPython3 = ProcessInfo.processInfo.environment["PATH"].map { p in
        p.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    } ?? false

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reference = packageRoot.appendingPathComponent("reference").path
    static let golden = packageRoot.appendingPathComponent("Tests/StratifyCLITests/Golden")

    /// The `stratify` executable. `swift test` builds every product into the folder that holds
    /// the test binary, so look there first (this follows `--build-path` and `-c release`), then
    /// in `<root>/.build/debug`.
    static let binary: String = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("stratify").path)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("stratify").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/stratify").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()
}

/// What one run of the CLI did.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `stratify args` in `directory` and waits for it. Output goes through files, not pipes, so
/// a chatty child can never block on a full pipe. $STRATIFY_REFERENCE is removed so only an
/// explicit `--reference` decides.
@discardableResult
func stratify(_ args: [String], in directory: URL? = nil, environment extra: [String: String] = [:]) throws -> CLIResult {
    guard FileManager.default.isExecutableFile(atPath: Paths.binary) else {
        throw CLIError(description: "no stratify binary at \(Paths.binary): run `swift build` first")
    }
    return try withTemporaryDirectory("cli-io") { io in
        let outURL = io.appendingPathComponent("stdout"), errURL = io.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Paths.binary)
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "STRATIFY_REFERENCE")
        for (k, v) in extra { env[k] = v }
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = out
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

/// A fresh folder under the system temporary folder, removed when `body` returns.
func withTemporaryDirectory<T>(_ label: String = "tmp", _ body: (URL) throws -> T) throws -> T {
    let dir = try makeTemporaryDirectory(label)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

func makeTemporaryDirectory(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stratify-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func readJSON(_ url: URL) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    guard let dict = object as? [String: Any] else { throw CLIError(description: "\(url.path) is not a JSON object") }
    return dict
}

/// `json[a][b]...`, or nil where a key is missing.
func value(_ json: [String: Any], _ path: [String]) -> Any? {
    var node: Any = json
    for key in path {
        guard let d = node as? [String: Any], let next = d[key] else { return nil }
        node = next
    }
    return node
}

func value(_ json: [String: Any], _ path: String...) -> Any? { value(json, path) }

func int(_ json: [String: Any], _ path: String...) -> Int? { (value(json, path) as? NSNumber)?.intValue }

func string(_ json: [String: Any], _ path: String...) -> String? { value(json, path) as? String }

/// `json[a][b]...` as a dictionary of integers (e.g. `quarantined_by_reason`).
func intMap(_ json: [String: Any], _ path: String...) -> [String: Int]? {
    guard let d = value(json, path) as? [String: Any] else { return nil }
    var out: [String: Int] = [:]
    for (k, v) in d {
        guard let n = v as? NSNumber else { return nil }
        out[k] = n.intValue
    }
    return out
}

/// Permission bits of a file (e.g. 0o600).
func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    guard let n = attributes[.posixPermissions] as? NSNumber else { throw CLIError(description: "no permissions for \(path)") }
    return n.intValue & 0o777
}

let extractTables = ["patients", "clinical_events", "medications"]
