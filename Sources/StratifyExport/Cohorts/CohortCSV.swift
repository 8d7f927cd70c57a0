import StratifyCore
import StratifyFlags
import StratifyIngest
import StratifyReference

/// Cohort files for integrated neighbourhood teams: one row per patient, saying who they are
/// (the NHS number in its display form, so a spreadsheet keeps it as text), where they are
/// registered (practice code and name, PCN, neighbourhood), why they are on the list in words,
/// the values behind it, and whether they are new since the last run. UTF-8 with a BOM and CRLF
/// line ends (so Excel opens them cleanly), formula cells neutralised, mode 0600 (patient-level).
/// docs/cohort-files.md describes every column.
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
    /// Values written after `details` (rule-set values, attributes or score fields).
    public var keyValues: [String]
    public var labels: CohortLabels

    public init(identifier: Identifier, practices: [String: PracticeTable.Practice], keyValues: [String],
                labels: CohortLabels = .none) {
        self.identifier = identifier
        self.practices = practices
        self.keyValues = keyValues
        self.labels = labels
    }

    /// In pseudonym mode the pseudonym replaces both identifiers: the extract's patient_id is as
    /// identifying as the NHS number to anyone holding the extract, so it never leaves the run.
    public var identifierColumns: [String] {
        switch identifier {
        case .nhsNumber: ["nhs_number", "patient_id"]
        case .pseudonym: ["pseudonym"]
        }
    }

    public static let placeColumns = ["practice_code", "practice_name", "pcn", "neighbourhood"]

    public var header: [String] {
        identifierColumns + CohortCSV.placeColumns + ["age", "sex", "core20", "priority", "reasons", "details"]
            + keyValues + ["status"]
    }

    /// Writes the cells that say who and where a patient is, in `identifierColumns + placeColumns`
    /// order.
    func writePlace(patientID: String, nhsNumber: String, practice: String, to w: inout CSVWriter) {
        let info = practices[practice]
        switch identifier {
        case .nhsNumber: w.cell(nhsNumber); w.cell(patientID)
        case .pseudonym(let mac): w.cell(mac.pseudonym(Array(patientID.utf8)))
        }
        w.cell(practice)
        w.cell(info?.name ?? "")
        w.cell(info?.pcnName ?? "unknown")
        w.cell(info?.neighbourhood ?? "unknown")
    }

    /// One cohort's evaluation, prepared once: the columns it reads and which reasons hold for
    /// whom. Gives member rows and, for leavers, what holds now.
    public struct Prepared {
        let csv: CohortCSV
        public let flags: FlagResult
        let columns: [String: Column]
        let reasons: [Reason]
        let reasonHolds: [[Bool]]
        /// age, sex, core20 and priority, then the key values: looked up by name once a cohort,
        /// not once a member (`prepare` checked they exist).
        let fixed: [Column]
        let keyColumns: [Column]
        let practiceColumn: Column

        /// Cohorts are prepared and written on several threads at once, and every row copies
        /// the practice's names, the reasons' labels and the columns' label strings: each
        /// prepared cohort takes its own copies of those strings (`String.unshared`), and keeps
        /// only the columns its rows read, so threads never count references to the same object.
        init(csv: CohortCSV, flags: FlagResult, columns: [String: Column], reasons: [Reason], reasonHolds: [[Bool]]) {
            var own = csv
            own.practices = csv.practices.mapValues(\.unshared)
            own.labels = csv.labels.unshared
            self.csv = own
            self.flags = flags
            let read = Set(csv.keyValues + csv.labels.fieldReferences.map(\.field) + ["age", "sex", "core20", "priority", "practice_code"])
            var kept: [String: Column] = [:]
            for (name, column) in columns where read.contains(name) { kept[name] = column.unsharedLabels }
            self.columns = kept
            self.reasons = reasons.map { Reason(label: $0.label.unshared, condition: $0.condition) }
            self.reasonHolds = reasonHolds
            fixed = ["age", "sex", "core20", "priority"].map { kept[$0]! }
            keyColumns = csv.keyValues.map { kept[$0]! }
            practiceColumn = kept["practice_code"]!
        }

        public func practice(_ p: Int) -> String { practiceColumn.text(at: p) }

        public func neighbourhood(_ p: Int) -> String { csv.practices[practice(p)]?.neighbourhood ?? "unknown" }

        public func nhsNumber(_ p: Int) -> String {
            let n = flags.patients.nhsNumber[p]
            return n == 0 ? "" : XLSXCell.nhsDisplay(n)
        }

        public func patientID(_ p: Int) -> String { String(decoding: flags.patients.index.key(p), as: UTF8.self) }

        /// The labels of the cohort's reasons that hold for patient `p`, in the cohort's order.
        public func reasons(_ p: Int) -> String {
            reasons.indices.filter { reasonHolds[$0][p] }.map { reasons[$0].label }.joined(separator: "; ")
        }

        public func details(_ p: Int) -> String {
            // The closure captures the columns alone: capturing `self` copied the whole prepared
            // value (a count for each of its arrays) for every row.
            let columns = self.columns
            return csv.labels.details(keyValues: csv.keyValues) { name in columns[name].map { $0.text(at: p) } ?? "" }
        }

        public func member(_ p: Int) -> CohortMember {
            let nhs: String
            switch csv.identifier {
            case .nhsNumber: nhs = nhsNumber(p)
            case .pseudonym: nhs = ""  // the pseudonym mode's outputs, history included, carry no NHS number
            }
            return CohortMember(patientID: patientID(p), nhsNumber: nhs, practiceCode: practice(p),
                         neighbourhood: neighbourhood(p), reasons: reasons(p))
        }

        /// Writes member p's row, cell by cell into `w`: the columns' values go through
        /// `scratch` as bytes, not a String each (rendering the rows was most of the stage's time).
        func writeRow(_ p: Int, _ m: CohortMember, status: String, to w: inout CSVWriter, scratch: inout [UInt8]) {
            func values(_ columns: [Column]) {
                for c in columns {
                    scratch.removeAll(keepingCapacity: true)
                    c.appendText(at: p, to: &scratch)
                    w.cell(scratch)
                }
            }
            csv.writePlace(patientID: m.patientID, nhsNumber: m.nhsNumber, practice: m.practiceCode, to: &w)
            values(fixed)
            w.cell(m.reasons)
            w.cell(details(p))
            values(keyColumns)
            w.cell(status)
            w.endRow()
        }
    }

    public func prepare(flags: FlagResult, scores: [(String, Column)], reasons: [Reason]) throws(StratifyError) -> Prepared {
        let columns = flags.namedColumns(adding: scores)
        for name in keyValues + ["core20", "priority", "practice_code", "age", "sex"] where columns[name] == nil {
            throw StratifyError(.usage, "cohort key value '\(name)' is not a rule-set value, attribute or score field")
        }
        let reasonHolds = reasons.map { $0.condition.holds(flags, externals: scores) }
        return Prepared(csv: self, flags: flags, columns: columns, reasons: reasons, reasonHolds: reasonHolds)
    }

    /// The files of one cohort: `all` and one per neighbourhood, as CSV bytes, in member order.
    /// `previous` holds the patient_ids of the last run's cohort (for `new` / `continuing`).
    public func render(members: [Int], flags: FlagResult, scores: [(String, Column)], reasons: [Reason],
                       previous: Set<String>) throws(StratifyError) -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        render(members: members, prepared: try prepare(flags: flags, scores: scores, reasons: reasons), previous: previous)
    }

    public func render(members: [Int], prepared: Prepared, previous: Set<String>) -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        render(members: members, records: members.map { prepared.member($0) }, prepared: prepared, previous: previous)
    }

    /// - Parameter records: `prepared.member(p)` of each member, computed once by a caller that
    ///   also needs them (the history keeps them).
    public func render(members: [Int], records: [CohortMember], prepared: Prepared,
                       previous: Set<String>) -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        var head = CSVWriter(crlf: true, byteOrderMark: true)
        head.row(header)
        // Each row goes straight into the file for all neighbourhoods and its neighbourhood's:
        // `assemble`'s result without a buffer per row.
        var all = head.bytes
        var byNeighbourhood: [String: [UInt8]] = [:]
        var w = CSVWriter(crlf: true), scratch: [UInt8] = []
        for (p, m) in zip(members, records) {
            w.bytes.removeAll(keepingCapacity: true)
            prepared.writeRow(p, m, status: previous.contains(m.patientID) ? "continuing" : "new", to: &w, scratch: &scratch)
            all += w.bytes
            byNeighbourhood[m.neighbourhood, default: head.bytes] += w.bytes
        }
        return (all, byNeighbourhood)
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

    /// Writes `<directory>/<cohort>.csv` and `<directory>/<cohort>_leavers.csv` (all
    /// neighbourhoods), and in each neighbourhood's folder its `<cohort>.csv` (when it has members)
    /// and `<cohort>_leavers.csv` (whenever it has members or leavers, so "no leavers" is said
    /// rather than left to guess), each 0600. Neighbourhood folder names keep letters, digits,
    /// spaces, '-' and '_' only, so a name can never leave the folder.
    public static func write(cohort: String, directory: String, files: (all: [UInt8], byNeighbourhood: [String: [UInt8]]),
                             leavers: (all: [UInt8], byNeighbourhood: [String: [UInt8]])) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        try OutputFile.write(files.all, to: "\(directory)/\(cohort).csv", patientLevel: true)
        try OutputFile.write(leavers.all, to: "\(directory)/\(cohort)_leavers.csv", patientLevel: true)
        let leaversHeader = Array(leavers.all[..<(CSVRecords.ranges(leavers.all, from: CSVRecords.byteOrderMarkLength(leavers.all)).first?.upperBound ?? 0)])
        for team in Set(files.byNeighbourhood.keys).union(leavers.byNeighbourhood.keys) {
            let folder = directory + "/" + CohortCSV.safeName(team)
            try FileSystem.makeDirectories(folder, mode: 0o700)
            if let bytes = files.byNeighbourhood[team] {
                try OutputFile.write(bytes, to: "\(folder)/\(cohort).csv", patientLevel: true)
            }
            try OutputFile.write(leavers.byNeighbourhood[team] ?? leaversHeader, to: "\(folder)/\(cohort)_leavers.csv", patientLevel: true)
        }
    }

    public static func safeName(_ s: String) -> String {
        let kept = s.unicodeScalars.map { u -> Character in
            (u.properties.isAlphabetic || ("0"..."9").contains(u) || u == " " || u == "-" || u == "_") ? Character(u) : "_"
        }
        let name = String(kept).trimmed()
        return name.isEmpty || name.allSatisfy({ $0 == "_" }) ? "unknown" : name
    }

    // MARK: - Leavers

    public var leaverHeader: [String] {
        identifierColumns + CohortCSV.placeColumns + ["left_because", "reasons_before", "reasons_now", "details_now", "status"]
    }

    /// The leavers files: every leaver, and one file per neighbourhood (the neighbourhood whose
    /// list they were on). Sorted by patient_id, or by pseudonym in pseudonym mode, so the order
    /// says nothing about the patients. Shared with `stratify merge`.
    public func leavers(_ leavers: [CohortLeaver]) -> (all: [UInt8], byNeighbourhood: [String: [UInt8]]) {
        let keyed: [(key: String, leaver: CohortLeaver)] = leavers.map { l in
            switch identifier {
            case .nhsNumber: (l.patientID, l)
            case .pseudonym(let mac): (mac.pseudonym(Array(l.patientID.utf8)), l)
            }
        }
        var rows: [(neighbourhood: String, bytes: [UInt8])] = []
        for (_, l) in keyed.sorted(by: { $0.key < $1.key }) {
            var w = CSVWriter(crlf: true)
            writePlace(patientID: l.patientID, nhsNumber: l.nhsNumber, practice: l.practiceCode, to: &w)
            w.row([l.leftBecause, l.reasonsBefore, l.reasonsNow, l.detailsNow, "left"])
            rows.append((l.neighbourhood, w.bytes))
        }
        var head = CSVWriter(crlf: true, byteOrderMark: true)
        head.row(leaverHeader)
        return CohortCSV.assemble(header: head.bytes, rows: rows)
    }
}

