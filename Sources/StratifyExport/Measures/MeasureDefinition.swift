import StratifyCore
import StratifyFlags
import StratifyReference

/// A way of splitting a measure's patients into groups (rules.md §11, §20; docs/measures.md).
public enum MeasureDimension: String, CaseIterable, Sendable {
    case icb, practice, pcn, neighbourhood
    case imdDecile = "imd_decile"
    case imdQuintile = "imd_quintile"
    case ethnicGroup = "ethnic_group"
    case ethnicCategory = "ethnic_category"
    case ageBand = "age_band"
    case ageBandCVDP = "age_band_cvdp"
    case sex

    /// Whether the dimension splits by age: a standardised rate is not computed within it (§20).
    var isAge: Bool { self == .ageBand || self == .ageBandCVDP }
}

/// One measure (rules.md §20), defined as data in `reference/measures/*.json` or derived from a
/// row of `reference/measures/prevalence.csv`: who counts in the denominator and who of them in
/// the numerator, as expressions in the cohort language over the patient fields.
public struct MeasureDefinition: Sendable, Equatable {
    public var name: String
    public var label: String
    public var numerator: String
    public var denominator: String
    /// Each grouping is one dimension, or several crossed (practice × IMD quintile). The ICB
    /// grouping is always first: it is every row's comparator.
    public var groupings: [[MeasureDimension]]
    public var target: Double?
    /// Ages whose ESP 2013 bands a standardised rate uses; nil: not standardised.
    public var standardisedAges: ClosedRange<Int>?
    /// Width of the `age_band` bands in years; 5 gives the 19 ESP bands.
    public var ageBandYears: Int
    /// Source ids by kind (qof, cvdprevent, core20plus5, nice, rules).
    public var source: [(String, String)]
    /// Monthly intervals ending on the as-of date, each evaluated with the whole rule set as of
    /// its end (`"intervals": {"every": "month", "count": 12}`); nil: the as-of date only.
    public var monthlyIntervals: Int? = nil
    /// Where the measure came from: `<file>, $.measures[k]`, for errors.
    public var location: String
    /// One of `prevalence.csv`'s recorded prevalences, made a measure (`measure(prevalence:)`):
    /// the report shows those in its prevalence section, not among the achievement measures.
    public var recordedPrevalence = false

    public static func == (a: MeasureDefinition, b: MeasureDefinition) -> Bool {
        a.name == b.name && a.label == b.label && a.numerator == b.numerator && a.denominator == b.denominator
            && a.groupings == b.groupings && a.target == b.target && a.standardisedAges == b.standardisedAges
            && a.ageBandYears == b.ageBandYears && a.monthlyIntervals == b.monthlyIntervals && a.source.map(\.0) == b.source.map(\.0) && a.source.map(\.1) == b.source.map(\.1)
    }

    /// Groupings when a definition names none: every single dimension but the ethnic category
    /// and the CVDPREVENT age bands (asked for by name: 17 and 5 extra rows per measure).
    public static let defaultGroupings: [[MeasureDimension]] = [[.practice], [.pcn], [.neighbourhood], [.imdDecile], [.imdQuintile],
                                                               [.ethnicGroup], [.sex], [.ageBand]]

    public static func groupingName(_ g: [MeasureDimension]) -> String { g.map(\.rawValue).joined(separator: "+") }
}

/// The measures a run computes: the prevalence measures (so their counts reach the history and
/// the measures files with every grouping), then each `reference/measures/*.json` file's, files
/// in name order. Adding or changing a file changes the next run without a rebuild. A file whose
/// `rule_sets` does not name the run's rule set is read and checked but not computed.
public struct MeasureSet: Sendable {
    public var measures: [MeasureDefinition]
    /// Each JSON file computed, with its SHA-256, for the run manifest.
    public var files: [(path: String, sha256: String)]
    /// Each JSON file read but left out because its `rule_sets` names other rule sets.
    public var skipped: [(path: String, sha256: String, ruleSets: [String])] = []

    public static let maxFileBytes = 1 << 20
    /// A measure file needs 4 levels (root, list, measure, source).
    public static let maxDepth = 8
    public static let maxMeasures = 1_000
    /// Five years of months, as ICB dashboards show.
    public static let maxIntervals = 60
    static let measureKeys: Set<String> = ["name", "label", "numerator", "denominator", "groupings", "target", "age_standardise",
                                           "age_band_years", "source", "simplification", "pending", "intervals"]
    static let sourceKeys: Set<String> = ["qof", "cvdprevent", "core20plus5", "nice", "rules"]

