import StratifyCore

/// Writes the two prevalence files: the internal copy (exact counts, mode 0600, for the practice
/// and the ICB team) and the shareable copy (disclosure control applied, ratios and intervals
/// recomputed from the rounded counts). Columns follow ehrQL's measures output, then ours.
public enum PrevalenceCSV {
    public static let header = [
        "measure", "interval_start", "interval_end", "ratio", "numerator", "denominator",
        "grouping", "grp",
        "practice", "pcn", "neighbourhood", "imd_quintile", "ethnic_group",
        "ci_low", "ci_high", "icb_ratio", "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high",
        "variation", "suppressed",
    ]

    public static func render(_ p: Prevalence, asOf: Day, disclosure: DisclosureControl?) -> [UInt8] {
        var w = CSVWriter()
        w.row(header)
        let date = asOf.description
        for r in p.rows {
            let s = Prevalence.Shown(r, disclosure: disclosure)
            w.cell(r.measure); w.cell(date); w.cell(date)
            w.cell(s.ratio.map(fmt) ?? "")
            w.cell(s.numerator.map(String.init) ?? ""); w.cell(s.denominator.map(String.init) ?? "")
            // Both the grouping's name and the group: one filter (`grouping = 'practice'`) instead
            // of a CASE over the five group columns, which stay for ehrQL-shaped readers.
            w.cell(r.grouping.rawValue); w.cell(r.group)
            for g in [Prevalence.Grouping.practice, .pcn, .neighbourhood, .imdQuintile, .ethnicGroup] {
                w.cell(r.grouping == g ? r.group : "")
            }
            w.cell(s.ci.map { fmt($0.low) } ?? ""); w.cell(s.ci.map { fmt($0.high) } ?? "")
            w.cell(r.icbRatio.map(fmt) ?? "")
            w.cell(s.funnel95.map { fmt($0.low) } ?? ""); w.cell(s.funnel95.map { fmt($0.high) } ?? "")
            w.cell(s.funnel998.map { fmt($0.low) } ?? ""); w.cell(s.funnel998.map { fmt($0.high) } ?? "")
            w.cell(s.variation?.rawValue ?? "")
            w.cell(s.suppressed ? "true" : "false")
            w.endRow()
        }
        return w.bytes
    }

    static func fmt(_ v: Double) -> String { JSON.format(v) }

    public static func write(_ p: Prevalence, asOf: Day, directory: String, disclosure: DisclosureControl) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        try OutputFile.write(render(p, asOf: asOf, disclosure: nil), to: directory + "/prevalence_internal.csv", patientLevel: true)
        try OutputFile.write(render(p, asOf: asOf, disclosure: disclosure), to: directory + "/prevalence_shareable.csv", patientLevel: false)
    }
}

extension Prevalence {
    /// One prevalence row as a file or the run report shows it: with disclosure control, every value
    /// is derived from the rounded counts, so the report's shareable variant and
    /// `prevalence_shareable.csv` can never disagree (nor the internal ones).
    public struct Shown: Sendable {
        /// Position against the funnel limits; the file's `variation` column holds the 99.8% verdict.
        public enum Variation: String, Sendable { case high, low, within }

        public let numerator: Int?
        public let denominator: Int?
        public let ratio: Double?
        public let ci: (low: Double, high: Double)?
        public let funnel95: (low: Double, high: Double)?
        public let funnel998: (low: Double, high: Double)?
        /// nil on the ICB row and when a count is suppressed.
        public let variation: Variation?
        /// The same verdict at 95% (a wider net: `high` here includes the 99.8% highs).
        public let variation95: Variation?
        public var suppressed: Bool { numerator == nil || denominator == nil }

        public init(_ r: Prevalence.Row, disclosure: DisclosureControl?) {
            var num: Int? = r.numerator, den: Int? = r.denominator
            if let dc = disclosure { num = dc.apply(r.numerator); den = dc.apply(r.denominator) }
            numerator = num
            denominator = den
            let ratio: Double? = if let num, let den, den > 0 { Double(num) / Double(den) } else { nil }
            self.ratio = ratio
            ci = (num != nil) ? den.flatMap { PrevalenceStatistics.wilson(num!, $0) } : nil
            funnel95 = r.icbRatio.flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z95) } }
            funnel998 = r.icbRatio.flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z998) } }
            func verdict(_ f: (low: Double, high: Double)?) -> Variation? {
                guard r.grouping != .icb, let ratio, let f else { return nil }
                return ratio > f.high ? .high : ratio < f.low ? .low : .within
            }
            variation = verdict(funnel998)
            variation95 = verdict(funnel95)
        }
    }
}
