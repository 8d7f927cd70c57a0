import StratifyCore
import StratifyFlags
import StratifyReference

/// Every measure's counts, by every grouping it asks for, for one as-of date.
public struct MeasureResult: Sendable {
    public struct Row: Sendable {
        /// Index into `definitions`.
        public var measure: Int
        /// Index into that definition's `groupings`.
        public var grouping: Int
        /// One label per dimension of the grouping.
        public var groups: [String]
        public var numerator: Int
        public var denominator: Int
        /// Numerators and denominators of the ESP 2013 bands the measure standardises over, when it
        /// asks for a standardised rate and the grouping is not by age.
        public var bandNumerators: [Int]?
        public var bandDenominators: [Int]?

        public init(measure: Int, grouping: Int, groups: [String], numerator: Int, denominator: Int,
                    bandNumerators: [Int]? = nil, bandDenominators: [Int]? = nil) {
            self.measure = measure
            self.grouping = grouping
            self.groups = groups
            self.numerator = numerator
            self.denominator = denominator
            self.bandNumerators = bandNumerators
            self.bandDenominators = bandDenominators
        }
    }

    public var intervalStart: Day
    public var intervalEnd: Day
    public var definitions: [MeasureDefinition]
    public var rows: [Row]
    /// Per measure, (numerator, denominator) of IMD deciles 1…10 and quintiles 1…5, whatever the
    /// groupings asked for: the SII and the quintile gap are computed from them.
    public var deciles: [[(numerator: Int, denominator: Int)]]
    public var quintiles: [[(numerator: Int, denominator: Int)]]
    /// Practice code → name, PCN and neighbourhood, as the rows label them.
    public var practices: [String: (name: String, pcn: String, neighbourhood: String)]

    public init(intervalStart: Day, intervalEnd: Day, definitions: [MeasureDefinition], rows: [Row],
                deciles: [[(numerator: Int, denominator: Int)]], quintiles: [[(numerator: Int, denominator: Int)]],
                practices: [String: (name: String, pcn: String, neighbourhood: String)]) {
        self.intervalStart = intervalStart
        self.intervalEnd = intervalEnd
        self.definitions = definitions
        self.rows = rows
        self.deciles = deciles
        self.quintiles = quintiles
        self.practices = practices
    }
}

/// Evaluates measures over the patient columns of one as-of date (a `FlagResult` and its score
/// fields). Nothing here reads the date except through those columns, so an interval run can call
/// it once per interval end with that interval's columns.
public enum MeasureEngine {
    public static let unknown = "Unknown"

    /// Each patient's group in one dimension: a small integer per patient, the label of each
    /// integer, and the order labels are written in.
    struct Interned {
        var index: [Int32]
        var names: [String]
        var rank: [Int]

        init(_ interned: (index: [Int32], names: [String]), sortKey: (String) -> (Int, String)) {
            let names = interned.names
            index = interned.index
            self.names = names
            let order = names.indices.sorted { sortKey(names[$0]) < sortKey(names[$1]) }
            var rank = [Int](repeating: 0, count: names.count)
            for (r, k) in order.enumerated() { rank[k] = r }
            self.rank = rank
        }
    }

