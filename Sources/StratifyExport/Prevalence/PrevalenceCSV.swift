import StratifyCore

/// Writes the two prevalence files: the internal copy (exact counts, mode 0600, for the practice
/// and the ICB team) and the shareable copy (disclosure control applied, ratios and intervals
/// recomputed from the rounded counts). Columns follow ehrQL's measures output, then ours.
public enum PrevalenceCSV {
    public static let header = [
        "measure", "interval_start", "interval_end", "ratio", "numerator", "denominator",
        "practice", "pcn", "neighbourhood", "imd_quintile", "ethnic_group",
        "ci_low", "ci_high", "icb_ratio", "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high",
        "variation", "suppressed",
    ]

    public static func render(_ p: Prevalence, asOf: Day, disclosure: DisclosureControl?) -> [UInt8] {
        var w = CSVWriter()
        w.row(header)
        let date = asOf.description
        for r in p.rows {
            var num: Int? = r.numerator, den: Int? = r.denominator
            if let dc = disclosure { num = dc.apply(r.numerator); den = dc.apply(r.denominator) }
            let suppressed = num == nil || den == nil
            let ratio: Double? = (!suppressed && den! > 0) ? Double(num!) / Double(den!) : nil
            let ci = suppressed ? nil : PrevalenceStatistics.wilson(num!, den!)
            let f95 = r.icbRatio.flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z95) } }
            let f998 = r.icbRatio.flatMap { t in den.flatMap { PrevalenceStatistics.funnel(target: t, n: $0, z: PrevalenceStatistics.z998) } }
            var variation = ""
            if r.grouping != .icb, let ratio, let f998 {
                variation = ratio > f998.high ? "high" : ratio < f998.low ? "low" : "within"
            }
            w.cell(r.measure); w.cell(date); w.cell(date)
            w.cell(ratio.map(fmt) ?? "")
            w.cell(num.map(String.init) ?? ""); w.cell(den.map(String.init) ?? "")
            for g in [Prevalence.Grouping.practice, .pcn, .neighbourhood, .imdQuintile, .ethnicGroup] {
                w.cell(r.grouping == g ? r.group : "")
            }
            w.cell(ci.map { fmt($0.low) } ?? ""); w.cell(ci.map { fmt($0.high) } ?? "")
            w.cell(r.icbRatio.map(fmt) ?? "")
            w.cell(f95.map { fmt($0.low) } ?? ""); w.cell(f95.map { fmt($0.high) } ?? "")
            w.cell(f998.map { fmt($0.low) } ?? ""); w.cell(f998.map { fmt($0.high) } ?? "")
            w.cell(variation)
            w.cell(suppressed ? "true" : "false")
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
