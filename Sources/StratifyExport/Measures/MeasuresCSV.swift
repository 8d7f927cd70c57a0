import StratifyCore

/// Writes `measures/measures_internal.csv` (exact counts, 0600) and `measures_shareable.csv`
/// (disclosure control, optionally with secondary suppression). ehrQL's measures layout first,
/// then the group columns, then the statistics; every statistic of a row is computed from the
/// counts that row shows, so a shareable figure never leaks an unrounded count.
public enum MeasuresCSV {
    public static let groupColumns: [MeasureDimension] = [.practice, .pcn, .neighbourhood, .icb, .imdDecile, .imdQuintile,
                                                          .ethnicGroup, .ethnicCategory, .ageBand, .ageBandCVDP, .sex]
    public static let header = ["measure", "interval_start", "interval_end", "ratio", "numerator", "denominator",
                                "practice", "practice_name", "pcn", "neighbourhood", "icb", "imd_decile", "imd_quintile",
                                "ethnic_group", "ethnic_category", "age_band", "age_band_cvdp", "sex", "grouping",
                                "ci_low", "ci_high", "icb_ratio", "target",
                                "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high", "variation_95", "variation",
                                "dsr_per_100000", "dsr_low", "dsr_high", "quintile_gap", "sii", "sii_low", "sii_high", "suppressed"]

    /// Which rows of `result` disclosure control blanks: a count from 1 to the threshold, then,
    /// with `secondary`, every row whose suppressed neighbours could otherwise be recovered from
    /// a published total (MeasureStatistics.secondarySuppression).
    public static func suppressed(_ result: MeasureResult, control: DisclosureControl, secondary: Bool) -> [Bool] {
        var hidden = result.rows.map { control.apply($0.numerator) == nil || control.apply($0.denominator) == nil }
        guard secondary else { return hidden }
        MeasureStatistics.secondarySuppression(counts: result.rows.map { [$0.numerator, $0.denominator] }, suppressed: &hidden,
                                               groups: marginGroups(result), threshold: control.threshold)
        return hidden
    }

