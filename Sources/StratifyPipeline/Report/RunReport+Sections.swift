import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest

/// The v2 segment chart and achievement against target (docs/report.md).
extension RunReport {
    // MARK: segments (rules.md §18)

    /// `segment8` values in order, with their meaning in words (rules.md §18) and chart colours:
    /// blues for children, greens to vermillion for adults by need, purple for end of life
    /// (Okabe–Ito hues, lighter tints for the "no condition" segments), with the ink for text on each.
    static let segments: [(value: String, words: String, colour: String, ink: String)] = [
        ("1-child-healthy", "1 Child, no long-term condition", "#B3DDF5", "#1f1f1f"),
        ("2-child-ltc", "2 Child, one long-term condition", "#56B4E9", "#1f1f1f"),
        ("3-child-complex", "3 Child, two or more conditions", "#0072B2", "#ffffff"),
        ("4-adult-healthy", "4 Adult, no long-term condition", "#BFE5D6", "#1f1f1f"),
        ("5-adult-single-ltc", "5 Adult, one long-term condition", "#009E73", "#ffffff"),
        ("6-adult-multi-ltc", "6 Adult, two or more conditions", "#E69F00", "#1f1f1f"),
        ("7-adult-complex", "7 Adult, complex needs", "#D55E00", "#ffffff"),
        ("8-end-of-life", "8 End of life (palliative care)", "#CC79A7", "#1f1f1f"),
    ]

    /// The neighbourhood a practice's patients count under: the practice table's, else its PCN
    /// (as the measures do, rules.md §20), else Unknown.
    func neighbourhood(ofPractice code: String) -> String {
        guard let p = practices[code] else { return "Unknown" }
        if !p.neighbourhood.isEmpty { return p.neighbourhood }
        return p.pcnName.isEmpty ? "Unknown" : p.pcnName
    }

    /// Population by `segment8` and neighbourhood: a 100% stacked bar per neighbourhood (the
    /// segment mix) and a table of counts. Only when the rule set has `segment8` (v2); counts
    /// as shown (suppressed `*`, rounded) in the shareable variant.
    func segmentSection() -> String {
        let f = stages.flags
        guard case .string(let idx, let table)? = f.column(named: "segment8") else { return "" }
        let segments = RunReport.segments
        let rowOf = table.map { v in segments.firstIndex { $0.value == v } }
        var byTeam: [String: [Int]] = [:]
        var teamOfPractice: [UInt64: String] = [:]
        for p in idx.indices where f.inPopulation[p] && idx[p] >= 0 {
            guard let r = rowOf[Int(idx[p])] else { continue }
            let packed = f.patients.practice[p]
            let team: String
            if let t = teamOfPractice[packed] { team = t } else {
                team = neighbourhood(ofPractice: PatientTable.practiceCode(packed))
                teamOfPractice[packed] = team
            }
            byTeam[team, default: [Int](repeating: 0, count: segments.count)][r] += 1
        }
        let teams = byTeam.keys.sorted { ($0 == "Unknown" ? 1 : 0, $0) < ($1 == "Unknown" ? 1 : 0, $1) }
        guard !teams.isEmpty else { return "" }
        var h = "<section id=\"segments\"><h2>Population by segment and neighbourhood</h2>"
            + "<p class=\"note\">Each registered person is in one of eight segments (<code>segment8</code>, rules.md §18, after the North West London "
            + "8-segment model): the first that applies of end of life (the palliative care register, any age); for adults (18+) complex needs "
            + "(moderate or severe frailty, three or more long-term conditions, homelessness, alcohol or substance misuse), then two or more long-term conditions, one, none; "
            + "for children two or more, one, none. Each bar is one neighbourhood's population split by segment, so neighbourhoods of different sizes compare; "
            + "the table gives the counts. Hover over a part for its count."
        if let dc = disclosure {
            h += " Counts of 1 to \(dc.threshold) are shown as * and left out of the bar (marked * at its end); other counts are rounded to the nearest \(dc.multiple) "
                + "and the shares are of the rounded counts."
        }
        h += "</p>"
        h += SVG.seriesLegend(id: "segment8-legend", label: "Segments", segments.map { (name: $0.words, swatch: SVG.swatch($0.colour)) })
        h += "<figure class=\"wide\"><figcaption><h3>Segment mix by neighbourhood</h3>share of each neighbourhood's registered population in each segment</figcaption>"
            + SVG.stackedShares(id: "segment8-chart", label: "Stacked bar chart: registered population of each of \(teams.count) neighbourhoods by segment, 1 to 8",
                                rows: teams.map { t in (name: t, values: byTeam[t]!.map { shown($0) }) },
                                categories: segments.map { ($0.words, $0.colour, $0.ink) },
                                xTitle: "Share of the neighbourhood's population (%)", yTitle: "Neighbourhood")
            + "</figure>"
        h += "<div class=\"scroll\"><table id=\"segment8-table\"><caption class=\"l\">People by neighbourhood and segment</caption><tr><th class=\"l\">neighbourhood</th>"
        for s in segments { h += "<th>\(SVG.escape(s.words))</th>" }
        h += "<th>all segments</th></tr>"
        var totals = [Int](repeating: 0, count: segments.count)
        for t in teams {
            let counts = byTeam[t]!
            h += "<tr><td class=\"l\">\(SVG.escape(t))</td>"
            for (k, v) in counts.enumerated() { h += "<td>\(count(v))</td>"; totals[k] += v }
            h += "<td>\(count(counts.reduce(0, +)))</td></tr>"
        }
        h += "<tr><th class=\"l\">all neighbourhoods</th>"
        for v in totals { h += "<th>\(count(v))</th>" }
        h += "<th>\(count(totals.reduce(0, +)))</th></tr>"
        return h + "</table></div><p class=\"note\">Totals are rounded from the exact totals, so in the shareable variant they need not equal the sum of the rounded counts.</p></section>"
    }

