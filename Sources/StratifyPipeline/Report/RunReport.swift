#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest
import StratifyReference

/// Which run report a pipeline writes (its `report` key, docs/report.md).
public enum ReportVariant: String, Sendable {
    /// Disclosure control on every patient count, as in `prevalence_shareable.csv`; mode 0644.
    case shareable
    /// Exact counts, small ones included: mode 0600 and labelled internal on the page.
    case `internal`
}

/// `report.html`: one self-contained page (inline CSS and SVG, no script, no external assets) with
/// aggregates only — never a patient-level value. Modelled on what a QIF reviewer gets from
/// Fingertips and the QOF tables: funnel plots with outliers named, measure names in words, the
/// deprivation gradient with intervals, data quality as shares, and trends across runs.
struct RunReport {
    let name: String
    let runID: String
    let stages: StageResults
    let cohorts: [(String, JSON)]
    /// Earlier runs' cohort sizes from the run history, oldest first.
    let history: [(runID: String, asOf: String, cohorts: [String: Int])]
    /// The practice table, for practice names.
    var practices: [String: PracticeTable.Practice] = [:]
    /// Measure names in words (`reference/measures/labels.csv`).
    var labels: [String: String] = [:]
    /// The shareable variant's disclosure control; nil renders the internal variant.
    var disclosure: DisclosureControl?
    /// This run's measures (nil when the run computes none, e.g. a shard).
    var measures: MeasureResult?
    /// Earlier runs' ICB measure rows from the run history (exact counts), read before the run.
    var measureTrend: [MeasureTrendPoint] = []

    // MARK: counts

    /// A patient count as shown: suppressed (nil) or rounded in the shareable variant.
    func shown(_ v: Int) -> Int? {
        guard let dc = disclosure else { return v }
        return dc.apply(v)
    }

    func countText(_ v: Int) -> String { shown(v).map(SVG.thousands) ?? "*" }

    /// Every patient count on the page goes through here, marked `class="count"` so a checker
    /// can find them all (scripts/check-report, ReportDisclosureTests).
    func count(_ v: Int) -> String { "<span class=\"count\">\(countText(v))</span>" }

    /// Row counts of the input files: not patient counts, shown exactly in both variants.
    func rows(_ v: Int) -> String { "<span class=\"rows\">\(SVG.thousands(v))</span>" }

    /// A share computed from the counts as shown, so it never discloses what rounding hid.
    func share(_ part: Int, of whole: Int, patients: Bool) -> String {
        let p = patients ? shown(part) : part, w = patients ? shown(whole) : whole
        guard let p, let w else { return "*" }
        guard w > 0 else { return "–" }
        let r = Double(p) / Double(w)
        return r > 0 && r < 0.001 ? "&lt;0.1%" : SVG.percent(r)
    }

    func label(_ measure: String) -> String { labels[measure] ?? measure }

    func practiceName(_ code: String) -> String {
        guard let p = practices[code], !p.name.isEmpty else { return code }
        return "\(titleCase(p.name)) (\(code))"
    }