    public static func evaluate(_ measures: [CompiledMeasure], flags: FlagResult, scores: [(String, Column)],
                                practices: [String: PracticeTable.Practice], icbName: String) -> MeasureResult {
        let n = flags.patients.count
        guard case .int(let age)? = flags.attributes[.age], case .int(let decile)? = flags.attributes[.imdDecile],
              case .int(let quintile)? = flags.attributes[.imdQuintile],
              case .string(let practiceIdx, let practiceTable)? = flags.attributes[.practiceCode],
              case .string(let sexIdx, let sexTable)? = flags.attributes[.sex] else {
            preconditionFailure("patient attributes have fixed types")
        }
        var info: [String: (name: String, pcn: String, neighbourhood: String)] = [:]
        for code in practiceTable {
            let p = practices[code]
            let pcn = p?.pcnName ?? unknown
            // §20: where the practice table has no neighbourhood, the neighbourhood is the PCN.
            let hood = p.map { $0.neighbourhood.isEmpty ? pcn : $0.neighbourhood } ?? unknown
            info[code.isEmpty ? unknown : code] = (p?.name ?? "", pcn, hood)
        }
        let byName = labelOrder(.practice), byNumber = labelOrder(.imdDecile)
        let practice = Interned(Prevalence.intern(practiceIdx) { $0 < 0 || practiceTable[Int($0)].isEmpty ? unknown : practiceTable[Int($0)] }, sortKey: byName)
        func perPractice(_ label: (String) -> String) -> Interned {
            let p = Prevalence.intern(practice.names, label)
            return Interned((practice.index.map { p.index[Int($0)] }, p.names), sortKey: byName)
        }
        let dims: [MeasureDimension: Interned] = [
            .icb: Interned(Prevalence.intern([UInt8](repeating: 0, count: n)) { _ in icbName }, sortKey: byName),
            .practice: practice,
            .pcn: perPractice { info[$0]?.pcn ?? unknown },
            .neighbourhood: perPractice { info[$0]?.neighbourhood ?? unknown },
            .imdDecile: Interned(Prevalence.intern(decile) { $0 == Column.nullInt ? unknown : String($0) }, sortKey: byNumber),
            .imdQuintile: Interned(Prevalence.intern(quintile) { $0 == Column.nullInt ? unknown : String($0) }, sortKey: byNumber),
            .ethnicGroup: ethnicity(flags, field: "ethnic_group_5", sortKey: labelOrder(.ethnicGroup), absent: unknown, fromLetter: ethnicGroup5),
            .ethnicCategory: ethnicity(flags, field: "ethnicity", sortKey: byName, absent: "Z") { $0 == 0 ? "Z" : String(UnicodeScalar($0)) },
            .ageBandCVDP: Interned(Prevalence.intern(age, ageBandCVDP), sortKey: byNumber),
            .sex: Interned(Prevalence.intern(sexIdx) { $0 < 0 ? unknown : sexTable[Int($0)] }, sortKey: byName),
        ]
        var ageBands: [Int: Interned] = [:]
        func interned(_ d: MeasureDimension, width: Int) -> Interned {
            guard d == .ageBand else { return dims[d]! }
            if let b = ageBands[width] { return b }
            let b = Interned(Prevalence.intern(age) { ageBand($0, width: width) }, sortKey: byNumber)
            ageBands[width] = b
            return b
        }
        let decileDim = dims[.imdDecile]!, quintileDim = dims[.imdQuintile]!

        let externals = scores.map(\.1)
        var rows: [MeasureResult.Row] = []
        var deciles: [[(numerator: Int, denominator: Int)]] = [], quintiles: [[(numerator: Int, denominator: Int)]] = []
        for (mi, m) in measures.enumerated() {
            let d = m.definition
            let inNumerator = truth(flags.evaluate(m.numerator, externals: externals), n)
            let inDenominator = truth(flags.evaluate(m.denominator, externals: externals), n)
            // Per member, once per measure: whether they are in the numerator and their band
            // among the standardised ones (-1 outside), so each grouping's pass is array reads.
            var members: [Int32] = [], hits: [Bool] = []
            for i in 0..<n where flags.inPopulation[i] && inDenominator[i] {
                members.append(Int32(i))
                hits.append(inNumerator[i])
            }
            let bands = d.standardisedAges.map { MeasureStatistics.espBand(age: Int64($0.lowerBound))...MeasureStatistics.espBand(age: Int64($0.upperBound)) }
            let bandCount = bands?.count ?? 0
            let memberBand: [Int] = bands.map { b in
                members.map { let k = MeasureStatistics.espBand(age: age[Int($0)]) - b.lowerBound; return k < bandCount ? k : -1 }
            } ?? []
            for (gi, grouping) in d.groupings.enumerated() {
                let parts = grouping.map { interned($0, width: d.ageBandYears) }
                var size = 1
                for p in parts { size *= max(1, p.names.count) }
                // Each member's cell, one dimension at a time (column-wise, integers only).
                var cell = [Int](repeating: 0, count: members.count)
                for p in parts {
                    let index = p.index, width = p.names.count
                    for t in members.indices { cell[t] = cell[t] * width + Int(index[Int(members[t])]) }
                }
                var num = [Int](repeating: 0, count: size), den = num
                for t in members.indices {
                    den[cell[t]] += 1
                    if hits[t] { num[cell[t]] += 1 }
                }
                let standardise = bands != nil && !grouping.contains(where: \.isAge)
                var bandNum = [Int](repeating: 0, count: standardise ? size * bandCount : 0), bandDen = bandNum
                if standardise {
                    for t in members.indices where memberBand[t] >= 0 {
                        let slot = cell[t] * bandCount + memberBand[t]
                        bandDen[slot] += 1
                        if hits[t] { bandNum[slot] += 1 }
                    }
                }
                // Cells in label order: each dimension's rank, first dimension first.
                var cells: [(key: [Int], k: Int, labels: [String])] = []
                for k in 0..<size where den[k] > 0 {
                    var rest = k, ranks: [Int] = [], labels: [String] = []
                    for p in parts.reversed() {
                        let j = rest % p.names.count
                        rest /= p.names.count
                        ranks.insert(p.rank[j], at: 0)
                        labels.insert(p.names[j], at: 0)
                    }
                    cells.append((ranks, k, labels))
                }
                cells.sort { $0.key.lexicographicallyPrecedes($1.key) }
                for c in cells {
                    rows.append(MeasureResult.Row(
                        measure: mi, grouping: gi, groups: c.labels, numerator: num[c.k], denominator: den[c.k],
                        bandNumerators: standardise ? Array(bandNum[(c.k * bandCount)..<((c.k + 1) * bandCount)]) : nil,
                        bandDenominators: standardise ? Array(bandDen[(c.k * bandCount)..<((c.k + 1) * bandCount)]) : nil))
                }
            }
            func quantiles(_ dim: Interned, _ count: Int) -> [(numerator: Int, denominator: Int)] {
                var num = [Int](repeating: 0, count: dim.names.count), den = num
                for m32 in members {
                    let k = Int(dim.index[Int(m32)])
                    den[k] += 1
                    if inNumerator[Int(m32)] { num[k] += 1 }
                }
                return (1...count).map { q in dim.names.firstIndex(of: String(q)).map { (num[$0], den[$0]) } ?? (0, 0) }
            }
            deciles.append(quantiles(decileDim, 10))
            quintiles.append(quantiles(quintileDim, 5))
        }
        return MeasureResult(intervalStart: flags.asOf, intervalEnd: flags.asOf, definitions: measures.map(\.definition), rows: rows,
                             deciles: deciles, quintiles: quintiles, practices: info)
    }