    // MARK: achievement against target

    /// A rate from counts as shown: nil when either is suppressed or the denominator is 0.
    func shownRate(_ numerator: Int, _ denominator: Int) -> (rate: Double, num: Int, den: Int)? {
        guard let n = shown(numerator), let d = shown(denominator), d > 0 else { return nil }
        return (Double(min(n, d)) / Double(d), min(n, d), d)
    }

    static func pp(_ v: Double) -> String {
        abs(v * 100) < 0.05 ? "0.0" : String(format: "%+.1f", v * 100).replacingOccurrences(of: "-", with: "−")
    }

    /// Each achievement measure with a target: the ICB rate against it, its trend over the runs
    /// in the history, and the deprivation gap (quintile 1 − 5) and slope index of inequality.
    /// Then every measure without a target, with the same columns and its trend in words (a QIF
    /// reviewer compares screening and vaccination uptake too, which have no national target).
    /// Every rate in the shareable variant comes from the counts as shown.
    func achievementSection() -> String {
        guard let result = measures else { return "" }
        let targeted = result.definitions.indices.filter { result.definitions[$0].target != nil }
        let others = result.definitions.indices.filter { result.definitions[$0].target == nil && !result.definitions[$0].recordedPrevalence }
        // Recorded prevalences alone have their own section: no empty one here.
        guard !targeted.isEmpty || !others.isEmpty else { return "" }
        var h = "<section id=\"achievement\"><h2>Achievement against target</h2>"
            + "<p class=\"note\">Measures of <code>reference/measures/</code> (docs/measures.md); first those that carry a target. The ICB rate is the numerator over the "
            + "denominator for the whole ICB, with a Wilson 95% interval. The deprivation gap is the rate in IMD quintile 1 (most deprived fifth) minus quintile 5 "
            + "(least deprived), in percentage points; the slope index of inequality (SII) is the fitted difference between the least and the most deprived ends "
            + "across the ten deciles, with a simulated 95% interval, so a positive gap or a negative SII means the most deprived do better. "
            + "People whose IMD decile is unknown are left out of both."
        if let dc = disclosure {
            h += " Shareable: rates, gaps and the SII are computed from the counts as shown (counts of 1 to \(dc.threshold) suppressed, others rounded to the nearest \(dc.multiple)); "
                + "a * means a count behind it is suppressed."
        }
        h += "</p>"
        var charts = ""
        if !targeted.isEmpty {
            h += "<div class=\"scroll\"><table id=\"achievement-table\"><tr><th class=\"l\">measure</th><th>numerator</th><th>denominator</th><th>ICB rate (95% CI)</th>"
                + "<th>target</th><th class=\"l\">against target</th><th>Q1 most deprived</th><th>Q5 least deprived</th><th>gap Q1 − Q5</th><th>SII (95% CI)</th></tr>"
            for m in targeted {
                let d = result.definitions[m], target = d.target!
                guard let icb = result.rows.first(where: { $0.measure == m && $0.grouping == 0 }) else { continue }
                let now = shownRate(icb.numerator, icb.denominator)
                h += "<tr>" + measureCells(result, m, icb, before: "<td>\(SVG.percent(target, decimals: 0))</td>" + (now.map { now in
                    let met = now.rate >= target
                    return "<td class=\"l \(met ? "dir-low" : "dir-high")\">\(met ? "✓ met" : "✗ below") (\(RunReport.pp(now.rate - target)) pp)</td>"
                } ?? "<td class=\"l\">*</td>")) + "</tr>"
                let points = trendPoints(d.name, icb)
                let values = points.map { shownRate($0.1, $0.2)?.rate }
                let dates = points.map { SVG.longDate($0.0) }
                let title = "\(d.label)"
                charts += "<figure><figcaption><h3>\(SVG.escape(title))</h3>ICB rate at each run against the \(SVG.percent(target, decimals: 0)) target"
                    + (points.count == 1 ? "; the trend grows from the next as-of date" : "") + "</figcaption>"
                    + SVG.rateTrend(id: "achievement-\(d.name)", label: "Line chart: \(title), ICB rate at each of \(points.count) run\(points.count == 1 ? "" : "s") against the target of \(SVG.percent(target, decimals: 0))",
                                    values: values, xLabels: dates, target: target, yTitle: "Achievement (%)")
                    + "</figure>"
            }
            h += "</table></div>"
            h += SVG.seriesLegend(id: "achievement-legend", label: "Achievement chart legend",
                                  [(name: "ICB rate at each run", swatch: SVG.lineSwatch("#0072B2", marker: true)),
                                   (name: "target", swatch: SVG.lineSwatch("#D55E00", dashed: true))])
            h += "<div class=\"grid\">\(charts)</div>"
        }
        if !others.isEmpty {
            h += "<h3>Measures without a target</h3><div class=\"scroll\"><table id=\"measures-table\"><tr><th class=\"l\">measure</th><th>numerator</th><th>denominator</th>"
                + "<th>ICB rate (95% CI)</th><th class=\"l\">ICB rate at each run (oldest first, last \(RunReport.trendRuns))</th>"
                + "<th>Q1 most deprived</th><th>Q5 least deprived</th><th>gap Q1 − Q5</th><th>SII (95% CI)</th></tr>"
            for m in others {
                guard let icb = result.rows.first(where: { $0.measure == m && $0.grouping == 0 }) else { continue }
                let rates = trendPoints(result.definitions[m].name, icb).suffix(RunReport.trendRuns)
                    .map { p in shownRate(p.1, p.2).map { SVG.percent($0.rate) } ?? "*" }
                h += "<tr>" + measureCells(result, m, icb, before: "<td class=\"l\">\(rates.joined(separator: " → "))</td>") + "</tr>"
            }
            h += "</table></div>"
        }
        return h + "</section>"
    }

