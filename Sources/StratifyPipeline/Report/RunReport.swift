import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest

/// `report.html`: one self-contained page (inline CSS and SVG, no script, no external assets) with
/// aggregates only — never a patient-level value. Shows the run summary and data quality, cohort
/// sizes by neighbourhood, a funnel plot per register, the deprivation gradient, the eFI and CMS
/// distributions, and trends across past runs.
struct RunReport {
    let name: String
    let runID: String
    let stages: StageResults
    let cohorts: [(String, JSON)]
    /// Earlier runs' cohort sizes from the run history, oldest first.
    let history: [(runID: String, asOf: String, cohorts: [String: Int])]

    func render() -> String {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("report", seconds: MonotonicClock.seconds(since: t0)) }
        let f = stages.flags
        var h = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stratify run \(SVG.escape(runID))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}h2{margin-top:1.6em}.grid{display:flex;flex-wrap:wrap;gap:1.5em}
            figure{margin:0}figcaption{font-size:.9em;color:#555}</style></head><body>
            <h1>Stratify run report: \(SVG.escape(name))</h1>
            <p>Run <b>\(SVG.escape(runID))</b>, as-of date <b>\(f.asOf)</b>, rule set <b>\(SVG.escape(f.ruleSet.name)) \(SVG.escape(f.ruleSet.version))</b>,
            population <b>\(f.quality.population)</b>. Aggregates only; no patient-level data.</p>
            """
        h += "<h2>Input and data quality</h2>"
        for w in stages.ingest.warnings { h += "<p><b>Warning:</b> \(SVG.escape(w))</p>" }
        h += "<table><tr><th>table</th><th>rows read</th><th>accepted</th><th>quarantined</th></tr>"
        for t in stages.ingest.tables {
            h += "<tr><td>\(t.table.rawValue)</td><td>\(t.rowsRead)</td><td>\(t.rowsAccepted)</td><td>\(t.rowsQuarantined)</td></tr>"
        }
        h += "</table><table><tr><th>data quality</th><th>count</th></tr>"
        let dq = stages.ingest.dataQuality, fq = f.quality
        for (label, v) in [("events after the as-of date", dq.eventsAfterAsOf), ("events before birth", dq.eventsBeforeBirth),
                           ("patients died on or before the as-of date", fq.patientsDied),
                           ("patients registered after the as-of date", fq.patientsRegisteredAfterAsOf),
                           ("patients born after the as-of date", dq.patientsBornAfterAsOf),
                           ("LSOA not in the IMD table", fq.lsoaNotInIMD), ("BP values out of range", fq.bpValuesOutOfRange),
                           ("events matching no code list", fq.eventsMatchingNoList)] {
            h += "<tr><td>\(label)</td><td>\(v)</td></tr>"
        }
        h += "</table>"
        h += cohortSection()
        h += funnelSection()
        h += gradientSection()
        h += distributionSection()
        h += trendSection()
        return h + "</body></html>\n"
    }

    func cohortSection() -> String {
        guard case .object(let list)? = cohorts.first(where: { $0.0 == "cohorts" })?.1 else { return "" }
        var teams = Set<String>()
        for (_, c) in list { if case .object(let t)? = c["by_neighbourhood"] { teams.formUnion(t.map(\.0)) } }
        let sortedTeams = teams.sorted()
        var h = "<h2>Cohort sizes by neighbourhood</h2><div style=\"overflow-x:auto\"><table><tr><th>neighbourhood</th>"
        for (name, _) in list { h += "<th>\(SVG.escape(name))</th>" }
        h += "</tr>"
        for team in sortedTeams {
            h += "<tr><td>\(SVG.escape(team))</td>"
            for (_, c) in list {
                var v = 0
                if case .object(let t)? = c["by_neighbourhood"], case .int(let k)? = t.first(where: { $0.0 == team })?.1 { v = k }
                h += "<td>\(v)</td>"
            }
            h += "</tr>"
        }
        for key in ["members", "new", "continuing", "leavers"] {
            h += "<tr><th>\(key)</th>"
            for (_, c) in list { if case .int(let v)? = c[key] { h += "<th>\(v)</th>" } else { h += "<th></th>" } }
            h += "</tr>"
        }
        return h + "</table></div>"
    }

    func funnelSection() -> String {
        guard let p = stages.prevalence else { return "" }
        var h = "<h2>Register prevalence by practice (funnel plots: 95% and 99.8% limits around the ICB)</h2><div class=\"grid\">"
        let measures = Array(Set(p.rows.map(\.measure))).sorted()
        for m in measures {
            let practices = p.rows.filter { $0.measure == m && $0.grouping == .practice && $0.denominator > 0 }
            guard let target = practices.first?.icbRatio else { continue }
            let points = practices.map { (n: $0.denominator, ratio: Double($0.numerator) / Double($0.denominator), label: $0.group) }
            h += "<figure>\(SVG.funnel(points: points, target: target, width: 340, height: 200))<figcaption>\(SVG.escape(m)): ICB \(JSON.format((target * 10000).rounded() / 100))%</figcaption></figure>"
        }
        return h + "</div>"
    }

    func gradientSection() -> String {
        guard let p = stages.prevalence else { return "" }
        var h = "<h2>Prevalence by IMD quintile (1 = most deprived)</h2><div class=\"grid\">"
        for m in ["reg_hyp", "reg_dm", "reg_copd", "reg_smi", "multimorbid", "frailty_moderate_severe"] {
            let rows = p.rows.filter { $0.measure == m && $0.grouping == .imdQuintile && $0.group != "unknown" }.sorted { $0.group < $1.group }
            guard !rows.isEmpty else { continue }
            let items = rows.map { (label: "Q\($0.group)", value: $0.denominator > 0 ? Double($0.numerator) / Double($0.denominator) * 100 : 0) }
            h += "<figure>\(SVG.bars(items, width: 240, height: 120) { "\(JSON.format(($0 * 10).rounded() / 10))%" })<figcaption>\(m)</figcaption></figure>"
        }
        return h + "</div>"
    }

    func distributionSection() -> String {
        var h = "<h2>Frailty and multimorbidity</h2><div class=\"grid\">"
        let f = stages.flags
        if case .int(let deficits)? = stages.scores.first(where: { $0.0 == "efi_deficits" })?.1 {
            var counts = [Double](repeating: 0, count: 37)
            for p in deficits.indices where f.inPopulation[p] && deficits[p] != Column.nullInt { counts[min(36, Int(deficits[p]))] += 1 }
            let items = counts.enumerated().map { (label: String($0.offset), value: $0.element) }
            h += "<figure>\(SVG.bars(items, width: 520, height: 140) { String(Int($0)) })<figcaption>eFI deficits, people aged 65+</figcaption></figure>"
        }
        if case .string(let idx, let table)? = stages.scores.first(where: { $0.0 == "cms_score" })?.1 {
            var buckets = [Double](repeating: 0, count: 8)
            for p in idx.indices where f.inPopulation[p] && idx[p] >= 0 {
                let v = Double(table[Int(idx[p])]) ?? 0
                buckets[min(7, Int(v))] += 1
            }
            let items = buckets.enumerated().map { (label: $0.offset == 7 ? "7+" : "\($0.offset)–\($0.offset + 1)", value: $0.element) }
            h += "<figure>\(SVG.bars(items, width: 320, height: 140) { String(Int($0)) })<figcaption>Cambridge Multimorbidity Score</figcaption></figure>"
        }
        return h + "</div>"
    }

    func trendSection() -> String {
        var runs = history
        var current: [String: Int] = [:]
        if case .object(let list)? = cohorts.first(where: { $0.0 == "cohorts" })?.1 {
            for (name, c) in list { if case .int(let v)? = c["members"] { current[name] = v } }
        }
        runs.append((runID, stages.flags.asOf.description, current))
        let names = Array(Set(runs.flatMap { $0.cohorts.keys })).sorted()
        guard runs.count >= 2, !names.isEmpty else {
            return "<h2>Trends across runs</h2><p>The first run of this pipeline: trends appear from the second run.</p>"
        }
        let series = names.map { n in (name: n, values: runs.map { Double($0.cohorts[n] ?? 0) }) }
        var legend = ""
        for (k, n) in names.enumerated() {
            let colours = ["#3b6ea5", "#c55", "#5a5", "#a5a", "#e90", "#399", "#666", "#963"]
            legend += "<span style=\"color:\(colours[k % colours.count])\">&#9632; \(SVG.escape(n))</span> "
        }
        return "<h2>Trends across runs (cohort sizes)</h2>\(SVG.lines(series, labels: runs.map(\.asOf)))<p>\(legend)</p>"
    }
}