/// What the run history keeps of a cohort member, so that the next run can say who left, from
/// where and why even when the patient is no longer in the extract.
public struct CohortMember: Sendable, Equatable {
    public var patientID: String
    /// Display form (`999 136 4315`); "" in pseudonym mode, where the history keeps no NHS number.
    public var nhsNumber: String
    public var practiceCode: String
    public var neighbourhood: String
    /// The labels of the cohort's reasons that held.
    public var reasons: String

    public init(patientID: String, nhsNumber: String = "", practiceCode: String = "", neighbourhood: String = "", reasons: String = "") {
        self.patientID = patientID
        self.nhsNumber = nhsNumber
        self.practiceCode = practiceCode
        self.neighbourhood = neighbourhood
        self.reasons = reasons
    }
}

/// A patient on the previous run's list who is not on this one, and why.
public struct CohortLeaver: Sendable, Equatable {
    public static let died = "died"
    public static let leftPractice = "left the practice (no longer in the extract)"
    public static let notRegistered = "left the practice (not registered on the as-of date)"
    public static let noLongerMeets = "no longer meets the criteria"

    public var patientID: String
    public var nhsNumber: String
    public var practiceCode: String
    public var neighbourhood: String
    public var leftBecause: String
    public var reasonsBefore: String
    public var reasonsNow: String
    public var detailsNow: String