    public init(measures: [MeasureDefinition], files: [(path: String, sha256: String)] = []) {
        self.measures = measures
        self.files = files
    }

    /// Reads the prevalence measures and every `*.json` file under `<reference>/measures/` that
    /// applies to the rule set named `ruleSet`: a file without `rule_sets` applies to every rule
    /// set; one with it, only to those it names. Each name must be a rule set of
    /// `<reference>/rules/*.rules` or `ruleSet` itself, so a misspelt name is refused rather than
    /// silently skipping the file.
    public static func load(reference: ReferenceData, ruleSet: String) throws(StratifyError) -> MeasureSet {
        var measures = try PrevalenceMeasure.load(reference: reference).map(MeasureSet.measure(prevalence:))
        var files: [(String, String)] = []
        var skipped: [(String, String, [String])] = []
        let folder = reference.root + "/measures"
        var known: Set<String>?
        for name in FileSystem.list(folder).filter({ $0.hasSuffix(".json") }).sorted() {
            let path = folder + "/" + name
            guard let size = FileSystem.fileSize(path), size <= Int64(maxFileBytes) else {
                throw StratifyError(.usage, "\(path): a measure file may be at most \(maxFileBytes) bytes", help: "see docs/measures.md")
            }
            let bytes = try FileSystem.readAll(path)
            let file = try parseFile(bytes, path: path)
            let sha = SHA256.hex(SHA256.hash(bytes))
            if let names = file.ruleSets {
                if known == nil { known = ruleSetNames(reference: reference).union([ruleSet]) }
                for (i, n) in names.enumerated() where !known!.contains(n) {
                    throw StratifyError(.usage, "\(path), $.rule_sets[\(i)]: unknown rule set '\(n)'; known rule sets are "
                                        + known!.sorted().joined(separator: ", "),
                                        help: "name rule sets as their 'ruleset' line does (reference/rules/*.rules), or drop rule_sets to apply the file to every rule set")
                }
                if !names.contains(ruleSet) {
                    skipped.append((path, sha, names))
                    continue
                }
            }
            measures += file.measures
            files.append((path, sha))
        }
        var seen: [String: String] = [:]
        for m in measures {
            if let first = seen[m.name] {
                throw StratifyError(.usage, "\(m.location).name: measure '\(m.name)' is already defined at \(first)",
                                    help: "give each measure its own name (docs/measures.md)")
            }
            seen[m.name] = m.location
        }
        var set = MeasureSet(measures: measures, files: files)
        set.skipped = skipped
        return set
    }

