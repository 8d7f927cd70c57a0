import StratifyCore
import StratifyExport

/// Merges one cohort's files from the shards of a sharded run into the files one run over the
/// whole population writes: rows copied byte for byte from each shard's `cohorts/<cohort>.csv`,
/// ordered by the cohort's `order_by` keys (from each shard's `shard.json`) with the comparison a
/// run uses, split per neighbourhood and given leavers by the code a run uses.
///
/// Status: each shard marks `new`/`continuing` against its own previous run. A patient who moved
/// practice into another shard since the previous run is `new` in their new shard and a leaver in
/// their old one; over the whole population they are `continuing` and not a leaver, so that is
/// what the merge writes (docs/sharding.md, "Status").
enum CohortMerge {
    struct Shard {
        var label: String
        var runDirectory: String
        var file: ShardFile
    }

    struct Merged {
        var files: (all: [UInt8], byNeighbourhood: [String: [UInt8]])
        var leavers: (all: [UInt8], byNeighbourhood: [String: [UInt8]])
        var section: JSON
        var ids: [String]
        var members: [CohortMember]
        var summary: [CohortSummary]
    }

    /// - Parameter csv: the cohort's file writer (identifier and practices), for the leavers.
    static func merge(_ cohort: PipelineDefinition.Cohort, shards: [Shard], csv: CohortCSV) throws(StratifyError) -> Merged {
        var header: [UInt8]?
        var entries: [(keys: [CohortSortKey], id: String, neighbourhood: String, bytes: [UInt8])] = []
        var leavers: [String: CohortLeaver] = [:]
        var owner: [String: String] = [:]
        for s in shards {
            let path = "\(s.runDirectory)/cohorts/\(cohort.name).csv"
            guard let c = s.file.cohorts[cohort.name], FileSystem.exists(path) else {
                throw StratifyError(.inputData, "shard \(s.label) has no cohort '\(cohort.name)' (\(path))",
                                    help: "every shard must run the same pipeline definition; re-run that shard with it")
            }
            let bytes = try FileSystem.readAll(path)
            let records = CSVRecords.ranges(bytes, from: CSVRecords.byteOrderMarkLength(bytes))
            let head = Array(bytes[0..<(records.first?.upperBound ?? 0)])
            if header == nil { header = head }
            guard head == header, records.count == c.ids.count + 1 else {
                throw StratifyError(.inputData, "\(path) does not match the first shard's header or its shard.json (\(records.count - 1) rows, \(c.ids.count) expected)",
                                    help: "every shard must run the same pipeline definition; re-run that shard and do not edit its files")
            }
            for (k, id) in c.ids.enumerated() {
                if let other = owner[id] {
                    throw StratifyError(.inputData, "a patient in cohort '\(cohort.name)' is in both shard \(other) and shard \(s.label)",
                                        help: "shards must hold disjoint practices and patients: split the extract by practice once, and re-run the shards")
                }
                owner[id] = s.label
                entries.append((c.keys[k], id, c.neighbourhoods[k], Array(bytes[records[k + 1]])))
            }
            for l in c.leavers { leavers[l.patientID] = l }
        }
        let descending = cohort.orderBy.map(\.descending)
        entries = CohortOrder.sorted(entries.map(\.keys), ids: entries.map { ArraySlice($0.id.utf8) }, descending: descending)
            .map { entries[$0] }
        var continuing = 0
        for k in entries.indices {
            // A patient on another shard's previous list moved practice: continuing, not new.
            if leavers[entries[k].id] != nil { entries[k].bytes = try markContinuing(entries[k].bytes, cohort: cohort.name) }
            if entries[k].bytes.ends(with: Array(",continuing\r\n".utf8)) { continuing += 1 }
        }
        let ids = entries.map(\.id)
        let files = CohortCSV.assemble(header: header ?? [], rows: entries.map { ($0.neighbourhood, $0.bytes) })
        let current = Set(ids)
        let stillLeft = leavers.values.filter { !current.contains($0.patientID) }
        let members = self.members(entries.map { ($0.id, $0.neighbourhood, $0.bytes) }, header: header ?? [])
        let continuingFlags = entries.map { $0.bytes.ends(with: Array(",continuing\r\n".utf8)) }
        return Merged(files: files, leavers: csv.leavers(Array(stillLeft)),
                      section: CohortStage.section(neighbourhoods: entries.map(\.neighbourhood), continuing: continuing,
                                                   leavers: stillLeft.count),
                      ids: ids, members: members,
                      summary: CohortSummary.rows(cohort: cohort.name, members: zip(entries, continuingFlags).map { ($0.neighbourhood, $1) },
                                                  leavers: stillLeft.map(\.neighbourhood)))
    }

    /// What the history keeps of each member, read back from the merged rows (the shards wrote
    /// them from the same data a run would).
    static func members(_ rows: [(id: String, neighbourhood: String, bytes: [UInt8])], header: [UInt8]) -> [CohortMember] {
        let names = CohortWorkbook.fields(header[CSVRecords.byteOrderMarkLength(header)...])
        let nhs = names.firstIndex(of: "nhs_number"), practice = names.firstIndex(of: "practice_code"), reasons = names.firstIndex(of: "reasons")
        return rows.map { r in
            let cells = CohortWorkbook.fields(r.bytes[...])
            func cell(_ k: Int?) -> String { k.flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
            return CohortMember(patientID: r.id, nhsNumber: cell(nhs), practiceCode: cell(practice), neighbourhood: r.neighbourhood,
                                reasons: cell(reasons))
        }
    }

    /// The status is the row's last cell, written unquoted: `new` or `continuing`.
    static func markContinuing(_ row: [UInt8], cohort: String) throws(StratifyError) -> [UInt8] {
        let new = Array(",new\r\n".utf8)
        if row.ends(with: new) { return Array(row.dropLast(new.count)) + Array(",continuing\r\n".utf8) }
        guard row.ends(with: Array(",continuing\r\n".utf8)) else {
            throw StratifyError(.inputData, "a row of cohort '\(cohort)' does not end with its status",
                                help: "re-run the shards; do not edit cohort files before merging")
        }
        return row
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix) }
}
