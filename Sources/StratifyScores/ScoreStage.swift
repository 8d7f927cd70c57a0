import StratifyCore
import StratifyFlags

/// Stage 3: eFI, CMS, priority and segment from the flag stage's columns (rules.md §7–9).
/// Inputs are packed into byte matrices, the kernels run (SIMD by default, the scalar reference
/// on request), and the results come back as columns for `patients.csv`.
public enum ScoreStage {
    public enum Kernel: String, Sendable { case simd, scalar }

    public static let fieldNames = ["efi_deficits", "efi", "efi_category", "cms_score", "cms_conditions",
                                    "priority", "priority_reason", "segment"]

    static let efiCategories = ["fit", "mild", "moderate", "severe"]
    static let priorities = ["P1", "P2", "P3", "P4"]
    static let segments = ["red", "amber", "green"]

    /// Each score field's type, and the values of the category fields, as `run` produces them:
    /// so a pipeline's cohort expressions can be checked before any row is read.
    public static var declaredFields: [(name: String, type: ValueType, values: [String]?)] {
        [("efi_deficits", .int, nil), ("efi", .string, nil), ("efi_category", .string, efiCategories),
         ("cms_score", .string, nil), ("cms_conditions", .int, nil), ("priority", .string, priorities),
         ("priority_reason", .string, BandKernels.priorityRules.map(\.reason) + ["none"]), ("segment", .string, segments)]
    }

    public static func run(_ flags: FlagResult, _ defs: ScoreDefinitions, kernel: Kernel = .simd) throws(StratifyError) -> [(String, Column)] {
        let n = flags.patients.count
        let simd = kernel == .simd
        guard case .int(let ages64) = flags.attributes[.age]! else { preconditionFailure("age is an int column") }
        let ages = ages64.map { UInt8(clamping: $0) }

        // eFI (§7)
        let deficits = try matrix(flags, defs.efiDeficits)
        let deficitCount = simd ? ScoreKernels.countSIMD(deficits) : ScoreKernels.countScalar(deficits)
        let thresholds = BandKernels.EFIThresholds(minimumAge: UInt8(defs.efiMinimumAge), fitMax: UInt8(defs.efiFitMax),
                                                   mildMax: UInt8(defs.efiMildMax), moderateMax: UInt8(defs.efiModerateMax))
        let category = simd ? BandKernels.efiCategorySIMD(counts: deficitCount, ages: ages, thresholds)
                            : BandKernels.efiCategoryScalar(counts: deficitCount, ages: ages, thresholds)
        let ratio = simd ? ScoreKernels.ratioSIMD(deficitCount, over: Float(defs.efiDeficitTotal))
                         : ScoreKernels.ratioScalar(deficitCount, over: Float(defs.efiDeficitTotal))

        // CMS (§8)
        let conditions = try matrix(flags, defs.cmsConditions)
        let cms = simd ? ScoreKernels.weightedSumSIMD(conditions, weights: defs.cmsWeights)
                       : ScoreKernels.weightedSumScalar(conditions, weights: defs.cmsWeights)
        let cmsCount = simd ? ScoreKernels.countSIMD(conditions) : ScoreKernels.countScalar(conditions)

        // Priority and segment (§9)
        var priorityInputs = FlagMatrix(columns: BandKernels.priorityRules.count, n: n)
        for (c, rule) in BandKernels.priorityRules.enumerated() {
            let holds = try condition(rule.reason, flags, category)
            for i in 0..<n where holds[i] { priorityInputs[column: c, patient: i] = 1 }
        }
        let reason = simd ? BandKernels.priorityReasonSIMD(priorityInputs) : BandKernels.priorityReasonScalar(priorityInputs)
        var red = FlagMatrix(columns: 4, n: n)
        let redConditions = [try condition("efi_category=moderate", flags, category), try condition("efi_category=severe", flags, category),
                             try condition("complex_multimorbid", flags, category), try condition("reg_pc", flags, category)]
        let dementia = try condition("reg_dem", flags, category)
        for i in 0..<n {
            red[column: 0, patient: i] = redConditions[0][i] || redConditions[1][i] ? 1 : 0
            red[column: 1, patient: i] = redConditions[2][i] ? 1 : 0
            red[column: 2, patient: i] = redConditions[3][i] ? 1 : 0
            red[column: 3, patient: i] = dementia[i] ? 1 : 0
        }
        let ltc = try intColumn(flags, "ltc_count").map { UInt8(clamping: $0) }
        let segment = simd ? BandKernels.segmentSIMD(redFlags: red, ltcCount: ltc) : BandKernels.segmentScalar(redFlags: red, ltcCount: ltc)

        // Columns for output. eFI fields are empty under the minimum age.
        let applicable = category.map { $0 != BandKernels.notApplicable }
        let rules = BandKernels.priorityRules
        let v2 = try version2(flags, defs, ages: ages64, simd: simd)
        return [
            ("efi_deficits", .int((0..<n).map { applicable[$0] ? Int64(deficitCount[$0]) : Column.nullInt })),
            ("efi", formatted((0..<n).map { applicable[$0] ? ratio[$0] : nil }, decimals: defs.efiDecimals)),
            ("efi_category", .string(category.map { $0 == BandKernels.notApplicable ? -1 : Int32($0) },
                                     table: efiCategories)),
            ("cms_score", formatted(cms.map { Optional($0) }, decimals: 2)),
            ("cms_conditions", .int(cmsCount.map { Int64($0) })),
            ("priority", .string(reason.map { Int32(Int($0) < rules.count ? rules[Int($0)].priority - 1 : 3) },
                                 table: priorities)),
            ("priority_reason", .string(reason.map { Int32($0) }, table: rules.map(\.reason) + ["none"])),
            ("segment", .string(segment.map { Int32($0) }, table: segments)),
        ] + v2
    }