    /// The order a dimension's labels are written in: numbers by value (IMD, age bands), the 5
    /// ethnic groups in the ONS order, names alphabetically; `Unknown` last. A merge of shards
    /// sorts its rows with it too.
    static func labelOrder(_ d: MeasureDimension) -> (String) -> (Int, String) {
        switch d {
        case .imdDecile, .imdQuintile, .ageBand, .ageBandCVDP:
            return { s in (Int(s.prefix { $0.isNumber }) ?? 1_000, s) }
        case .ethnicGroup:
            let order = ["White", "Mixed", "Asian", "Black", "Other", unknown]
            return { s in (order.firstIndex(of: s) ?? order.count, s) }
        case .icb, .practice, .pcn, .neighbourhood, .ethnicCategory, .sex:
            return { s in (s == unknown ? 1 : 0, s) }
        }
    }

    /// True only where the value is true: unknown is outside a denominator and a numerator (§20).
    static func truth(_ c: Column, _ n: Int) -> [Bool] {
        guard case .bool(let v) = c else { return [Bool](repeating: false, count: n) }
        return v.map { $0 == 1 }
    }

    /// An ethnicity dimension: the rule set's field where it has one (v2's `ethnic_group_5` and
    /// `ethnicity`, rules.md §14: the extract's letter, else the latest SNOMED-coded one, as §20
    /// groups), else the extract's letter (a v1 rule set has no such field).
    static func ethnicity(_ flags: FlagResult, field: String, sortKey: (String) -> (Int, String), absent: String,
                          fromLetter: (UInt8) -> String) -> Interned {
        if case .string(let index, let labels)? = flags.column(named: field) {
            return Interned(Prevalence.intern(index) { $0 < 0 ? absent : labels[Int($0)] }, sortKey: sortKey)
        }
        return Interned(Prevalence.intern(flags.patients.ethnicCategory, fromLetter), sortKey: sortKey)
    }

    /// rules.md §14's `ethnic_group_5` from the extract's letter (the v1 input): R
    /// (Chinese) is Asian, as ONS 2021 and the WNL and BHF files have it.
    static func ethnicGroup5(_ letter: UInt8) -> String {
        switch letter {
        case UInt8(ascii: "A")...UInt8(ascii: "C"): "White"
        case UInt8(ascii: "D")...UInt8(ascii: "G"): "Mixed"
        case UInt8(ascii: "H")...UInt8(ascii: "L"), UInt8(ascii: "R"): "Asian"
        case UInt8(ascii: "M")...UInt8(ascii: "P"): "Black"
        case UInt8(ascii: "S"): "Other"
        default: unknown
        }
    }

    /// `width`-year bands from 0, the last open at 90+ (5 gives the 19 ESP 2013 bands).
    static func ageBand(_ age: Int64, width: Int) -> String {
        if age == Column.nullInt { return unknown }
        if age >= 90 { return "90+" }
        let low = Int(age) / width * width
        return "\(low)-\(min(low + width - 1, 89))"
    }

    /// §20's CVDPREVENT bands, with 0-17 so that every member falls in one.
    static func ageBandCVDP(_ age: Int64) -> String {
        switch age {
        case Column.nullInt: unknown
        case ..<18: "0-17"
        case ..<40: "18-39"
        case ..<60: "40-59"
        case ..<80: "60-79"
        default: "80+"
        }
    }
}
