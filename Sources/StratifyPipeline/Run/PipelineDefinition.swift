import Foundation
import StratifyCore
import StratifyFlags

/// A pipeline definition (`pipelines/*.json`, docs/pipelines.md): what to read, which rules,
/// which cohorts, and where outputs go. Errors name the file and the JSON path, and say the fix.
public struct PipelineDefinition: Sendable {
    public struct SortKey: Sendable { public var expression: String; public var descending: Bool }
    public struct Reason: Sendable { public var label: String; public var condition: String }
    public struct Cohort: Sendable {
        public var name: String
        public var condition: String
        public var reasons: [Reason]
        public var orderBy: [SortKey]
        public var keyValues: [String]
        /// Free text for the workbook's read-me: what the cohort is for.
        public var description: String? = nil
        /// How rows are ordered, in words, for the read-me (else the sort keys are listed).
        public var orderDescription: String? = nil
    }
    public enum Identifiers: String, Sendable { case nhsNumber = "nhs_number", pseudonym }

    public var path: String
    /// The folder holding the definition file. Relative `extract`, `reference`, `rules`,
    /// `output_root` and `pseudonym_key_file` are resolved against it when the file is read, so a
    /// run gives the same result from any working folder (docs/pipelines.md, Paths).
    public var directory: String
    /// Whether `reference` came from the file; else it is the default `reference` in the
    /// working folder. `chooseReference` needs to know, as the environment ranks between them.
    public var referenceFromFile = false
    public var name: String
    public var extract: String
    /// nil means the run's local date.
    public var asOf: Day?
    public var reference: String
    public var rules: String?
    public var imd: String
    public var identifiers: Identifiers
    public var pseudonymKeyEnvironment: String
    /// A file holding the pseudonym key; takes precedence over the environment variable.
    public var pseudonymKeyFile: String?
    public var suppressionThreshold: Int
    public var suppressionMultiple: Int
    /// Secondary suppression in the shareable measures file (docs/measures.md).
    public var suppressionSecondary = false
    public var outputRoot: String
    public var cohorts: [Cohort]
    /// The labels file that words cohort rows' `details` (docs/cohort-files.md); nil: no details.
    public var labels: String?
    /// Which outputs a run writes (the manifest and quarantine files always).
    public var outputs: Set<String>
    public static let outputNames = ["patients", "cohorts", "prevalence", "report", "measures"]

    /// Ingest settings (docs/pipelines.md): an empty table, or a missing medications.csv, fails
    /// the run (exit 65) instead of warning.
    public var failOnEmptyTable = false
    public var requireMedications = false

    /// Which run report to write (docs/report.md): shareable by default.
    public var report = ReportVariant.shareable

    /// PLUS groups that make `plus_group` true (rules.md §2); nil means the rule set's default (all).
    public var plusGroups: [String]?

    public static let plusGroupNames = ["ethnic_minority", "ld", "autism", "smi", "homeless", "carer"]

    /// Rule-set param overrides this definition implies.
    public var ruleOverrides: [String: Constant] {
        guard let chosen = plusGroups else { return [:] }
        return Dictionary(uniqueKeysWithValues: PipelineDefinition.plusGroupNames.map { ("use_plus_\($0)", Constant.bool(chosen.contains($0))) })
    }

    public init(path: String) throws(StratifyError) {
        guard FileSystem.exists(path) else {
            throw StratifyError(.usage, "pipeline '\(path)' does not exist", help: "ship definitions live in pipelines/, e.g. pipelines/demo.json")
        }
        // Refused before reading, so an enormous file is never held in memory.
        if let size = FileSystem.fileSize(path), size > Int64(PipelineDefinition.maxBytes) {
            throw StratifyError(.usage, "\(path): a pipeline definition may be at most \(PipelineDefinition.maxBytes) bytes; this one is \(size)",
                                help: "see docs/pipelines.md, Limits")
        }
        try self.init(json: try FileSystem.readAll(path), path: path)
        resolvePaths()
    }