    /// The v2 score columns (§12 eFI2, §13 comorbidity_count), computed only for a rule set that
    /// declares them with `score` statements, so a v1 run's output is unchanged.
    static func version2(_ flags: FlagResult, _ defs: ScoreDefinitions, ages: [Int64], simd: Bool) throws(StratifyError) -> [(String, Column)] {
        let declared = Set(flags.ruleSet.scoreColumns)
        var out: [(String, Column)] = []
        if declared.contains("efi2") || declared.contains("efi2_category") || declared.contains("efi2_points") {
            guard let e = defs.efi2 else {
                throw StratifyError(.runFailed, "rule set '\(flags.ruleSet.name)' declares eFI2 score columns but reference/scores/efi2-predictors.csv is missing")
            }
            let m = try matrix(flags, e.predictors)
            let l = simd ? ScoreKernels.pointsSumSIMD(m, points: e.points) : ScoreKernels.pointsSumScalar(m, points: e.points)
            let applicable = ages.map { $0 >= Int64(e.minimumAge) }
            var table: [String] = [], index: [Int32: Int32] = [:]
            let score: [Int32] = (0..<l.count).map { i in
                guard applicable[i] else { return -1 }
                if let k = index[l[i]] { return k }
                index[l[i]] = Int32(table.count)
                table.append(e.formatted(l[i]))
                return Int32(table.count - 1)
            }
            out.append(("efi2", .string(score, table: table)))
            out.append(("efi2_category", .string((0..<l.count).map { applicable[$0] ? Int32(e.category(l[$0])) : -1 },
                                                 table: ["robust", "mild", "moderate", "severe"])))
            if declared.contains("efi2_points") { out.append(("efi2_points", .int((0..<l.count).map { applicable[$0] ? Int64(l[$0]) : Column.nullInt }))) }
        }
        if declared.contains("comorbidity_count") {
            guard let names = defs.comorbidityConditions else {
                throw StratifyError(.runFailed, "rule set '\(flags.ruleSet.name)' declares comorbidity_count but reference/scores/comorbidity-conditions.csv is missing")
            }
            let m = try matrix(flags, names)
            let c = simd ? ScoreKernels.countSIMD(m) : ScoreKernels.countScalar(m)
            out.append(("comorbidity_count", .int(c.map { Int64($0) })))
        }
        return out
    }

    /// Bool columns named by the score definitions, as a 0/1 matrix (unknown counts as 0).
    static func matrix(_ flags: FlagResult, _ names: [String]) throws(StratifyError) -> FlagMatrix {
        var m = FlagMatrix(columns: names.count, n: flags.patients.count)
        for (c, name) in names.enumerated() {
            let holds = try boolColumn(flags, name)
            for i in 0..<m.n where holds[i] { m[column: c, patient: i] = 1 }
        }
        return m
    }

    static func boolColumn(_ flags: FlagResult, _ name: String) throws(StratifyError) -> [Bool] {
        guard let column = flags.column(named: name) else {
            throw StratifyError(.runFailed, "score definitions name '\(name)', which rule set '\(flags.ruleSet.name)' does not define",
                                help: "add it to the rule set, or fix reference/scores/")
        }
        guard case .bool(let v) = column else {
            throw StratifyError(.runFailed, "'\(name)' in rule set '\(flags.ruleSet.name)' is not a bool; scores need bools")
        }
        return v.map { $0 == 1 }
    }

    static func intColumn(_ flags: FlagResult, _ name: String) throws(StratifyError) -> [Int64] {
        guard case .int(let v) = flags.column(named: name) else {
            throw StratifyError(.runFailed, "rule set '\(flags.ruleSet.name)' has no int value '\(name)'")
        }
        return v.map { $0 == Column.nullInt ? 0 : $0 }
    }

    /// One priority condition: `name` (a bool value), or `name=VALUE` for eFI category and string values.
    static func condition(_ spec: String, _ flags: FlagResult, _ category: [UInt8]) throws(StratifyError) -> [Bool] {
        guard let eq = spec.firstIndex(of: "=") else { return try boolColumn(flags, spec) }
        let name = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
        if name == "efi_category" {
            let code: UInt8 = ["fit": 0, "mild": 1, "moderate": 2, "severe": 3][value] ?? 254
            return category.map { $0 == code }
        }
        guard let column = flags.column(named: name), case .string(let idx, let table) = column else {
            throw StratifyError(.runFailed, "rule set '\(flags.ruleSet.name)' has no string value '\(name)' for priority rule '\(spec)'")
        }
        return idx.map { $0 >= 0 && table[Int($0)] == value }
    }

    /// Fixed decimals (e.g. "0.250", "4.03"), as strings interned in a table.
    static func formatted(_ values: [Float?], decimals: Int) -> Column {
        var table: [String] = [], index: [String: Int32] = [:]
        var scale: Float = 1
        for _ in 0..<decimals { scale *= 10 }
        let idx: [Int32] = values.map { v in
            guard let v else { return -1 }
            let units = Int64((Double(v) * Double(scale)).rounded())
            let whole = String(units / Int64(scale))
            var frac = String(units % Int64(scale))
            frac = String(repeating: "0", count: decimals - frac.count) + frac
            let s = decimals > 0 ? whole + "." + frac : whole
            if let k = index[s] { return k }
            index[s] = Int32(table.count)
            table.append(s)
            return Int32(table.count - 1)
        }
        return .string(idx, table: table)
    }
}
