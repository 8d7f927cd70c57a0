import StratifyCore
import StratifyFlags
import StratifyIngest
import StratifyReference

/// Cohort files for integrated neighbourhood teams: one row per patient, saying who they are, why
/// they are on the list, the values behind it, and whether they are new since the last run.
/// UTF-8 with a BOM and CRLF line ends (so Excel opens them cleanly), formula cells neutralised,
/// mode 0600 (patient-level).
public struct CohortCSV {
    public enum Identifier: Sendable {
        case nhsNumber
        /// Keyed pseudonym of the patient_id (HMAC-SHA256); the key never appears in any output.
        case pseudonym(HMACSHA256)
    }

    public struct Reason: Sendable {
        public var label: String
        public var condition: CohortCondition
        public init(label: String, condition: CohortCondition) { self.label = label; self.condition = condition }
    }

    public var identifier: Identifier
    public var practices: [String: PracticeTable.Practice]
    /// Values written after `reasons` (rule-set values, attributes or score fields).
    public var keyValues: [String]

    public init(identifier: Identifier, practices: [String: PracticeTable.Practice], keyValues: [String]) {
        self.identifier = identifier
        self.practices = practices
        self.keyValues = keyValues
    }

    /// In pseudonym mode the pseudonym replaces both identifiers: the extract's patient_id is as
    /// identifying as the NHS number to anyone holding the extract, so it never leaves the run.
    public var header: [String] {
        let ids: [String]
        switch identifier {
        case .nhsNumber: ids = ["nhs_number", "patient_id"]
        case .pseudonym: ids = ["pseudonym"]
        }
        return ids + ["practice_code", "pcn", "neighbourhood", "age", "sex", "core20", "priority", "reasons"]
            + keyValues + ["status"]
    }

    /// The files of one cohort: `all` and one per neighbourhood, as CSV bytes, in member order.
    /// `previous` holds the patient_ids of the last run's cohort (for `new` / `continuing`).
    public func render(members: [Int], flags: FlagResult, scores: [(String, Column)], reasons: [Reason],
                       previous: Set<String>) throws(StratifyError) -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        let columns = flags.namedColumns(adding: scores)
        for name in keyValues + ["core20", "priority", "practice_code", "age", "sex"] where columns[name] == nil {
            throw StratifyError(.usage, "cohort key value '\(name)' is not a rule-set value, attribute or score field")
        }
        let reasonHolds = reasons.map { Set($0.condition.members(flags, externals: scores)) }
        var rows: [(neighbourhood: String, bytes: [UInt8])] = []
        for p in members {
            let id = String(decoding: flags.patients.index.key(p), as: UTF8.self)
            let practice = value(columns["practice_code"]!, p)
            let info = practices[practice]
            var row: [String] = []
            switch identifier {
            case .nhsNumber:
                let nhs = flags.patients.nhsNumber[p]
                row += [nhs == 0 ? "" : String(nhs), id]
            case .pseudonym(let mac):
                row.append(mac.pseudonym(flags.patients.index.key(p)))
            }
            row += [practice, info?.pcnName ?? "unknown", info?.neighbourhood ?? "unknown",
                    value(columns["age"]!, p), value(columns["sex"]!, p), value(columns["core20"]!, p),
                    value(columns["priority"]!, p),
                    reasons.indices.filter { reasonHolds[$0].contains(p) }.map { reasons[$0].label }.joined(separator: "; ")]
            row += keyValues.map { value(columns[$0]!, p) }
            row.append(previous.contains(id) ? "continuing" : "new")
            var w = CSVWriter(crlf: true)
            w.row(row)
            rows.append((info?.neighbourhood ?? "unknown", w.bytes))
        }
        var head = CSVWriter(crlf: true, byteOrderMark: true)
        head.row(header)
        return CohortCSV.assemble(header: head.bytes, rows: rows)
    }

    /// A cohort's file for all neighbourhoods and one per neighbourhood, from its rendered header
    /// (with the BOM) and rows in member order. Shared with `stratify merge`, which assembles the
    /// rows of several shards.
    public static func assemble(header: [UInt8], rows: [(neighbourhood: String, bytes: [UInt8])])
        -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        var all = header
        var byNeighbourhood: [String: [UInt8]] = [:]
        for r in rows {
            all += r.bytes
            byNeighbourhood[r.neighbourhood, default: header] += r.bytes
        }
        return (all, byNeighbourhood)
    }

    /// Writes `<directory>/<cohort>.csv` (all neighbourhoods), `<directory>/<neighbourhood>/<cohort>.csv`
    /// and `<directory>/<cohort>_leavers.csv`, each 0600. Neighbourhood folder names keep letters,
    /// digits, spaces, '-' and '_' only, so a name can never leave the folder.
    public func write(cohort: String, directory: String, members: [Int], flags: FlagResult, scores: [(String, Column)],
                      reasons: [Reason], previous: Set<String>) throws(StratifyError) {
        let files = try render(members: members, flags: flags, scores: scores, reasons: reasons, previous: previous)
        let current = members.map { String(decoding: flags.patients.index.key($0), as: UTF8.self) }
        try CohortCSV.write(cohort: cohort, directory: directory, files: files,
                            leavers: CohortCSV.leavers(previous: previous, current: current, identifier: identifier))
    }

    /// Writes one cohort's rendered files (see `write(cohort:directory:members:...)`).
    public static func write(cohort: String, directory: String, files: (all: [UInt8], byNeighbourhood: [String: [UInt8]]),
                             leavers: [UInt8]) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        try OutputFile.write(files.all, to: "\(directory)/\(cohort).csv", patientLevel: true)
        for (team, bytes) in files.byNeighbourhood {
            let folder = directory + "/" + CohortCSV.safeName(team)
            try FileSystem.makeDirectories(folder, mode: 0o700)
            try OutputFile.write(bytes, to: "\(folder)/\(cohort).csv", patientLevel: true)
        }
        try OutputFile.write(leavers, to: "\(directory)/\(cohort)_leavers.csv", patientLevel: true)
    }

    public static func safeName(_ s: String) -> String {
        let kept = s.unicodeScalars.map { u -> Character in
            (u.properties.isAlphabetic || ("0"..."9").contains(u) || u == " " || u == "-" || u == "_") ? Character(u) : "_"
        }
        let name = String(kept).trimmed()
        return name.isEmpty || name.allSatisfy({ $0 == "_" }) ? "unknown" : name
    }

    /// Patients on the last run's list who are not on this one, by patient_id, or by pseudonym
    /// (sorted by pseudonym) in pseudonym mode.
    public static func leavers(previous: Set<String>, current: [String], identifier: Identifier) -> [UInt8] {
        var w = CSVWriter(crlf: true, byteOrderMark: true)
        let left = previous.subtracting(current)
        switch identifier {
        case .nhsNumber:
            w.row(["patient_id", "status"])
            for id in left.sorted() { w.row([id, "left"]) }
        case .pseudonym(let mac):
            w.row(["pseudonym", "status"])
            for p in left.map({ mac.pseudonym(Array($0.utf8)) }).sorted() { w.row([p, "left"]) }
        }
        return w.bytes
    }

    func value(_ c: Column, _ p: Int) -> String { c.text(at: p) }
}

