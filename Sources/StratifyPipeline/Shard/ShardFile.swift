import Foundation
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
        var leavers: [String]
    }

    var path: String
    var shard: String
    var pipeline: String
    var practices: [String]
    var prevalence: Prevalence
    var cohorts: [String: Cohort]

    /// One cohort's entry: rows `[patient_id, neighbourhood, key...]` in file order, and leavers.
    static func cohort(ids: [String], neighbourhoods: [String], keys: [[CohortSortKey]], leavers: [String]) -> JSON {
        .object([
            ("rows", .array(ids.indices.map { i in .array([.string(ids[i]), .string(neighbourhoods[i])] + keys[i].map(\.encoded)) })),
            ("leavers", .array(leavers.map { .string($0) })),
        ])
    }

    /// Writes `<directory>/shard.json` and returns the manifest section that names it.
    static func write(shard: String, pipeline: String, flags: FlagResult, prevalence: Prevalence?, cohorts: JSON,
                      directory: String) throws(StratifyError) -> [(String, JSON)] {
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
        let bytes = try FileSystem.readAll(path)
        guard let root = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let shard = root["shard"] as? String, let pipeline = root["pipeline"] as? String,
              let practices = root["practices"] as? [String], let prevalence = root["prevalence"] as? [[Any]],
              let cohorts = root["cohorts"] as? [String: Any] else { throw bad("not a shard file") }
        self.shard = shard
        self.pipeline = pipeline
        self.practices = practices
        var counts: [(measure: String, grouping: Prevalence.Grouping, group: String, numerator: Int, denominator: Int)] = []
        for r in prevalence {
            guard r.count == 5, let m = r[0] as? String, let g = (r[1] as? String).flatMap(Prevalence.Grouping.init(rawValue:)),
                  let name = r[2] as? String, let num = r[3] as? Int, let den = r[4] as? Int else { throw bad("malformed prevalence row") }
            counts.append((m, g, name, num, den))
        }
        self.prevalence = Prevalence(counts: counts)
        var parsed: [String: Cohort] = [:]
        for (name, value) in cohorts {
            guard let c = value as? [String: Any], let rows = c["rows"] as? [[Any]], let leavers = c["leavers"] as? [String] else {
                throw bad("malformed cohort '\(name)'")
            }
            var cohort = Cohort(ids: [], neighbourhoods: [], keys: [], leavers: leavers)
            for row in rows {
                guard row.count >= 2, let id = row[0] as? String, let team = row[1] as? String else { throw bad("malformed row in cohort '\(name)'") }
                var keys: [CohortSortKey] = []
                for k in row.dropFirst(2) {
                    let text = k as? String
                    guard text != nil || k is NSNull, let key = CohortSortKey(decoding: text) else {
                        throw bad("malformed key in cohort '\(name)'")
                    }
                    keys.append(key)
                }
                cohort.ids.append(id)
                cohort.neighbourhoods.append(team)
                cohort.keys.append(keys)
            }
            parsed[name] = cohort
        }
        self.cohorts = parsed
    }
}
