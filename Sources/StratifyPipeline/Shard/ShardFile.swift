import StratifyCore
import StratifyExport
import StratifyFlags

/// `shard.json` (mode 0600), written into a run folder by `stratify run --shard NAME`: what
/// `stratify merge` needs beyond the run's own files to rebuild the unsharded outputs exactly
/// (docs/sharding.md). Exact prevalence counts with raw group labels (the CSV cells may be
/// formula-neutralised), each cohort's members with their neighbourhood and order keys (the keys
/// are expressions, not columns of the cohort file), the cohort leavers, and the practices the
/// shard holds (to refuse overlapping shards). Patient keys only, like the run history.
struct ShardFile {
    static let name = "shard.json"

    struct Cohort {
        var ids: [String]
        var neighbourhoods: [String]
        var keys: [[CohortSortKey]]
        var leavers: [CohortLeaver]
    }

    var path: String
    var shard: String
    var pipeline: String
    var practices: [String]
    var prevalence: Prevalence
    var cohorts: [String: Cohort]
    /// The shard's measure counts, one entry per result (the run's date, then each monthly
    /// interval a shard computes), with each result's measure names; empty in files from before
    /// measures were merged.
    var measures: [(names: [String], result: MeasureResult)] = []

    /// One cohort's entry: rows `[patient_id, neighbourhood, key...]` in file order, and leavers.
    /// Leavers are `[patient_id, nhs_number, practice_code, neighbourhood, left_because,
    /// reasons_before, reasons_now, details_now]`, so the merge writes the rows a run writes.
    static func cohort(ids: [String], neighbourhoods: [String], keys: [[CohortSortKey]], leavers: [CohortLeaver]) -> JSON {
        .object([
            ("rows", .array(ids.indices.map { i in .array([.string(ids[i]), .string(neighbourhoods[i])] + keys[i].map(\.encoded)) })),
            ("leavers", .array(leavers.map { l in
                .array([l.patientID, l.nhsNumber, l.practiceCode, l.neighbourhood, l.leftBecause, l.reasonsBefore, l.reasonsNow,
                        l.detailsNow].map { .string($0) })
            })),
        ])
    }

    /// Each measure result's exact counts (the CSV cells are rounded and suppressed): its interval,
    /// measure names, rows `[measure, grouping, [labels], numerator, denominator, band numerators
    /// or null, band denominators or null]`, IMD deciles and quintiles `[numerator, denominator]`
    /// per measure, and the practices its rows name `[code, name, pcn, neighbourhood]`.
    static func measures(_ results: [MeasureResult]) -> JSON {
        func ints(_ v: [Int]?) -> JSON { v.map { .array($0.map { .int($0) }) } ?? .null }
        func pairs(_ q: [[(numerator: Int, denominator: Int)]]) -> JSON {
            .array(q.map { m in .array(m.map { .array([.int($0.numerator), .int($0.denominator)]) }) })
        }
        return .array(results.map { r in
            .object([
                ("interval_start", .string(r.intervalStart.description)),
                ("interval_end", .string(r.intervalEnd.description)),
                ("measures", .array(r.definitions.map { .string($0.name) })),
                ("rows", .array(r.rows.map { row in
                    .array([.int(row.measure), .int(row.grouping), .array(row.groups.map { .string($0) }), .int(row.numerator),
                            .int(row.denominator), ints(row.bandNumerators), ints(row.bandDenominators)])
                })),
                ("deciles", pairs(r.deciles)),
                ("quintiles", pairs(r.quintiles)),
                ("practices", .array(r.practices.keys.sorted().map { code in
                    let p = r.practices[code]!
                    return .array([code, p.name, p.pcn, p.neighbourhood].map { .string($0) })
                })),
            ])
        })
    }

