import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest
import StratifyReference

/// `stratify doctor`: checks what a scheduled run depends on, before the night it matters, and
/// says how to fix each problem. It reads and checks; it changes nothing (it does not even take
/// the lock or open the history for writing).
public struct Doctor {
    public enum Status: String, Sendable { case ok, warning, problem }

    public struct Finding: Sendable {
        public var status: Status
        public var subject: String
        public var detail: String
        public var fix: String?
    }

    public var pipelinePath: String
    public var referenceOverride: String?
    public var outputRootOverride: String?
    public var extractOverride: String?

    public init(pipeline: String, reference: String? = nil, outputRoot: String? = nil, extract: String? = nil) {
        pipelinePath = pipeline
        referenceOverride = reference
        outputRootOverride = outputRoot
        extractOverride = extract
    }

    /// Space a run needs beyond its inputs: outputs are a fraction of the extract (patients.csv
    /// is about 300 bytes a patient, events are not copied), plus room for quarantine files and
    /// the history. Generous on purpose: a full disk mid-run is what this is here to prevent.
    static func bytesNeeded(extractBytes: Int64) -> Int64 { extractBytes / 4 + 256 << 20 }

    public func run() -> [Finding] {
        var findings: [Finding] = []
        func add(_ s: Status, _ subject: String, _ detail: String, fix: String? = nil) {
            findings.append(Finding(status: s, subject: subject, detail: detail, fix: fix))
        }
        func add(_ subject: String, _ error: StratifyError) { add(.problem, subject, error.message, fix: error.help) }

        let definition: PipelineDefinition
        do { definition = try PipelineDefinition(path: pipelinePath) } catch {
            add("pipeline", error)
            return findings
        }
        add(.ok, "pipeline", "\(pipelinePath) is a valid definition (\(definition.cohorts.count) cohorts)")
        if let asOf = definition.asOf, asOf > LocalDate.today() {
            add(.problem, "pipeline", "as_of \(asOf) is after today", fix: "a run refuses it unless given --allow-future-as-of; check the date")
        }
        var d = definition
        d.chooseReference(flag: referenceOverride)

        // Reference data: present, unchanged, private, and a rule set that compiles.
        do { try SafetyChecks.refuseWritableReference(d.reference) } catch { add("reference", error) }
        do {
            let reference = try ReferenceData(root: d.reference)
            let (checked, problems) = try ReferenceIntegrity(reference: reference).problems(includeScripts: true)
            for p in problems {
                add(.problem, "reference", "'\(p.path)' is \(p.issue)",
                    fix: "restore reference/ from git (git checkout -- reference), or regenerate reference/manifest.json with reference/scripts/build_manifest.py if the change is intended")
            }
            if !problems.isEmpty {
                add(.warning, "rules", "not compiled: the reference files above must be fixed first")
            } else {
                add(.ok, "reference", "\(checked) files match the SHA-256 in \(d.reference)/manifest.json")
                let rules = try FlagsSetup.ruleSet(d.rules, reference: reference, overrides: d.ruleOverrides)
                add(.ok, "rules", "\(rules.name) \(rules.version) compiles (\(rules.lists.count) code lists)")
                do {
                    try d.validate(ruleSet: rules)
                    add(.ok, "pipeline", "every cohort condition, sort key and key value checks against \(rules.name)")
                } catch {
                    add("pipeline", error)
                }
                findings += Doctor.measureFindings(reference: reference, ruleSet: rules)
            }
        } catch {
            add("reference", error)
        }

        if d.identifiers == .pseudonym {
            do { _ = try PseudonymKey.key(for: d); add(.ok, "pseudonym key", "found, at least \(PseudonymKey.minimumBytes) bytes") } catch {
                add("pseudonym key", error)
            }
        }

        // The extract: files present and every header readable, before any row is read.
        let extract = extractOverride ?? d.extract
        var extractBytes: Int64 = 0
        do {
            let reader = try ExtractReader(directory: extract, options: d.ingestOptions(asOf: d.asOf ?? LocalDate.today()))
            for f in reader.files.files.values { extractBytes += FileSystem.fileSize(f.path) ?? 0 }
            add(.ok, "extract", "\(extract): \(reader.files.files.count) tables, headers valid, \(Doctor.megabytes(extractBytes)) MB")
            if reader.files.files[.medications] == nil { add(.warning, "extract", ExtractReader.missingMedications) }
        } catch {
            add("extract", error)
        }

        findings += outputRootFindings(outputRootOverride ?? d.outputRoot, extractBytes: extractBytes)
        return findings
    }