    /// The folder part of a file path ("." for a bare file name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` read relative to `folder`: absolute paths, and every path of a definition in the
    /// working folder, are left as written.
    public static func resolve(_ path: String, against folder: String) -> String {
        if path.hasPrefix("/") || path.isEmpty || folder == "." || folder.isEmpty { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }

    /// Rewrites the definition's relative paths against the definition's folder.
    mutating func resolvePaths() {
        let f = directory
        extract = Self.resolve(extract, against: f)
        if referenceFromFile { reference = Self.resolve(reference, against: f) }
        rules = rules.map { Self.resolve($0, against: f) }
        outputRoot = Self.resolve(outputRoot, against: f)
        pseudonymKeyFile = pseudonymKeyFile.map { Self.resolve($0, against: f) }
        labels = labels.map { Self.resolve($0, against: f) }
    }

    /// The environment variable naming the reference folder.
    public static let referenceEnvironment = "STRATIFY_REFERENCE"

    /// Picks the reference folder by the documented precedence: `--reference` (relative to the
    /// working folder), then $STRATIFY_REFERENCE, then the definition's `reference` (relative to
    /// the definition's folder), then `reference` in the working folder.
    public mutating func chooseReference(flag: String?,
                                         environment: String? = ProcessInfoLite.environment(PipelineDefinition.referenceEnvironment)) {
        if let flag, !flag.isEmpty { reference = flag; return }
        if let environment, !environment.isEmpty { reference = environment; return }
    }

    /// The largest definition read, in bytes: the shipped ones are under 10 KB.
    public static let maxBytes = 1 << 20
    /// The deepest JSON nesting read: a definition needs 4 levels.
    public static let maxDepth = 16
    /// The longest cohort name, in UTF-8 bytes, so that the longest file it names
    /// (`<name>_leavers.csv`) fits the 255-byte limit of common file systems.
    public static let maxCohortNameBytes = 255 - "_leavers.csv".utf8.count
    /// Columns every cohort file has; a `key_values` entry may not repeat one.
    public static let cohortBaseColumns: Set<String> = ["nhs_number", "pseudonym", "patient_id", "practice_code", "practice_name", "pcn",
                                                       "neighbourhood", "age", "sex", "core20", "priority", "reasons", "details", "status"]

    /// Parses a definition's JSON text; `path` names it in errors. (The fuzz harness calls this
    /// with arbitrary bytes, so no input may trap.) Checks everything that needs only the file;
    /// `validate(ruleSet:)` checks the rest before a run reads any row.
    public init(json bytes: [UInt8], path: String) throws(StratifyError) {
        self.path = path
        directory = PipelineDefinition.folder(of: path)
        guard bytes.count <= PipelineDefinition.maxBytes else {
            throw StratifyError(.usage, "\(path): a pipeline definition may be at most \(PipelineDefinition.maxBytes) bytes; this one is \(bytes.count)",
                                help: "see docs/pipelines.md, Limits")
        }
        let parsed: JSON
        do throws(JSON.ParseError) {
            parsed = try JSON.parse(bytes, maxDepth: PipelineDefinition.maxDepth)
        } catch {
            throw StratifyError(.usage, "\(path), \(error.location): not valid JSON: \(error.message)",
                                help: "check brackets, commas and quotes near that place")
        }
        if String(validating: bytes, as: UTF8.self) == nil {
            throw StratifyError(.usage, "\(path): not valid UTF-8", help: "save the file as UTF-8")
        }
        let r = JSONReader(file: path)
        let root = try r.object(parsed, "$")
        name = try r.string(root, "name", "$")
        extract = try r.string(root, "extract", "$")
        let asOfText = try r.optionalString(root, "as_of", "$") ?? "today"
        if asOfText == "today" { asOf = nil } else {
            guard let d = Day(iso: asOfText) else { throw r.fail("$.as_of", "expected \"today\" or a date as YYYY-MM-DD") }
            asOf = d
        }
        let referenceText = try r.optionalString(root, "reference", "$")
        reference = referenceText ?? "reference"
        referenceFromFile = referenceText != nil
        rules = try r.optionalString(root, "rules", "$")
        imd = try r.optionalString(root, "imd", "$") ?? "2019"
        guard imd == "2019" || imd == "2025" else { throw r.fail("$.imd", "expected \"2019\" or \"2025\"") }
        let ids = try r.optionalString(root, "identifiers", "$") ?? "nhs_number"
        guard let i = Identifiers(rawValue: ids) else { throw r.fail("$.identifiers", "expected \"nhs_number\" or \"pseudonym\"") }
        identifiers = i
        if let v = try r.optionalString(root, "report", "$") {
            guard let variant = ReportVariant(rawValue: v) else { throw r.fail("$.report", "expected \"shareable\" or \"internal\"") }
            report = variant
        }
        pseudonymKeyEnvironment = try r.optionalString(root, "pseudonym_key_env", "$") ?? "STRATIFY_PSEUDONYM_KEY"
        pseudonymKeyFile = try r.optionalString(root, "pseudonym_key_file", "$")
        let suppression = try r.optionalObject(root, "suppression", "$") ?? []
        suppressionThreshold = try r.optionalInt(suppression, "threshold", "$.suppression") ?? 7
        suppressionMultiple = try r.optionalInt(suppression, "multiple", "$.suppression") ?? 5
        suppressionSecondary = try r.optionalBool(suppression, "secondary", "$.suppression") ?? false
        // A threshold of 0 would publish counts of 1 to 7 and identify patients in small practices.
        guard suppressionThreshold >= 1 else { throw r.fail("$.suppression.threshold", "must be at least 1") }
        guard suppressionMultiple >= 1 else { throw r.fail("$.suppression.multiple", "must be at least 1") }
        outputRoot = try r.string(root, "output_root", "$")
        // An empty root made the first write mkdir("/runs"); blanks are as empty.
        guard !outputRoot.allSatisfy(\.isWhitespace) else { throw r.fail("$.output_root", "must name a folder, e.g. \"output/nightly\"") }
        labels = try r.optionalString(root, "labels", "$")
        var cohorts: [Cohort] = []
        for (k, item) in try r.array(root, "cohorts", "$").enumerated() {
            let at = "$.cohorts[\(k)]"
            let c = try r.object(item, at)
            let cname = try r.string(c, "name", at)
            try PipelineDefinition.checkCohortName(cname, at: at + ".name", r)
            // File systems may fold case, so `X_leavers` and `x` collide just as `X` and `X` do.
            let mine = PipelineDefinition.fileNames(cohort: cname).map { $0.lowercased() }
            for (j, other) in cohorts.enumerated() {
                if other.name.lowercased() == cname.lowercased() {
                    throw r.fail(at + ".name", "cohort '\(cname)' is defined twice (as '\(other.name)' at $.cohorts[\(j)]; names are compared ignoring case)")
                }
                guard let clash = PipelineDefinition.fileNames(cohort: other.name).first(where: { mine.contains($0.lowercased()) }) else { continue }
                throw r.fail(at + ".name", "cohort '\(cname)' writes a file named like '\(clash)', which cohort '\(other.name)' ($.cohorts[\(j)]) writes; file names are compared ignoring case")
            }
            var reasons: [Reason] = []
            for (j, reason) in (try r.optionalArray(c, "reasons", at) ?? []).enumerated() {
                let o = try r.object(reason, "\(at).reasons[\(j)]")
                reasons.append(Reason(label: try r.string(o, "label", "\(at).reasons[\(j)]"), condition: try r.string(o, "where", "\(at).reasons[\(j)]")))
            }
            var order: [SortKey] = []
            for (j, key) in (try r.optionalArray(c, "order_by", at) ?? []).enumerated() {
                let o = try r.object(key, "\(at).order_by[\(j)]")
                order.append(SortKey(expression: try r.string(o, "expr", "\(at).order_by[\(j)]"),
                                     descending: try r.optionalBool(o, "descending", "\(at).order_by[\(j)]") ?? false))
            }
            var keys: [String] = []
            for (j, v) in (try r.optionalArray(c, "key_values", at) ?? []).enumerated() {
                guard case .string(let s) = v else { throw r.fail("\(at).key_values[\(j)]", "expected a field name in quotes") }
                // A repeated column makes a CSV whose header names one column twice, which
                // spreadsheets and loaders read differently.
                if PipelineDefinition.cohortBaseColumns.contains(s) {
                    throw r.fail("\(at).key_values[\(j)]", "'\(s)' is already a column of every cohort file; remove it from key_values")
                }
                if keys.contains(s) { throw r.fail("\(at).key_values[\(j)]", "'\(s)' is listed twice") }
                keys.append(s)
            }
            cohorts.append(Cohort(name: cname, condition: try r.string(c, "where", at), reasons: reasons, orderBy: order, keyValues: keys,
                                  description: try r.optionalString(c, "description", at),
                                  orderDescription: try r.optionalString(c, "order_description", at)))
        }
        self.cohorts = cohorts
        outputs = Set(PipelineDefinition.outputNames)
        if let list = try r.optionalArray(root, "outputs", "$") {
            outputs = Set(try list.enumerated().map { (j, o) throws(StratifyError) in
                guard case .string(let name) = o, PipelineDefinition.outputNames.contains(name) else {
                    throw r.fail("$.outputs[\(j)]", "expected one of \(PipelineDefinition.outputNames.joined(separator: ", "))")
                }
                return name
            })
        }
        if let groups = try r.optionalArray(root, "plus_groups", "$") {
            plusGroups = try groups.enumerated().map { (j, g) throws(StratifyError) in
                guard case .string(let name) = g, PipelineDefinition.plusGroupNames.contains(name) else {
                    throw r.fail("$.plus_groups[\(j)]", "expected one of \(PipelineDefinition.plusGroupNames.joined(separator: ", "))")
                }
                return name
            }
        }
        failOnEmptyTable = try r.optionalBool(root, "fail_on_empty_table", "$") ?? false
        requireMedications = try r.optionalBool(root, "require_medications", "$") ?? false
        if let unknown = root.map(\.0).sorted().first(where: { !PipelineDefinition.keys.contains($0) }) {
            throw r.fail("$.\(unknown)", "unknown setting; known settings are \(PipelineDefinition.keys.sorted().joined(separator: ", "))")
        }
    }

    /// The files a cohort writes in `cohorts/` and in each neighbourhood's folder.
    static func fileNames(cohort: String) -> [String] { ["\(cohort).csv", "\(cohort)_leavers.csv"] }

    /// A cohort's name becomes file names, so it must be one safe, unambiguous path component on
    /// every file system the outputs may be copied to.
    static func checkCohortName(_ name: String, at path: String, _ r: JSONReader) throws(StratifyError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
              name.unicodeScalars.allSatisfy({ $0.properties.generalCategory != .control && $0.properties.generalCategory != .format }) else {
            throw r.fail(path, "use letters, digits, '-' and '_' only (it names files)")
        }
        // Two spellings of one name (é as one code point or as e + accent) look identical but are
        // different files on Linux and the same file on macOS.
        guard Array(name.precomposedStringWithCanonicalMapping.utf8) == Array(name.utf8) else {
            throw r.fail(path, "is not in Unicode normal form C (an accent is stored as a separate character); retype it")
        }
        guard name.utf8.count <= maxCohortNameBytes else {
            throw r.fail(path, "is \(name.utf8.count) bytes long; at most \(maxCohortNameBytes) fit in a file name with '_leavers.csv'")
        }
    }

    static let keys: Set<String> = ["name", "extract", "as_of", "reference", "rules", "imd", "identifiers", "pseudonym_key_env", "pseudonym_key_file",
                                    "suppression", "output_root", "cohorts", "description", "plus_groups", "outputs",
                                    "fail_on_empty_table", "require_medications", "labels", "report"]
}

/// Typed reads from parsed JSON with JSON-path errors.
struct JSONReader {
    typealias Object = [(String, JSON)]
    let file: String

