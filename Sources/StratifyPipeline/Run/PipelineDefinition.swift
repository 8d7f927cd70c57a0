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
    }
    public enum Identifiers: String, Sendable { case nhsNumber = "nhs_number", pseudonym }

    public var path: String
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
    public var outputRoot: String
    public var cohorts: [Cohort]
    /// Which outputs a run writes (the manifest and quarantine files always).
    public var outputs: Set<String>
    public static let outputNames = ["patients", "cohorts", "prevalence", "report"]

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
        try self.init(json: try FileSystem.readAll(path), path: path)
    }

    /// Parses a definition's JSON text; `path` names it in errors. (The fuzz harness calls this
    /// with arbitrary bytes, so no input may trap.)
    public init(json bytes: [UInt8], path: String) throws(StratifyError) {
        self.path = path
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw StratifyError(.usage, "\(path): not valid JSON (\(error.localizedDescription))", help: "check brackets, commas and quotes")
        }
        let r = JSONReader(file: path)
        let root = try r.object(any, "$")
        name = try r.string(root, "name", "$")
        extract = try r.string(root, "extract", "$")
        let asOfText = try r.optionalString(root, "as_of", "$") ?? "today"
        if asOfText == "today" { asOf = nil } else {
            guard let d = Day(iso: asOfText) else { throw r.fail("$.as_of", "expected \"today\" or a date as YYYY-MM-DD") }
            asOf = d
        }
        reference = try r.optionalString(root, "reference", "$") ?? "reference"
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
        let suppression = try r.optionalObject(root, "suppression", "$") ?? [:]
        suppressionThreshold = try r.optionalInt(suppression, "threshold", "$.suppression") ?? 7
        suppressionMultiple = try r.optionalInt(suppression, "multiple", "$.suppression") ?? 5
        guard suppressionMultiple >= 1 else { throw r.fail("$.suppression.multiple", "must be at least 1") }
        outputRoot = try r.string(root, "output_root", "$")
        var cohorts: [Cohort] = []
        for (k, item) in try r.array(root, "cohorts", "$").enumerated() {
            let at = "$.cohorts[\(k)]"
            let c = try r.object(item, at)
            let cname = try r.string(c, "name", at)
            guard !cname.isEmpty, cname.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw r.fail(at + ".name", "use letters, digits, '-' and '_' only (it names files)")
            }
            if cohorts.contains(where: { $0.name == cname }) { throw r.fail(at + ".name", "cohort '\(cname)' is defined twice") }
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
            let keys = try (r.optionalArray(c, "key_values", at) ?? []).enumerated().map { (j, v) throws(StratifyError) in
                guard let s = v as? String else { throw r.fail("\(at).key_values[\(j)]", "expected a field name in quotes") }
                return s
            }
            cohorts.append(Cohort(name: cname, condition: try r.string(c, "where", at), reasons: reasons, orderBy: order, keyValues: keys))
        }
        self.cohorts = cohorts
        outputs = Set(PipelineDefinition.outputNames)
        if let list = try r.optionalArray(root, "outputs", "$") {
            outputs = Set(try list.enumerated().map { (j, o) throws(StratifyError) in
                guard let name = o as? String, PipelineDefinition.outputNames.contains(name) else {
                    throw r.fail("$.outputs[\(j)]", "expected one of \(PipelineDefinition.outputNames.joined(separator: ", "))")
                }
                return name
            })
        }
        if let groups = try r.optionalArray(root, "plus_groups", "$") {
            plusGroups = try groups.enumerated().map { (j, g) throws(StratifyError) in
                guard let name = g as? String, PipelineDefinition.plusGroupNames.contains(name) else {
                    throw r.fail("$.plus_groups[\(j)]", "expected one of \(PipelineDefinition.plusGroupNames.joined(separator: ", "))")
                }
                return name
            }
        }
        failOnEmptyTable = try r.optionalBool(root, "fail_on_empty_table", "$") ?? false
        requireMedications = try r.optionalBool(root, "require_medications", "$") ?? false
        if let unknown = root.keys.sorted().first(where: { !PipelineDefinition.keys.contains($0) }) {
            throw r.fail("$.\(unknown)", "unknown setting; known settings are \(PipelineDefinition.keys.sorted().joined(separator: ", "))")
        }
    }

    static let keys: Set<String> = ["name", "extract", "as_of", "reference", "rules", "imd", "identifiers", "pseudonym_key_env", "pseudonym_key_file",
                                    "suppression", "output_root", "cohorts", "description", "plus_groups", "outputs",
                                    "fail_on_empty_table", "require_medications", "report"]
}

/// Typed reads from parsed JSON with JSON-path errors.
struct JSONReader {
    let file: String

    func fail(_ path: String, _ message: String) -> StratifyError {
        StratifyError(.usage, "\(file), \(path): \(message)", help: "see docs/pipelines.md")
    }

    func object(_ v: Any, _ path: String) throws(StratifyError) -> [String: Any] {
        guard let o = v as? [String: Any] else { throw fail(path, "expected an object { ... }") }
        return o
    }

    func string(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> String {
        guard let v = o[key] else { throw fail("\(path).\(key)", "is required") }
        guard let s = v as? String else { throw fail("\(path).\(key)", "expected a string in quotes") }
        return s
    }

    func optionalString(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> String? {
        guard let v = o[key] else { return nil }
        guard let s = v as? String else { throw fail("\(path).\(key)", "expected a string in quotes") }
        return s
    }

    func optionalInt(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> Int? {
        guard let v = o[key] else { return nil }
        guard let n = v as? Int else { throw fail("\(path).\(key)", "expected a whole number") }
        return n
    }

    func optionalBool(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> Bool? {
        guard let v = o[key] else { return nil }
        guard let b = v as? Bool else { throw fail("\(path).\(key)", "expected true or false") }
        return b
    }

    func optionalObject(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> [String: Any]? {
        guard let v = o[key] else { return nil }
        return try object(v, "\(path).\(key)")
    }

    func array(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> [Any] {
        guard let v = o[key] else { throw fail("\(path).\(key)", "is required") }
        guard let a = v as? [Any] else { throw fail("\(path).\(key)", "expected a list [ ... ]") }
        return a
    }

    func optionalArray(_ o: [String: Any], _ key: String, _ path: String) throws(StratifyError) -> [Any]? {
        guard o[key] != nil else { return nil }
        return try array(o, key, path)
    }
}