    func outputRootFindings(_ rootPath: String, extractBytes: Int64) -> [Finding] {
        var findings: [Finding] = []
        func add(_ s: Status, _ detail: String, fix: String? = nil) {
            findings.append(Finding(status: s, subject: "output root", detail: detail, fix: fix))
        }
        var existing = rootPath
        while !FileSystem.exists(existing), existing.contains("/") { existing = OutputFile.directory(of: existing) }
        if !FileSystem.exists(existing) { existing = "." }
        if existing != rootPath {
            add(.ok, "'\(rootPath)' does not exist yet; the first run creates it under '\(existing)'")
        }
        do { try SafetyChecks.refuseWritableOutputRoot(rootPath) } catch { add(.problem, error.message, fix: error.help) }
        if !FileSystem.isWritable(existing) {
            add(.problem, "'\(existing)' is not writable by this user", fix: "run as the pipeline's service user, or fix the folder's owner")
        }
        if let free = FileSystem.availableBytes(existing) {
            let need = Doctor.bytesNeeded(extractBytes: extractBytes)
            let text = "\(Doctor.megabytes(free)) MB free, a run needs about \(Doctor.megabytes(need)) MB"
            add(free >= need ? .ok : .problem, text, fix: free >= need ? nil : "free space on that file system, or point output_root elsewhere")
        }
        guard FileSystem.isDirectory(rootPath) else { return findings }
        let root = OutputRoot(path: rootPath)
        do { try root.refuseLinks() } catch { add(.problem, error.message, fix: error.help) }
        let partials = FileSystem.list(root.runs).filter { $0.hasPrefix(OutputRoot.partialPrefix) }
        if !partials.isEmpty {
            add(.warning, "\(partials.count) unfinished run folder(s) from a killed run", fix: "nothing to do: the next run completes or removes them")
        }
        let historySize = FileSystem.entryKind(root.history) == .file ? FileSystem.fileSize(root.history) : nil
        if root.hasPublishedRuns && (historySize ?? 0) == 0 {
            add(.problem, "run history '\(root.history)' is missing or empty but the output root has published runs",
                fix: "restore history.sqlite from a backup; run once with --new-history only if a new history is intended")
        } else if FileSystem.exists(root.history) {
            if let problem = RunHistory.check(path: root.history) {
                add(.problem, "run history '\(root.history)': \(problem)",
                    fix: "restore history.sqlite from a backup (a run refuses a damaged or lost history; --new-history starts a new one on purpose)")
            } else {
                add(.ok, "run history '\(root.history)' passes SQLite's integrity check")
            }
        }
        if let latest = root.readLatest(), !FileSystem.exists(root.run(latest) + "/manifest.json") {
            add(.warning, "latest names run \(latest), which has no published folder", fix: "nothing to do: the next run repairs latest")
        }
        return findings
    }

    /// Measure files: each parses and compiles against the rule set (errors carry the file and
    /// JSON path); a file the manifest does not list runs, but nobody has reviewed its checksum.
    static func measureFindings(reference: ReferenceData, ruleSet: RuleSet) -> [Finding] {
        do {
            let set = try MeasureStage.load(reference: reference, ruleSet: ruleSet)
            var out = [Finding(status: .ok, subject: "measures",
                               detail: "\(set.measures.count) measures (\(set.files.count) files in \(reference.root)/measures) check against \(ruleSet.name)"
                                   + MeasureStage.skippedNote(set))]
            let listed = Set(((try? ReferenceIntegrity(reference: reference).entries()) ?? []).map { reference.root + "/" + $0.path })
            for f in set.files.map(\.path) + set.skipped.map(\.path) where !listed.contains(f) {
                out.append(Finding(status: .warning, subject: "measures", detail: "'\(f)' is not listed in \(reference.root)/manifest.json",
                                   fix: "review it, then regenerate the manifest with reference/scripts/build_manifest.py"))
            }
            return out
        } catch {
            return [Finding(status: .problem, subject: "measures", detail: error.message, fix: error.help)]
        }
    }

    static func megabytes(_ bytes: Int64) -> String { String(bytes / 1_000_000) }
}
