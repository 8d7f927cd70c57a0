import StratifyCore
import StratifyFlags
import StratifyReference

/// Per-practice (and PCN, neighbourhood, ICB, IMD quintile, ethnic group) prevalence, as rules.md
/// §11 defines it, with Wilson intervals, the ICB ratio, funnel limits and a variation flag.
public struct Prevalence: Sendable {
    public enum Grouping: String, CaseIterable, Sendable {
        case icb, practice, pcn, neighbourhood
        case imdQuintile = "imd_quintile"
        case ethnicGroup = "ethnic_group"
    }

    public struct Row: Sendable, Equatable {
        public var measure: String
        public var grouping: Grouping
        public var group: String
        public var numerator: Int
        public var denominator: Int
        /// The whole extract's ratio for this measure (the comparator).
        public var icbRatio: Double?
    }

    public var rows: [Row] = []

    /// The label of the whole-extract group (the ICB row).
    public static let icbGroup = "ICB"

    /// NHS Data Dictionary ethnic category letters to the 2001 census 5+1 groups.
    public static func ethnicGroup(_ letter: UInt8) -> String {
        switch letter {
        case 0x41...0x43: "White"
        case 0x44...0x47: "Mixed"
        case 0x48...0x4C: "Asian or Asian British"
        case 0x4D...0x50: "Black or Black British"
        case 0x52, 0x53: "Other ethnic groups"
        default: "Not stated"
        }
    }

    /// - Parameters:
    ///   - columns: rule-set values and score fields by name.
    ///   - practiceOf: each patient's practice code.
    public init(measures: [PrevalenceMeasure], columns: [String: Column], inPopulation: [Bool], age: [Int64],
                practiceOf: [String], imdQuintile: [Int64], ethnicCategory: [UInt8],
                practices: [String: PracticeTable.Practice]) throws(StratifyError) {
        let n = inPopulation.count
        // Each grouping's labels are interned once: patients carry a small integer per grouping,
        // so counting is array increments, not a dictionary update per patient, measure and grouping.
        // Interning starts from each patient's practice code, quintile or ethnic letter: the label
        // String is made once per distinct key, not once per patient and grouping.
        let practiceIndex = Prevalence.intern(practiceOf) { $0 }
        func byPractice(_ label: (String) -> String) -> (index: [Int32], names: [String]) {
            let perPractice = Prevalence.intern(practiceIndex.names, label)
            return (practiceIndex.index.map { perPractice.index[Int($0)] }, perPractice.names)
        }
        let interned: [Grouping: (index: [Int32], names: [String])] = [
            .icb: Prevalence.intern([UInt8](repeating: 0, count: n)) { _ in Prevalence.icbGroup },
            .practice: practiceIndex,
            .pcn: byPractice { practices[$0]?.pcnName ?? "unknown" },
            .neighbourhood: byPractice { practices[$0]?.neighbourhood ?? "unknown" },
            .imdQuintile: Prevalence.intern(imdQuintile) { $0 == Column.nullInt ? "unknown" : String($0) },
            .ethnicGroup: Prevalence.intern(ethnicCategory, Prevalence.ethnicGroup),
        ]
        for m in measures {
            let numerator = try Prevalence.holds(m.numerator, columns, n)
            var denominator = (0..<n).map { inPopulation[$0] && age[$0] >= Int64(m.denominatorMinimumAge) }
            if let known = m.denominatorKnown {
                guard let column = columns[known] else {
                    throw StratifyError(.runFailed, "measure '\(m.name)': no value '\(known)' to require as known")
                }
                for i in 0..<n where column.isNull(at: i) { denominator[i] = false }
            }
            var counts: [Grouping: [String: Counts]] = [:]
            for grouping in Grouping.allCases {
                let (index, names) = interned[grouping]!
                var num = [Int](repeating: 0, count: names.count), den = num
                for i in 0..<n where denominator[i] {
                    let k = Int(index[i])
                    den[k] += 1
                    if numerator[i] { num[k] += 1 }
                }
                counts[grouping] = Dictionary(uniqueKeysWithValues: names.indices.map { (names[$0], Counts(numerator: num[$0], denominator: den[$0])) })
            }
            rows += Prevalence.rows(measure: m.name, counts: counts)
        }
    }

    /// One group's numerator and denominator.
    public struct Counts: Sendable, Equatable {
        public var numerator: Int
        public var denominator: Int
        public init(numerator: Int, denominator: Int) { self.numerator = numerator; self.denominator = denominator }
    }

    /// One measure's rows in file order (groupings in declaration order, groups by name, groups
    /// with an empty denominator left out), each with the ICB ratio as comparator. Shared by a run
    /// and by `stratify merge`, so a merged file is ordered and compared exactly as a run's is.
    static func rows(measure: String, counts: [Grouping: [String: Counts]]) -> [Row] {
        let icb = counts[.icb]?[Prevalence.icbGroup]
        let icbRatio = icb.flatMap { $0.denominator > 0 ? Double($0.numerator) / Double($0.denominator) : nil }
        var out: [Row] = []
        for grouping in Grouping.allCases {
            let groups = counts[grouping] ?? [:]
            for name in groups.keys.sorted() where groups[name]!.denominator > 0 {
                let c = groups[name]!
                out.append(Row(measure: measure, grouping: grouping, group: name, numerator: c.numerator,
                               denominator: c.denominator, icbRatio: icbRatio))
            }
        }
        return out
    }

    /// A small integer per element, one per distinct label (keys with the same label share it),
    /// numbered in order of first appearance; `label` runs once per distinct key.
    static func intern<K: Hashable>(_ keys: [K], _ label: (K) -> String) -> (index: [Int32], names: [String]) {
        var byKey: [K: Int32] = [:], byName: [String: Int32] = [:], names: [String] = []
        let index = keys.map { key -> Int32 in
            if let i = byKey[key] { return i }
            let name = label(key)
            let i: Int32
            if let known = byName[name] { i = known } else {
                i = Int32(names.count)
                byName[name] = i
                names.append(name)
            }
            byKey[key] = i
            return i
        }
        return (index, names)
    }

    static func holds(_ spec: String, _ columns: [String: Column], _ n: Int) throws(StratifyError) -> [Bool] {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        guard let column = columns[parts[0]] else {
            throw StratifyError(.runFailed, "prevalence numerator '\(spec)' names no rule-set value or score",
                                help: "fix reference/measures/prevalence.csv")
        }
        switch (column, parts.count) {
        case (.bool(let v), 1): return v.map { $0 == 1 }
        case (.string(let idx, let table), 2):
            let wanted = Set(parts[1].split(separator: "|").map(String.init))
            return idx.map { $0 >= 0 && wanted.contains(table[Int($0)]) }
        default:
            throw StratifyError(.runFailed, "prevalence numerator '\(spec)': use a bool value, or value=a|b for a categorical one")
        }
    }
}