    public init(patientID: String, nhsNumber: String, practiceCode: String, neighbourhood: String, leftBecause: String,
                reasonsBefore: String, reasonsNow: String, detailsNow: String) {
        self.patientID = patientID
        self.nhsNumber = nhsNumber
        self.practiceCode = practiceCode
        self.neighbourhood = neighbourhood
        self.leftBecause = leftBecause
        self.reasonsBefore = reasonsBefore
        self.reasonsNow = reasonsNow
        self.detailsNow = detailsNow
    }

    /// Why `previous` left, from this run's extract: not in it (deregistered or moved away), died
    /// on or before the as-of date, or still registered but outside the cohort's condition, with
    /// the reasons that hold now. Where the history predates these columns, who and where come
    /// from this extract when the patient is still in it.
    public static func explain(_ previous: CohortMember, in prepared: CohortCSV.Prepared) -> CohortLeaver {
        var l = CohortLeaver(patientID: previous.patientID, nhsNumber: previous.nhsNumber, practiceCode: previous.practiceCode,
                             neighbourhood: previous.neighbourhood, leftBecause: leftPractice,
                             reasonsBefore: previous.reasons, reasonsNow: "", detailsNow: "")
        if l.neighbourhood.isEmpty { l.neighbourhood = "unknown" }
        guard let found = prepared.flags.patients.index.find(Array(previous.patientID.utf8)) else { return l }
        let p = Int(found)
        if l.practiceCode.isEmpty { l.practiceCode = prepared.practice(p); l.neighbourhood = prepared.neighbourhood(p) }
        if l.nhsNumber.isEmpty, case .nhsNumber = prepared.csv.identifier { l.nhsNumber = prepared.nhsNumber(p) }
        let death = prepared.flags.patients.dateOfDeath[p]
        if death != PatientTable.noDay && death <= prepared.flags.asOf.rawValue {
            l.leftBecause = died
        } else if !prepared.flags.inPopulation[p] {
            l.leftBecause = notRegistered
        } else {
            l.leftBecause = noLongerMeets
            l.reasonsNow = prepared.reasons(p)
            l.detailsNow = prepared.details(p)
        }
        return l
    }
}

extension Column {
    /// A `.string` column with its own copies of its labels (see `CohortCSV.Prepared.init`);
    /// other columns as they are (their values are read without counting references).
    var unsharedLabels: Column {
        if case .string(let v, let table) = self { return .string(v, table: table.map(\.unshared)) }
        return self
    }
}
