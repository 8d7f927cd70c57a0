import Foundation
import StratifyCore
import StratifyReference

/// Checks the reference folder against `reference/manifest.json`: every listed data file exists
/// and has the SHA-256 recorded there. A run refuses a missing or changed list rather than
/// flagging patients with codes nobody reviewed. (The regeneration scripts under `scripts/` are
/// listed too but are not read by a run, so only `stratify doctor` checks them.) Each file is read
/// once: the bytes that match their checksum are kept in `VerifiedFiles`, and loaders parse those.
public struct ReferenceIntegrity {
    public let reference: ReferenceData

    public init(reference: ReferenceData) { self.reference = reference }

    public struct Problem: Sendable, Equatable {
        public var path: String
        public var issue: String
    }

    public struct Entry: Sendable { public var path: String; public var sha256: String }

    /// The manifest's entries; a missing or unreadable manifest is itself an error.
    public func entries() throws(StratifyError) -> [Entry] {
        let path = reference.root + "/manifest.json"
        guard FileSystem.exists(path) else {
            throw StratifyError(.runFailed, "reference manifest '\(path)' is missing",
                                help: "restore it from git, or regenerate it with reference/scripts/build_manifest.py")
        }
        let bytes = try FileSystem.readAll(path)
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let files = root["files"] as? [[String: Any]] else {
            throw StratifyError(.runFailed, "reference manifest '\(path)' is not the expected JSON (an object with a \"files\" array)",
                                help: "restore it from git, or regenerate it with reference/scripts/build_manifest.py")
        }
        var out: [Entry] = []
        for (i, f) in files.enumerated() {
            guard let p = f["path"] as? String, let sum = f["sha256"] as? String, !p.contains("..") else {
                throw StratifyError(.runFailed, "reference manifest '\(path)', $.files[\(i)]: expected \"path\" and \"sha256\" strings",
                                    help: "regenerate it with reference/scripts/build_manifest.py")
            }
            out.append(Entry(path: p, sha256: sum))
        }
        return out
    }

    /// Problems with the listed files; `includeScripts` adds the regeneration scripts.
    public func problems(includeScripts: Bool = false) throws(StratifyError) -> (checked: Int, problems: [Problem]) {
        var problems: [Problem] = []
        var checked = 0
        for e in try entries() where includeScripts || !e.path.hasPrefix("scripts/") {
            let full = reference.root + "/" + e.path
            checked += 1
            guard FileSystem.exists(full) else { problems.append(Problem(path: full, issue: "missing")); continue }
            guard let bytes = try? FileSystem.readAll(full) else { problems.append(Problem(path: full, issue: "unreadable")); continue }
            if SHA256.hex(SHA256.hash(bytes)) != e.sha256 {
                problems.append(Problem(path: full, issue: "changed (its SHA-256 differs from reference/manifest.json)"))
            } else {
                // Loaders parse these bytes, not a second read that could see a swapped file.
                VerifiedFiles.keep(bytes, for: full)
            }
        }
        return (checked, problems)
    }

    /// Throws on the first problem; returns how many files were verified.
    public func verify() throws(StratifyError) -> Int {
        let (checked, problems) = try problems()
        if let p = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more; run stratify doctor for the list)" : ""
            throw StratifyError(.runFailed, "reference file '\(p.path)' is \(p.issue)\(more)",
                                help: "restore reference/ from git (git checkout -- reference); if the change is intended, regenerate the manifest with reference/scripts/build_manifest.py and review it")
        }
        return checked
    }
}