    /// The names of the rule sets under `<reference>/rules/`: each file's `ruleset "name"` line.
    static func ruleSetNames(reference: ReferenceData) -> Set<String> {
        let folder = reference.root + "/rules"
        var names: Set<String> = []
        for file in FileSystem.list(folder).filter({ $0.hasSuffix(".rules") }) {
            guard let bytes = try? FileSystem.readAll(folder + "/" + file) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
                let t = line.drop(while: { $0 == " " || $0 == "\t" })
                guard t.hasPrefix("ruleset") else { continue }
                let parts = t.split(separator: "\"", omittingEmptySubsequences: false)
                if parts.count >= 3, !parts[1].isEmpty { names.insert(String(parts[1])) }
                break
            }
        }
        return names
    }

    /// A prevalence row as a measure: the register (or category) among population members of at
    /// least the denominator age, age-standardised over those ages (§20: prevalence measures).
    static func measure(prevalence p: PrevalenceMeasure) -> MeasureDefinition {
        let parts = p.numerator.split(separator: "=", maxSplits: 1).map(String.init)
        let numerator = parts.count == 2
            ? "\(parts[0]) in [" + parts[1].split(separator: "|").map { "'\($0)'" }.joined(separator: ", ") + "]"
            : parts[0]
        var denominator = "age >= \(p.denominatorMinimumAge)"
        if let known = p.denominatorKnown { denominator += " and not is_null(\(known))" }
        var d = MeasureDefinition(name: p.name, label: "Recorded prevalence: \(p.name)", numerator: numerator, denominator: denominator,
                                  groupings: [[.icb]] + MeasureDefinition.defaultGroupings, target: nil,
                                  standardisedAges: p.denominatorMinimumAge...120, ageBandYears: 5,
                                  source: [("rules", "rules.md s11; prevalence.csv")], location: "measures/prevalence.csv, measure \(p.name)")
        d.recordedPrevalence = true
        return d
    }

    /// Parses one measure file; errors name the file and the JSON path.
    public static func parse(_ bytes: [UInt8], path: String) throws(StratifyError) -> [MeasureDefinition] {
        try parseFile(bytes, path: path).measures
    }

    /// Parses one measure file: its `rule_sets` (nil: every rule set) and its measures.
    public static func parseFile(_ bytes: [UInt8], path: String) throws(StratifyError) -> (ruleSets: [String]?, measures: [MeasureDefinition]) {
        func fail(_ at: String, _ message: String) -> StratifyError {
            StratifyError(.usage, "\(path), \(at): \(message)", help: "see docs/measures.md")
        }
        guard bytes.count <= maxFileBytes else { throw fail("$", "a measure file may be at most \(maxFileBytes) bytes") }
        let parsed: JSON
        do throws(JSON.ParseError) {
            parsed = try JSON.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw StratifyError(.usage, "\(path), \(error.location): not valid JSON: \(error.message)", help: "see docs/measures.md")
        }
        func object(_ v: JSON, _ at: String, keys: Set<String>) throws(StratifyError) -> [(String, JSON)] {
            guard case .object(let o) = v else { throw fail(at, "expected an object { ... }") }
            var seen: Set<String> = []
            for (k, _) in o {
                guard seen.insert(k).inserted else { throw fail("\(at).\(k)", "is given twice") }
                guard keys.contains(k) else { throw fail("\(at).\(k)", "unknown field; known fields are \(keys.sorted().joined(separator: ", "))") }
            }
            return o
        }
        func string(_ o: [(String, JSON)], _ key: String, _ at: String, required: Bool = true) throws(StratifyError) -> String? {
            guard let v = o.first(where: { $0.0 == key })?.1 else {
                if required { throw fail("\(at).\(key)", "is required") }
                return nil
            }
            guard case .string(let s) = v, !s.trimmed().isEmpty else { throw fail("\(at).\(key)", "expected a non-empty string in quotes") }
            return s
        }
        func int(_ v: JSON, _ at: String, _ range: ClosedRange<Int>) throws(StratifyError) -> Int {
            guard case .int(let n) = v, range.contains(n) else { throw fail(at, "expected a whole number from \(range.lowerBound) to \(range.upperBound)") }
            return n
        }
        let root = try object(parsed, "$", keys: ["description", "version", "rule_sets", "measures"])
        var ruleSets: [String]?
        if let r = root.first(where: { $0.0 == "rule_sets" })?.1 {
            guard case .array(let entries) = r, !entries.isEmpty else {
                throw fail("$.rule_sets", "expected a non-empty list of rule-set names, e.g. [\"stratify-v2\"]")
            }
            var names: [String] = []
            for (i, e) in entries.enumerated() {
                guard case .string(let n) = e, !n.trimmed().isEmpty else { throw fail("$.rule_sets[\(i)]", "expected a rule-set name in quotes") }
                guard !names.contains(n) else { throw fail("$.rule_sets[\(i)]", "'\(n)' is listed twice") }
                names.append(n)
            }
            ruleSets = names
        }
        guard let list = root.first(where: { $0.0 == "measures" })?.1 else { throw fail("$.measures", "is required") }
        guard case .array(let items) = list else { throw fail("$.measures", "expected a list [ ... ]") }
        guard items.count <= maxMeasures else { throw fail("$.measures", "at most \(maxMeasures) measures per file") }
        var out: [MeasureDefinition] = []
        for (k, item) in items.enumerated() {
            let at = "$.measures[\(k)]"
            let o = try object(item, at, keys: measureKeys)
            let name = try string(o, "name", at)!
            guard name.utf8.count <= 64, let first = name.unicodeScalars.first, ("a"..."z").contains(first),
                  name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw fail("\(at).name", "use lower-case letters, digits and '_', starting with a letter, at most 64")
            }
            var groupings: [[MeasureDimension]] = [[.icb]]
            if let g = o.first(where: { $0.0 == "groupings" })?.1 {
                guard case .array(let entries) = g else { throw fail("\(at).groupings", "expected a list of dimension names") }
                for (j, e) in entries.enumerated() {
                    let gat = "\(at).groupings[\(j)]"
                    var names: [JSON] = []
                    switch e {
                    case .string: names = [e]
                    case .array(let a) where a.count >= 2 && a.count <= 3: names = a
                    default: throw fail(gat, "expected a dimension name, or a list of 2 or 3 to cross")
                    }
                    var dims: [MeasureDimension] = []
                    for (i, n) in names.enumerated() {
                        guard case .string(let s) = n, let d = MeasureDimension(rawValue: s) else {
                            throw fail(names.count == 1 ? gat : "\(gat)[\(i)]",
                                       "expected one of \(MeasureDimension.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        guard !dims.contains(d) else { throw fail("\(gat)[\(i)]", "'\(s)' is crossed with itself") }
                        dims.append(d)
                    }
                    if dims == [.icb] { continue }  // always present
                    if dims.count > 1 && dims.contains(.icb) { throw fail(gat, "crossing with icb adds nothing; name the other dimension alone") }
                    guard !groupings.contains(dims) else { throw fail(gat, "is listed twice") }
                    groupings.append(dims)
                }
            } else {
                groupings += MeasureDefinition.defaultGroupings
            }
            var target: Double?
            if let t = o.first(where: { $0.0 == "target" })?.1 {
                switch t {
                case .double(let d) where d >= 0 && d <= 1: target = d
                case .int(let i) where i == 0 || i == 1: target = Double(i)
                default: throw fail("\(at).target", "expected a proportion from 0 to 1, e.g. 0.60")
                }
            }
            var ages: ClosedRange<Int>?
            if let s = o.first(where: { $0.0 == "age_standardise" })?.1 {
                let sat = "\(at).age_standardise"
                let so = try object(s, sat, keys: ["min_age", "max_age"])
                let low = try so.first(where: { $0.0 == "min_age" }).map { (_, v) throws(StratifyError) in try int(v, "\(sat).min_age", 0...120) } ?? 0
                let high = try so.first(where: { $0.0 == "max_age" }).map { (_, v) throws(StratifyError) in try int(v, "\(sat).max_age", 0...120) } ?? 120
                guard low <= high else { throw fail("\(sat).max_age", "is below min_age") }
                ages = low...high
            }
            let width = try o.first(where: { $0.0 == "age_band_years" }).map { (_, v) throws(StratifyError) in
                try int(v, "\(at).age_band_years", 1...45)
            } ?? 5
            guard let sv = o.first(where: { $0.0 == "source" })?.1 else { throw fail("\(at).source", "is required (a QOF, CVDPREVENT, NICE, Core20PLUS5 or rules.md id)") }
            let so = try object(sv, "\(at).source", keys: sourceKeys)
            guard !so.isEmpty else { throw fail("\(at).source", "name at least one of \(sourceKeys.sorted().joined(separator: ", "))") }
            var source: [(String, String)] = []
            for (key, _) in so { source.append((key, try string(so, key, "\(at).source")!)) }
            _ = try string(o, "simplification", at, required: false)
            _ = try string(o, "pending", at, required: false)
            var months: Int?
            if let iv = o.first(where: { $0.0 == "intervals" })?.1 {
                let iat = "\(at).intervals"
                let io = try object(iv, iat, keys: ["every", "count"])
                guard try string(io, "every", iat) == "month" else { throw fail("\(iat).every", "expected \"month\"") }
                guard let c = io.first(where: { $0.0 == "count" })?.1 else { throw fail("\(iat).count", "is required (1 to \(maxIntervals))") }
                months = try int(c, "\(iat).count", 1...maxIntervals)
            }
            var m = MeasureDefinition(name: name, label: try string(o, "label", at)!, numerator: try string(o, "numerator", at)!,
                                      denominator: try string(o, "denominator", at)!, groupings: groupings, target: target,
                                      standardisedAges: ages, ageBandYears: width, source: source, location: "\(path), \(at)")
            m.monthlyIntervals = months
            out.append(m)
        }
        return (ruleSets, out)
    }

    /// Compiles every numerator and denominator against a rule set and the score fields, so a
    /// bad expression is refused with its file, JSON path, line and column before any row is
    /// read (`run`, `doctor`, `rules check`).
    public func compile(ruleSet: RuleSet, externals: [(name: String, type: ValueType)],
                        categories: [String: [String]] = [:]) throws(StratifyError) -> [CompiledMeasure] {
        var out: [CompiledMeasure] = []
        for m in measures {
            func expression(_ text: String, _ key: String) throws(StratifyError) -> TypedExpr {
                let e = try RuleSetCompiler.compileExpression(text, file: "\(m.location).\(key)", ruleSet: ruleSet,
                                                              externals: externals, categories: categories)
                guard e.type == .bool else {
                    throw StratifyError(.usage, "\(m.location).\(key): a \(key) must be true/false, found \(e.type.rawValue)",
                                        help: "see docs/measures.md")
                }
                return e
            }
            out.append(CompiledMeasure(definition: m, numerator: try expression(m.numerator, "numerator"),
                                       denominator: try expression(m.denominator, "denominator")))
        }
        return out
    }
}

/// A measure with its expressions compiled against one rule set and score-field list.
public struct CompiledMeasure: Sendable {
    public let definition: MeasureDefinition
    let numerator: TypedExpr
    let denominator: TypedExpr
}