    /// Runs shown in a measure's trend cell.
    static let trendRuns = 6

    /// A measure's row cells: name, ICB counts and rate, then `before`, then the quintile rates,
    /// the gap and the SII.
    func measureCells(_ result: MeasureResult, _ m: Int, _ icb: MeasureResult.Row, before: String) -> String {
        let d = result.definitions[m]
        var h = "<td class=\"l\">\(SVG.escape(d.label)) <small>(<code>\(SVG.escape(d.name))</code>)</small></td>"
            + "<td>\(count(icb.numerator))</td><td>\(count(icb.denominator))</td>"
        if let now = shownRate(icb.numerator, icb.denominator), let ci = PrevalenceStatistics.wilson(now.num, now.den) {
            h += "<td>\(SVG.percent(now.rate))<br><small>\(SVG.percent(ci.low))–\(SVG.percent(ci.high))</small></td>"
        } else { h += "<td>*</td>" }
        h += before
        let q = result.quintiles[m]
        for k in [0, 4] {
            let title = "count \(countText(q[k].numerator)) of \(countText(q[k].denominator))"
            if let r = shownRate(q[k].numerator, q[k].denominator) { h += "<td title=\"\(title)\">\(SVG.percent(r.rate))</td>" }
            else { h += "<td title=\"\(title)\">*</td>" }
        }
        let inequality = MeasuresCSV.inequalityStatistics(result, measure: m, disclosure: disclosure)
        h += "<td>\(inequality.gap.map { "\(RunReport.pp($0)) pp" } ?? "*")</td>"
        if let sii = inequality.sii {
            h += "<td>\(RunReport.pp(sii.sii)) pp<br><small>\(RunReport.pp(sii.low)) to \(RunReport.pp(sii.high))</small></td>"
        } else { h += "<td>*</td>" }
        return h
    }

    /// The ICB counts at each run, oldest first: earlier runs from the history (one per as-of
    /// date), then this run, which supersedes an earlier run of its own date.
    func trendPoints(_ name: String, _ icb: MeasureResult.Row) -> [(String, Int, Int)] {
        let asOf = stages.flags.asOf.description
        var points = measureTrend.filter { $0.measure == name && $0.asOf != asOf }.map { ($0.asOf, $0.numerator, $0.denominator) }
        points.append((asOf, icb.numerator, icb.denominator))
        points.sort { $0.0 < $1.0 }
        return points
    }
}