    func fail(_ path: String, _ message: String) -> StratifyError {
        StratifyError(.usage, "\(file), \(path): \(message)", help: "see docs/pipelines.md")
    }

    /// An object, refusing a key written twice: JSON readers disagree on which one wins.
    func object(_ v: JSON, _ path: String) throws(StratifyError) -> Object {
        guard case .object(let o) = v else { throw fail(path, "expected an object { ... }") }
        var seen: Set<String> = []
        for (k, _) in o where !seen.insert(k).inserted { throw fail("\(path).\(k)", "is given twice") }
        return o
    }

    func value(_ o: Object, _ key: String) -> JSON? { o.first(where: { $0.0 == key })?.1 }

    func string(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> String {
        guard let v = value(o, key) else { throw fail("\(path).\(key)", "is required") }
        guard case .string(let s) = v else { throw fail("\(path).\(key)", "expected a string in quotes") }
        return s
    }

    func optionalString(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> String? {
        guard value(o, key) != nil else { return nil }
        return try string(o, key, path)
    }

    func optionalInt(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> Int? {
        guard let v = value(o, key) else { return nil }
        guard case .int(let n) = v else { throw fail("\(path).\(key)", "expected a whole number") }
        return n
    }

    func optionalBool(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> Bool? {
        guard let v = value(o, key) else { return nil }
        guard case .bool(let b) = v else { throw fail("\(path).\(key)", "expected true or false") }
        return b
    }

    func optionalObject(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> Object? {
        guard let v = value(o, key) else { return nil }
        return try object(v, "\(path).\(key)")
    }

    func array(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> [JSON] {
        guard let v = value(o, key) else { throw fail("\(path).\(key)", "is required") }
        guard case .array(let a) = v else { throw fail("\(path).\(key)", "expected a list [ ... ]") }
        return a
    }

    func optionalArray(_ o: Object, _ key: String, _ path: String) throws(StratifyError) -> [JSON]? {
        guard value(o, key) != nil else { return nil }
        return try array(o, key, path)
    }
}