    /// The practice table spells names in capitals in places; a reader scans mixed case faster.
    func titleCase(_ s: String) -> String {
        guard s == s.uppercased() else { return s }
        return s.lowercased().split(separator: " ", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    var prevalenceMeasures: [String] {
        var seen = Set<String>(), out: [String] = []
        for r in stages.prevalence?.rows ?? [] where seen.insert(r.measure).inserted { out.append(r.measure) }
        return out
    }

    // MARK: page

    func render() -> String {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("report", seconds: MonotonicClock.seconds(since: t0)) }
        let f = stages.flags
        let variant = disclosure == nil ? ReportVariant.internal : .shareable
        var h = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="stratify-report" content="\(variant.rawValue)">
            <meta name="stratify-suppression-threshold" content="\(disclosure?.threshold ?? 0)">
            <title>Stratify run \(SVG.escape(runID))\(disclosure == nil ? " (internal)" : "")</title>
            <style>\(RunReport.css)</style></head><body>
            <header><h1>Stratify run report: \(SVG.escape(name))</h1>
            """
        if let dc = disclosure {
            h += "<p class=\"variant shareable\" id=\"variant\">Shareable: aggregates only. Every count of people is disclosure-controlled: "
                + "counts of 1 to \(dc.threshold) are shown as *, other counts are rounded to the nearest \(dc.multiple); "
                + "percentages and intervals are computed from the rounded counts (as in prevalence_shareable.csv).</p>"
        } else {
            h += "<p class=\"variant internal\" id=\"variant\" role=\"note\"><strong>Internal: contains small numbers.</strong> "
                + "Exact counts, small counts of people included, without the disclosure control of the shareable variant. For the practices and the ICB team only; do not share or publish. "
                + "This file is readable only by its owner (mode 0600).</p>"
        }
        h += "<p>Run <b>\(SVG.escape(runID))</b>, as-of date <b>\(SVG.longDate(f.asOf.description))</b>, rule set <b>\(SVG.escape(f.ruleSet.name)) \(SVG.escape(f.ruleSet.version))</b>, "
            + "population \(count(f.quality.population)) people registered on the as-of date. No patient-level data.</p></header>"
        h += qualitySection()
        h += cohortSection()
        h += segmentSection()
        h += achievementSection()
        h += funnelSection()
        h += outlierSection()
        h += gradientSection()
        h += distributionSection()
        h += trendSection()
        return h + "</body></html>\n"
    }

    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0 auto;padding:1.2em 2em 3em;max-width:1240px;color:#1f1f1f;line-height:1.45}
        h1{font-size:1.6em;margin:.3em 0}h2{margin-top:1.8em;border-bottom:2px solid #0072B2;padding-bottom:.15em;font-size:1.3em}
        h3{font-size:1em;margin:.1em 0 .2em}
        .variant{padding:.45em .8em;border-radius:4px}.variant.internal{background:#fde2d5;border:2px solid #D55E00;color:#5e2000}
        .variant.shareable{background:#e6f1f9;border:1px solid #0072B2;color:#00324f}
        table{border-collapse:collapse;margin:.5em 0;font-size:.92em}td,th{border:1px solid #cfcfcf;padding:4px 8px;text-align:right;vertical-align:top}
        th{background:#f1f4f7;font-weight:600}.l{text-align:left}td.reasons{text-align:left;max-width:34em;font-size:.92em}
        .scroll{overflow-x:auto;max-width:100%}.note{color:#444;font-size:.92em;max-width:60em}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1.4em 1.6em}.pair{display:flex;flex-wrap:wrap;gap:1.4em 2.4em}.pair figure{flex:1 1 480px;max-width:560px}.pair figure.w460{flex-basis:340px;max-width:460px}
        figure{margin:0;break-inside:avoid}figcaption{font-size:.9em;color:#333}svg.chart{width:100%;height:auto;display:block}
        .wide{max-width:920px}.legend{display:flex;flex-wrap:wrap;gap:.35em 1.3em;font-size:.9em;margin:.6em 0}
        .legend span{display:inline-flex;align-items:center;gap:.35em}small{white-space:nowrap}.warnings li{margin:.2em 0}
        .dir-high{color:#9a3a00;font-weight:600}.dir-low{color:#00507d;font-weight:600}#outliers td:not(.l),#outliers td.dir-high,#outliers td.dir-low{white-space:nowrap}
        #achievement-table td:not(:first-child),#measures-table td:not(:first-child){white-space:nowrap}#achievement-table td:first-child,#measures-table td:first-child{min-width:15em}
        @media (max-width:900px){body{padding:.8em 1em 2em}}@media (max-width:720px){.grid{grid-template-columns:1fr}}
        @media print{body{max-width:none;padding:0;font-size:10pt}.scroll{overflow:visible}
        table{font-size:8pt;width:100%}td,th{padding:2px 4px}td{overflow-wrap:anywhere}h2{break-after:avoid}
        figure,tr{break-inside:avoid}.grid{grid-template-columns:repeat(2,minmax(0,1fr))}.variant{border-width:2px}}
        """

    // MARK: data quality

    func qualitySection() -> String {
        let ingest = stages.ingest, dq = ingest.dataQuality, fq = stages.flags.quality
        var h = "<section id=\"data-quality\"><h2>Input and data quality</h2>"
        if !ingest.warnings.isEmpty {
            h += "<ul class=\"warnings\" id=\"ingest-warnings\">"
            for w in ingest.warnings { h += "<li><b>Warning:</b> \(SVG.escape(w))</li>" }
            h += "</ul>"
        }
        h += "<p class=\"note\">Rows that break the input contract are quarantined, not read: each is in <code>quarantine/&lt;table&gt;.csv</code> "
            + "in this run's folder with its line number and reason (patient-level, mode 0600); docs/input-contract.md lists the reasons. "
            + "Row counts of the input files are not counts of people and are shown exactly.</p>"
        h += "<div class=\"scroll\"><table id=\"input-table\"><caption class=\"l\">Rows read from each input file</caption>"
            + "<tr><th class=\"l\">file</th><th>rows read</th><th>accepted</th><th>quarantined</th><th>share quarantined</th><th class=\"l\">reasons</th></tr>"
        for t in ingest.tables {
            let reasons = t.quarantinedByReason.sorted { $0.key < $1.key }
                .map { "\($0.key.code): \(SVG.thousands($0.value)) (\(SVG.escape($0.key.summary)))" }.joined(separator: "; ")
            h += "<tr><td class=\"l\">\(t.table.rawValue).csv</td><td>\(rows(t.rowsRead))</td><td>\(rows(t.rowsAccepted))</td><td>\(rows(t.rowsQuarantined))</td>"
                + "<td>\(share(t.rowsQuarantined, of: t.rowsRead, patients: false))</td><td class=\"reasons\">\(reasons.isEmpty ? "none" : reasons)</td></tr>"
        }
        h += "</table></div>"
        func read(_ table: ExtractTable) -> Int { ingest.tables.first { $0.table == table }?.rowsAccepted ?? 0 }
        let patients = read(.patients), events = read(.clinicalEvents), meds = read(.medications)
        let items: [(String, Int, Int, String, Bool, String)] = [
            ("Patients who died on or before the as-of date", fq.patientsDied, patients, "patients accepted", true, "outside the population"),
            ("Patients registered after the as-of date", fq.patientsRegisteredAfterAsOf, patients, "patients accepted", true, "outside the population"),
            ("Patients born after the as-of date", dq.patientsBornAfterAsOf, patients, "patients accepted", true, "outside the population"),
            ("Patients whose LSOA is not in the IMD table", fq.lsoaNotInIMD, fq.population, "population", true,
             "IMD decile unknown: left out of the deprivation gradient and of core20's denominator"),
            ("Events dated after the as-of date", dq.eventsAfterAsOf, events, "events accepted", false, "ignored"),
            ("Events dated before the patient's birth", dq.eventsBeforeBirth, events, "events accepted", false, "ignored"),
            ("Blood pressure values out of range", fq.bpValuesOutOfRange, events, "events accepted", false, "ignored as implausible"),
            ("Events matching no code list", fq.eventsMatchingNoList, events, "events accepted", false, "not used by any rule (expected: extracts hold more codes than the rules use)"),
            ("Medications dated after the as-of date", dq.medicationsAfterAsOf, meds, "medications accepted", false, "ignored"),
            ("Medications matching no code list", fq.medicationsMatchingNoList, meds, "medications accepted", false, "not used by any rule"),
        ]
        h += "<div class=\"scroll\"><table id=\"quality-table\"><caption class=\"l\">Data quality: what was set aside, and why</caption>"
            + "<tr><th class=\"l\">check</th><th>number</th><th>share</th><th class=\"l\">of</th><th class=\"l\">what happens</th></tr>"
        for (label, v, whole, of, isPeople, effect) in items {
            h += "<tr><td class=\"l\">\(label)</td><td>\(isPeople ? count(v) : rows(v))</td><td>\(share(v, of: whole, patients: isPeople))</td>"
                + "<td class=\"l\">\(of)</td><td class=\"l\">\(effect)</td></tr>"
        }
        return h + "</table></div></section>"
    }

    // MARK: cohorts

    func cohortSection() -> String {
        guard case .object(let list)? = cohorts.first(where: { $0.0 == "cohorts" })?.1 else { return "" }
        var teams = Set<String>()
        for (_, c) in list { if case .object(let t)? = c["by_neighbourhood"] { teams.formUnion(t.map(\.0)) } }
        var h = "<section id=\"cohorts\"><h2>Cohort sizes by neighbourhood</h2><div class=\"scroll\"><table id=\"cohort-table\"><tr><th class=\"l\">neighbourhood</th>"
        for (name, _) in list { h += "<th>\(SVG.escape(name))</th>" }
        h += "</tr>"
        for team in teams.sorted() {
            h += "<tr><td class=\"l\">\(SVG.escape(team))</td>"
            for (_, c) in list {
                var v = 0
                if case .object(let t)? = c["by_neighbourhood"], case .int(let k)? = t.first(where: { $0.0 == team })?.1 { v = k }
                h += "<td>\(count(v))</td>"
            }
            h += "</tr>"
        }
        for key in ["members", "new", "continuing", "leavers"] {
            h += "<tr><th class=\"l\">\(key)</th>"
            for (_, c) in list { if case .int(let v)? = c[key] { h += "<th>\(count(v))</th>" } else { h += "<th></th>" } }
            h += "</tr>"
        }
        return h + "</table></div><p class=\"note\">Totals are rounded from the exact totals, so in the shareable variant they need not equal the sum of the rounded neighbourhood counts.</p></section>"
    }

    // MARK: funnels and outliers

    func practiceRows(_ measure: String) -> [(row: Prevalence.Row, shown: Prevalence.Shown)] {
        (stages.prevalence?.rows ?? []).filter { $0.measure == measure && $0.grouping == .practice && $0.denominator > 0 }
            .map { ($0, Prevalence.Shown($0, disclosure: disclosure)) }
    }

    func hover(_ r: Prevalence.Row, _ s: Prevalence.Shown) -> String {
        var t = "\(practiceName(r.group)): count \(countText(r.numerator)), denominator \(countText(r.denominator))"
        if let ratio = s.ratio { t += ", \(SVG.percent(ratio))" }
        if let ci = s.ci { t += " (95% CI \(SVG.percent(ci.low)) to \(SVG.percent(ci.high)))" }
        return t + "; " + SVG.Band(s).legend
    }

    func funnelSection() -> String {
        guard stages.prevalence != nil else { return "" }
        var h = "<section id=\"funnels\"><h2>Register prevalence by practice: funnel plots</h2>"
            + "<p class=\"note\">Each point is a practice: its denominator across, its prevalence up. The line is the ICB's prevalence; the curves are the 95% and "
            + "99.8% control limits around it for a practice of that size (normal approximation to the binomial, as the prevalence files' funnel columns). "
            + "A practice outside the 99.8% limits is the prevalence files' <code>variation</code> high or low. Recorded prevalence is neither good nor bad "
            + "(it also reflects case-finding), so the colours say higher or lower, not better or worse. Hover over a point for the practice's figures."
        if disclosure != nil { h += " Points use the rounded counts; a practice with a suppressed count is not plotted." }
        h += "</p>" + SVG.funnelLegend() + "<div class=\"grid\">"
        for m in prevalenceMeasures {
            let rows = practiceRows(m)
            guard let target = rows.first?.row.icbRatio else { continue }
            var points: [SVG.FunnelPoint] = []
            var hidden = 0
            for (r, s) in rows {
                guard let ratio = s.ratio, let den = s.denominator, den > 0 else { hidden += 1; continue }
                points.append(SVG.FunnelPoint(n: den, ratio: ratio, band: SVG.Band(s), title: hover(r, s)))
            }
            let title = label(m)
            guard !points.isEmpty else {
                h += "<figure><figcaption><h3>\(SVG.escape(title))</h3>No practice plotted: every practice has a suppressed count.</figcaption></figure>"
                continue
            }
            let high = points.filter { $0.band == .high998 }.count, low = points.filter { $0.band == .low998 }.count
            let aria = "Funnel plot of \(title) prevalence by practice: \(points.count) practices, ICB \(SVG.percent(target)), \(high) above and \(low) below the 99.8% limits"
            h += "<figure><figcaption><h3>\(SVG.escape(title))</h3>ICB \(SVG.percent(target)); \(high) higher and \(low) lower than the 99.8% limits"
            if hidden > 0 { h += "; \(hidden) practice\(hidden == 1 ? "" : "s") not plotted (counts suppressed)" }
            h += "</figcaption>" + SVG.funnel(id: "funnel-\(m)", label: aria, points: points, target: target) + "</figure>"
        }
        return h + "</div></section>"
    }

    func outlierSection() -> String {
        guard stages.prevalence != nil else { return "" }
        var h = "<section id=\"outliers-section\"><h2>Practices outside the 99.8% limits</h2>"
        var body = "", total = 0, only95 = 0
        for m in prevalenceMeasures {
            let rows = practiceRows(m)
            only95 += rows.filter { SVG.Band($0.shown) == .high95 || SVG.Band($0.shown) == .low95 }.count
            let out = rows.filter { $0.shown.variation == .high || $0.shown.variation == .low }
                .sorted { ($0.shown.variation == .high ? 0 : 1, -($0.shown.ratio ?? 0)) < ($1.shown.variation == .high ? 0 : 1, -($1.shown.ratio ?? 0)) }
            for (r, s) in out {
                total += 1
                let higher = s.variation == .high
                body += "<tr><td class=\"l\">\(SVG.escape(label(m)))</td><td class=\"l\">\(SVG.escape(practiceName(r.group)))</td>"
                    + "<td>\(count(r.numerator))</td><td>\(count(r.denominator))</td><td>\(s.ratio.map { SVG.percent($0) } ?? "*")</td>"
                    + "<td>\(s.ci.map { "\(SVG.percent($0.low).dropLast())–\(SVG.percent($0.high))" } ?? "*")</td>"
                    + "<td>\(r.icbRatio.map { SVG.percent($0) } ?? "")</td>"
                    + "<td class=\"l \(higher ? "dir-high" : "dir-low")\">\(higher ? "▲ higher" : "▼ lower")</td></tr>"
            }
        }
        h += "<p class=\"note\">\(total) practice–measure pair\(total == 1 ? "" : "s") outside the 99.8% limits (shown below); a further \(only95) outside the 95% limits only "
            + "(about 5% of practices would be by chance alone). Practice names from the practice table.</p>"
        h += "<div class=\"scroll\"><table id=\"outliers\"><caption class=\"l\">Outlier practices by measure</caption><tr><th class=\"l\">measure</th><th class=\"l\">practice</th>"
            + "<th>count</th><th>denominator</th><th>prevalence</th><th>95% CI</th><th>ICB</th><th class=\"l\">direction</th></tr>"
        if total == 0 { body = "<tr><td class=\"l\" colspan=\"8\">No practice is outside the 99.8% limits for any measure.</td></tr>" }
        return h + body + "</table></div></section>"
    }

    // MARK: deprivation

    func gradientSection() -> String {
        guard let p = stages.prevalence else { return "" }
        var h = "<section id=\"deprivation\"><h2>Prevalence by IMD quintile (1 = most deprived)</h2>"
            + "<p class=\"note\" id=\"crude-statement\"><strong>Crude rates, not age-standardised:</strong> each quintile's prevalence is its register count over its "
            + "population at the measure's denominator age, with a Wilson 95% interval. Differences between quintiles partly reflect their age structure. "
            + "The gap is quintile 1 (most deprived fifth) minus quintile 5 (least deprived), in percentage points with Newcombe's 95% interval, and their ratio. "
            + "People whose IMD decile is unknown are left out.</p>"
        h += "<div class=\"scroll\"><table id=\"gradient-table\"><tr><th class=\"l\">measure</th>"
        for q in 1...5 { h += "<th>Q\(q)\(q == 1 ? " most deprived" : q == 5 ? " least deprived" : "")</th>" }
        h += "<th>gap Q1 − Q5</th><th>ratio Q1 ÷ Q5</th></tr>"
        var charts = ""
        for m in prevalenceMeasures where m != "core20" {
            let byQ = Dictionary(p.rows.filter { $0.measure == m && $0.grouping == .imdQuintile }.map { ($0.group, $0) }, uniquingKeysWith: { a, _ in a })
            let shown = (1...5).map { q in byQ[String(q)].map { Prevalence.Shown($0, disclosure: disclosure) } }
            guard shown.contains(where: { $0 != nil }) else { continue }
            h += "<tr><td class=\"l\">\(SVG.escape(label(m)))</td>"
            for (k, s) in shown.enumerated() {
                let title = byQ[String(k + 1)].map { "count \(countText($0.numerator)) of \(countText($0.denominator))" } ?? "no one"
                if let s, let r = s.ratio, let ci = s.ci {
                    h += "<td title=\"\(title)\">\(SVG.percent(r))<br><small>\(SVG.percent(ci.low))–\(SVG.percent(ci.high))</small></td>"
                } else { h += "<td title=\"\(title)\">*</td>" }
            }
            let q1 = shown[0], q5 = shown[4]
            if let a = q1, let b = q5, let r1 = a.ratio, let r5 = b.ratio, let c1 = a.ci, let c5 = b.ci {
                let d = r1 - r5
                let lo = d - ((r1 - c1.low) * (r1 - c1.low) + (c5.high - r5) * (c5.high - r5)).squareRoot()
                let hi = d + ((c1.high - r1) * (c1.high - r1) + (r5 - c5.low) * (r5 - c5.low)).squareRoot()
                let pp = { (v: Double) in abs(v * 100) < 0.05 ? "0.0" : String(format: "%+.1f", v * 100).replacingOccurrences(of: "-", with: "−") }
                h += "<td>\(pp(d)) pp<br><small>\(pp(lo)) to \(pp(hi))</small></td><td>\(r5 > 0 ? String(format: "%.2f", r1 / r5) : "–")</td>"
            } else { h += "<td>*</td><td>*</td>" }
            h += "</tr>"
            if ["reg_hyp", "reg_dm", "reg_copd", "reg_smi", "multimorbid", "frailty_moderate_severe"].contains(m) {
                let items = (1...5).map { q -> (label: String, value: Double?, ci: (low: Double, high: Double)?, title: String) in
                    let s = shown[q - 1], row = byQ[String(q)]
                    let t = "Quintile \(q): " + (row.map { "count \(countText($0.numerator)) of \(countText($0.denominator))" } ?? "no one")
                        + (s?.ratio.map { ", \(SVG.percent($0))" } ?? "") + (s?.ci.map { " (95% CI \(SVG.percent($0.low)) to \(SVG.percent($0.high)))" } ?? "")
                    return ("Q\(q)", s?.ratio, s?.ci, t)
                }
                let title = "\(label(m)) by IMD quintile"
                charts += "<figure><figcaption><h3>\(SVG.escape(title))</h3>crude prevalence with 95% intervals</figcaption>"
                    + SVG.intervals(id: "gradient-\(m)", label: "Deprivation gradient: \(title), crude prevalence with 95% confidence intervals",
                                    items: items, xTitle: "IMD quintile (Q1 most deprived, Q5 least)", yTitle: "Prevalence (%)")
                    + "</figure>"
            }
        }
        return h + "</table></div><div class=\"grid\">\(charts)</div></section>"
    }

    // MARK: distributions

    func distributionSection() -> String {
        var h = "<section id=\"distributions\"><h2>Frailty and multimorbidity</h2><div class=\"pair\">"
        let f = stages.flags
        if case .int(let deficits)? = stages.scores.first(where: { $0.0 == "efi_deficits" })?.1 {
            var counts = [Int](repeating: 0, count: 37)
            for p in deficits.indices where f.inPopulation[p] && deficits[p] != Column.nullInt { counts[min(36, Int(deficits[p]))] += 1 }
            let items = counts.enumerated().map { (label: String($0.offset), value: shown($0.element)) }
            h += "<figure><figcaption><h3>eFI deficits, people aged 65+</h3>number of people by count of eFI deficits</figcaption>"
                + SVG.bars(id: "efi-deficits", label: "Bar chart: people aged 65 and over by number of eFI deficits", items: items,
                           xTitle: "eFI deficits (of 36)", yTitle: "People") + "</figure>"
        }
        if case .string(let idx, let table)? = stages.scores.first(where: { $0.0 == "cms_score" })?.1 {
            var buckets = [Int](repeating: 0, count: 8)
            for p in idx.indices where f.inPopulation[p] && idx[p] >= 0 {
                let v = Double(table[Int(idx[p])]) ?? 0
                buckets[min(7, Int(v))] += 1
            }
            let items = buckets.enumerated().map { (label: $0.offset == 7 ? "7+" : "\($0.offset)–\($0.offset + 1)", value: shown($0.element)) }
            h += "<figure class=\"w460\"><figcaption><h3>Cambridge Multimorbidity Score</h3>number of people by score band</figcaption>"
                + SVG.bars(id: "cms-score", label: "Bar chart: people by Cambridge Multimorbidity Score band", items: items,
                           xTitle: "Cambridge Multimorbidity Score", yTitle: "People", width: 420) + "</figure>"
        }
        return h + "</div></section>"
    }

    // MARK: trends

    func trendSection() -> String {
        var runs = history
        var current: [String: Int] = [:]
        if case .object(let list)? = cohorts.first(where: { $0.0 == "cohorts" })?.1 {
            for (name, c) in list { if case .int(let v)? = c["members"] { current[name] = v } }
        }
        runs.append((runID, stages.flags.asOf.description, current))
        // A rerun for an as-of date supersedes the earlier run for that date (as the history's
        // "previous run" does): one point per date, so the x-axis never repeats a date.
        var byDate: [String: Int] = [:]
        for (k, r) in runs.enumerated() { byDate[r.asOf] = k }
        runs = runs.indices.filter { byDate[runs[$0].asOf] == $0 }.map { runs[$0] }.sorted { $0.asOf < $1.asOf }
        let names = Array(Set(runs.flatMap { $0.cohorts.keys })).sorted()
        guard runs.count >= 2, !names.isEmpty else {
            return "<section id=\"trends\"><h2>Trends across runs</h2><p>The first as-of date of this pipeline: trends appear from the second.</p></section>"
        }
        let series = names.map { n in (name: n, values: runs.map { r in r.cohorts[n].flatMap(shown) }) }
        let dates = runs.map { SVG.longDate($0.asOf) }
        return "<section id=\"trends\"><h2>Trends across runs (cohort sizes)</h2><figure class=\"wide\"><figcaption><h3>Cohort members at each run</h3>"
            + "one line per cohort, labelled at its end; hover over a point for its count</figcaption>"
            + SVG.lines(id: "trend", label: "Line chart: cohort members at each of the last \(runs.count) runs, by as-of date", series: series,
                        xLabels: dates, yTitle: "People in cohort")
            + "</figure></section>"
    }
}