    /// Reads `measures` back; the definitions are filled in by the merge, from its own measure files.
    static func parseMeasures(_ value: JSON?, bad: (String) -> StratifyError) throws(StratifyError) -> [(names: [String], result: MeasureResult)] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw bad("malformed measures") }
        func strings(_ j: JSON?) -> [String]? {
            guard case .array(let a)? = j else { return nil }
            let s = a.compactMap { if case .string(let t) = $0 { t } else { nil } }
            return s.count == a.count ? s : nil
        }
        func ints(_ j: JSON) -> [Int]? {
            guard case .array(let a) = j else { return nil }
            let v = a.compactMap { if case .int(let n) = $0 { n } else { nil } }
            return v.count == a.count ? v : nil
        }
        func pairs(_ j: JSON?) -> [[(numerator: Int, denominator: Int)]]? {
            guard case .array(let ms)? = j else { return nil }
            var out: [[(numerator: Int, denominator: Int)]] = []
            for m in ms {
                guard case .array(let qs) = m else { return nil }
                var row: [(numerator: Int, denominator: Int)] = []
                for q in qs {
                    guard let v = ints(q), v.count == 2 else { return nil }
                    row.append((v[0], v[1]))
                }
                out.append(row)
            }
            return out
        }
        var out: [(names: [String], result: MeasureResult)] = []
        for item in items {
            guard case .string(let start)? = item["interval_start"], let from = Day(iso: start),
                  case .string(let end)? = item["interval_end"], let to = Day(iso: end),
                  let names = strings(item["measures"]), case .array(let rowItems)? = item["rows"],
                  let deciles = pairs(item["deciles"]), let quintiles = pairs(item["quintiles"]),
                  case .array(let practiceItems)? = item["practices"] else { throw bad("malformed measures") }
            var rows: [MeasureResult.Row] = []
            for r in rowItems {
                guard case .array(let f) = r, f.count == 7, case .int(let m) = f[0], case .int(let g) = f[1],
                      let groups = strings(f[2]), case .int(let num) = f[3], case .int(let den) = f[4],
                      m >= 0, m < names.count else { throw bad("malformed measure row") }
                let bandNum = f[5] == .null ? nil : ints(f[5]), bandDen = f[6] == .null ? nil : ints(f[6])
                guard (f[5] == .null) == (bandNum == nil), (f[6] == .null) == (bandDen == nil) else { throw bad("malformed measure row") }
                rows.append(MeasureResult.Row(measure: m, grouping: g, groups: groups, numerator: num, denominator: den,
                                              bandNumerators: bandNum, bandDenominators: bandDen))
            }
            var practices: [String: (name: String, pcn: String, neighbourhood: String)] = [:]
            for p in practiceItems {
                guard let f = strings(p), f.count == 4 else { throw bad("malformed measure practice") }
                practices[f[0]] = (f[1], f[2], f[3])
            }
            guard deciles.count == names.count, quintiles.count == names.count else { throw bad("malformed measures") }
            out.append((names, MeasureResult(intervalStart: from, intervalEnd: to, definitions: [], rows: rows, deciles: deciles,
                                             quintiles: quintiles, practices: practices)))
        }
        return out
    }

    /// Writes `<directory>/shard.json` and returns the manifest section that names it.
    static func write(shard: String, pipeline: String, flags: FlagResult, prevalence: Prevalence?, cohorts: JSON,
                      measures: [MeasureResult], directory: String) throws(StratifyError) -> [(String, JSON)] {
        guard case .string(let practiceIdx, let practiceTable)? = flags.attributes[.practiceCode] else { preconditionFailure() }
        // Every accepted patient's practice, not only the population's: overlap is about who is in
        // the extract.
        let practices = Set(practiceIdx.filter { $0 >= 0 }.map { practiceTable[Int($0)] }).sorted()
        let rows: [JSON] = (prevalence?.rows ?? []).map {
            .array([.string($0.measure), .string($0.grouping.rawValue), .string($0.group), .int($0.numerator), .int($0.denominator)])
        }
        let file = JSON.object([
            ("shard", .string(shard)),
            ("pipeline", .string(pipeline)),
            ("practices", .array(practices.map { .string($0) })),
            ("prevalence", .array(rows)),
            ("cohorts", cohorts),
            ("measures", ShardFile.measures(measures)),
        ])
        try OutputFile.write(Array((file.render() + "\n").utf8), to: directory + "/" + name, patientLevel: true)
        return [("shard", .object([("name", .string(shard)), ("practices", .int(practices.count)), ("merge_file", .string(name))]))]
    }

    /// Reads a shard's file; a malformed one is bad input (exit 65) naming the file.
    init(path: String) throws(StratifyError) {
        self.path = path
        func bad(_ what: String) -> StratifyError {
            StratifyError(.inputData, "\(path): \(what)",
                          help: "re-run that shard with `stratify run PIPELINE --shard NAME`; do not edit \(ShardFile.name) by hand")
        }
        guard FileSystem.exists(path) else {
            throw StratifyError(.inputData, "\(path) is missing: that run was not made with --shard",
                                help: "re-run that shard with `stratify run PIPELINE --shard NAME ...` (docs/sharding.md)")
        }
        let root: JSON
        let bytes = try FileSystem.readAll(path)
        do throws(JSON.ParseError) { root = try JSON.parse(bytes) } catch { throw bad("not valid JSON at byte \(error.offset)") }
        guard case .string(let shard)? = root["shard"], case .string(let pipeline)? = root["pipeline"],
              case .array(let practices)? = root["practices"], case .array(let prevalence)? = root["prevalence"],
              case .object(let cohorts)? = root["cohorts"] else { throw bad("not a shard file") }
        self.shard = shard
        self.pipeline = pipeline
        self.practices = practices.compactMap { if case .string(let p) = $0 { p } else { nil } }
        var counts: [(measure: String, grouping: Prevalence.Grouping, group: String, numerator: Int, denominator: Int)] = []
        for r in prevalence {
            guard case .array(let f) = r, f.count == 5, case .string(let m) = f[0], case .string(let g) = f[1],
                  let grouping = Prevalence.Grouping(rawValue: g), case .string(let name) = f[2], case .int(let num) = f[3],
                  case .int(let den) = f[4] else { throw bad("malformed prevalence row") }
            counts.append((m, grouping, name, num, den))
        }
        self.prevalence = Prevalence(counts: counts)
        var parsed: [String: Cohort] = [:]
        for (name, value) in cohorts {
            guard case .array(let rows)? = value["rows"], case .array(let leavers)? = value["leavers"] else {
                throw bad("malformed cohort '\(name)'")
            }
            var cohort = Cohort(ids: [], neighbourhoods: [], keys: [], leavers: [])
            for l in leavers {
                guard case .array(let f) = l, f.count == 8 else {
                    throw bad("malformed leaver in cohort '\(name)' (a shard file from an older version? re-run the shard)")
                }
                let t = f.compactMap { if case .string(let s) = $0 { s } else { nil } }
                guard t.count == 8 else { throw bad("malformed leaver in cohort '\(name)'") }
                cohort.leavers.append(CohortLeaver(patientID: t[0], nhsNumber: t[1], practiceCode: t[2], neighbourhood: t[3],
                                                   leftBecause: t[4], reasonsBefore: t[5], reasonsNow: t[6], detailsNow: t[7]))
            }
            for row in rows {
                guard case .array(let f) = row, f.count >= 2, case .string(let id) = f[0], case .string(let team) = f[1] else {
                    throw bad("malformed row in cohort '\(name)'")
                }
                var keys: [CohortSortKey] = []
                for k in f.dropFirst(2) {
                    let key: CohortSortKey?
                    switch k {
                    case .null: key = .null
                    case .string(let text): key = CohortSortKey(decoding: text)
                    default: key = nil
                    }
                    guard let key else { throw bad("malformed key in cohort '\(name)'") }
                    keys.append(key)
                }
                cohort.ids.append(id)
                cohort.neighbourhoods.append(team)
                cohort.keys.append(keys)
            }
            parsed[name] = cohort
        }
        self.cohorts = parsed
        measures = try ShardFile.parseMeasures(root["measures"], bad: bad)
    }
}