    /// Sets of rows that add up to a published row: each grouping's rows (to the ICB row); one
    /// PCN's or neighbourhood's practices (to that PCN's or neighbourhood's row); and in a crossed
    /// grouping, the rows that share all but one label (to the row of the other dimensions).
    static func marginGroups(_ result: MeasureResult) -> [[Int]] {
        var byGrouping: [[Int]: [Int]] = [:]
        for (i, r) in result.rows.enumerated() { byGrouping[[r.measure, r.grouping], default: []].append(i) }
        var groups: [[Int]] = []
        for key in byGrouping.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let rows = byGrouping[key]!
            let dims = result.definitions[key[0]].groupings[key[1]]
            if dims == [.icb] { continue }
            if dims.count == 1 {
                groups.append(rows)
                if dims == [.practice] {
                    for parent in [\(name: String, pcn: String, neighbourhood: String).pcn, \.neighbourhood] {
                        var sets: [String: [Int]] = [:]
                        for i in rows { sets[result.practices[result.rows[i].groups[0]]?[keyPath: parent] ?? MeasureEngine.unknown, default: []].append(i) }
                        groups += sets.keys.sorted().map { sets[$0]! }
                    }
                }
                continue
            }
            for j in dims.indices {
                var sets: [[String]: [Int]] = [:]
                for i in rows {
                    var others = result.rows[i].groups
                    others.remove(at: j)
                    sets[others, default: []].append(i)
                }
                groups += sets.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).map { sets[$0]! }
            }
        }
        return groups
    }

    /// - Parameter disclosure: nil for the internal copy (exact counts, standardised rates).
    public static func render(_ result: MeasureResult, disclosure: DisclosureControl?, secondary: Bool = false) -> [UInt8] {
        let hidden = disclosure.map { suppressed(result, control: $0, secondary: secondary) } ?? result.rows.map { _ in false }
        func shown(_ count: Int) -> Int? { disclosure.map { $0.apply(count) } ?? count }
        var icbRatio: [Double?] = result.definitions.map { _ in nil }
        for (i, r) in result.rows.enumerated() where r.grouping == 0 && !hidden[i] {
            if let num = shown(r.numerator), let den = shown(r.denominator), den > 0 { icbRatio[r.measure] = Double(num) / Double(den) }
        }
        // The inequality statistics, once per measure, from the quantile counts as shown.
        let inequality = result.definitions.indices.map { inequalityStatistics(result, measure: $0, disclosure: disclosure) }
        var w = CSVWriter()
        w.row(header)
        let start = result.intervalStart.description, end = result.intervalEnd.description
        for (i, r) in result.rows.enumerated() {
            let d = result.definitions[r.measure]
            let dims = d.groupings[r.grouping]
            let num = hidden[i] ? nil : shown(r.numerator), den = hidden[i] ? nil : shown(r.denominator)
            let ratio: Double? = num.flatMap { x in den.flatMap { $0 > 0 ? Double(x) / Double($0) : nil } }
            let ci = num.flatMap { x in den.flatMap { PrevalenceStatistics.wilson(x, $0) } }
            let isPractice = dims == [.practice]
            let f95 = isPractice ? icbRatio[r.measure].flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z95) } } : nil
            let f998 = isPractice ? icbRatio[r.measure].flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z998) } } : nil
            func variation(_ f: (low: Double, high: Double)?) -> String {
                guard let ratio, let f else { return "" }
                return ratio > f.high ? "high" : ratio < f.low ? "low" : "within"
            }
            // §20: the shareable copy carries no standardised rate (it would rest on unrounded counts).
            let dsr = disclosure == nil ? r.bandNumerators.flatMap { x in
                r.bandDenominators.flatMap { n in
                    MeasureStatistics.dsr(events: x, population: n, weights: weights(d, bands: x.count))
                }
            } : nil
            w.cell(d.name); w.cell(start); w.cell(end)
            w.cell(ratio.map(fmt) ?? ""); w.cell(num.map(String.init) ?? ""); w.cell(den.map(String.init) ?? "")
            for g in groupColumns {
                let label = dims.firstIndex(of: g).map { r.groups[$0] } ?? ""
                w.cell(label)
                if g == .practice { w.cell(label.isEmpty ? "" : result.practices[label]?.name ?? "") }
            }
            w.cell(MeasureDefinition.groupingName(dims))
            w.cell(ci.map { fmt($0.low) } ?? ""); w.cell(ci.map { fmt($0.high) } ?? "")
            w.cell(icbRatio[r.measure].map(fmt) ?? ""); w.cell(d.target.map(fmt) ?? "")
            w.cell(f95.map { fmt($0.low) } ?? ""); w.cell(f95.map { fmt($0.high) } ?? "")
            w.cell(f998.map { fmt($0.low) } ?? ""); w.cell(f998.map { fmt($0.high) } ?? "")
            w.cell(variation(f95)); w.cell(variation(f998))
            w.cell(dsr.map { fmt($0.rate) } ?? ""); w.cell(dsr.map { fmt($0.low) } ?? ""); w.cell(dsr.map { fmt($0.high) } ?? "")
            let icb = r.grouping == 0
            w.number(icb ? inequality[r.measure].gap.map(fmt) ?? "" : "")
            let sii = icb ? inequality[r.measure].sii : nil
            // The gap and the SII are signed: written as numbers, not neutralised as text.
            w.number(sii.map { fmt($0.sii) } ?? ""); w.number(sii.map { fmt($0.low) } ?? ""); w.number(sii.map { fmt($0.high) } ?? "")
            w.cell(hidden[i] || num == nil || den == nil ? "true" : "false")
            w.endRow()
        }
        return w.bytes
    }

    /// A measure's quintile gap (quintile 1, most deprived, minus quintile 5) and slope index of
    /// inequality with its 95% interval, from the decile and quintile counts as `disclosure`
    /// shows them (nil: exact): the ICB row's `quintile_gap` and `sii*` columns, and the report's.
    public static func inequalityStatistics(_ result: MeasureResult, measure m: Int, disclosure: DisclosureControl?)
        -> (gap: Double?, sii: (sii: Double, low: Double, high: Double)?) {
        func shown(_ count: Int) -> Int? { disclosure.map { $0.apply(count) } ?? count }
        func ratios(_ qs: [(numerator: Int, denominator: Int)]) -> [(Int, Int)]? {
            var out: [(Int, Int)] = []
            for q in qs {
                guard let num = shown(q.numerator), let den = shown(q.denominator), den > 0 else { return nil }
                out.append((min(num, den), den))
            }
            return out
        }
        var gap: Double?
        let q = result.quintiles[m]
        if let num1 = shown(q[0].numerator), let den1 = shown(q[0].denominator), den1 > 0,
           let num5 = shown(q[4].numerator), let den5 = shown(q[4].denominator), den5 > 0 {
            gap = Double(num1) / Double(den1) - Double(num5) / Double(den5)
        }
        let sii = ratios(result.deciles[m]).flatMap {
            MeasureStatistics.siiOfProportions(numerators: $0.map(\.0), denominators: $0.map(\.1))
        }
        return (gap, sii)
    }

    /// The ESP 2013 weights of the bands a measure standardises over, in order.
    static func weights(_ d: MeasureDefinition, bands: Int) -> [Double] {
        guard let ages = d.standardisedAges else { return [] }
        let low = MeasureStatistics.espBand(age: Int64(ages.lowerBound))
        return Array(MeasureStatistics.esp2013[low..<(low + bands)])
    }

    static func fmt(_ v: Double) -> String { JSON.format(v) }

    /// One file of every result (the as-of date's, then each monthly interval's), one header.
    public static func render(_ results: [MeasureResult], disclosure: DisclosureControl?, secondary: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for (i, r) in results.enumerated() {
            let bytes = render(r, disclosure: disclosure, secondary: secondary)
            // The header is one plain line (no quoted newline), so it ends at the first LF.
            out += i == 0 ? bytes[...] : bytes[(bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)...]
        }
        if results.isEmpty { var w = CSVWriter(); w.row(header); out = w.bytes }
        return out
    }

    public static func write(_ results: [MeasureResult], directory: String, disclosure: DisclosureControl, secondary: Bool) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        try OutputFile.write(render(results, disclosure: nil), to: directory + "/measures_internal.csv", patientLevel: true)
        try OutputFile.write(render(results, disclosure: disclosure, secondary: secondary), to: directory + "/measures_shareable.csv",
                             patientLevel: false)
    }
}
