import StratifyCore

/// One workbook per neighbourhood (`<neighbourhood>/<neighbourhood> cohorts.xlsx`, mode 0600): a
/// "Read me" sheet, one sheet per cohort, and a "Leavers" sheet. The sheets are read back from
/// the neighbourhood's cohort and leavers CSV bytes, so a workbook says exactly what the CSV files
/// say, and `stratify merge` (which assembles CSV rows from shards) builds the same workbook.
/// docs/cohort-files.md, "Workbooks".
public enum CohortWorkbook {
    /// What the read-me says about a cohort.
    public struct About: Sendable {
        public var name: String
        public var description: String?
        public var reasons: [String]
        /// How rows are ordered, in words.
        public var order: String

        public init(name: String, description: String?, reasons: [String], order: String) {
            self.name = name
            self.description = description
            self.reasons = reasons
            self.order = order
        }
    }

    public struct Inputs {
        var cohorts: [(about: About, files: (all: [UInt8], byNeighbourhood: [String: [UInt8]]),
                       leavers: (all: [UInt8], byNeighbourhood: [String: [UInt8]]))] = []

        public init() {}

        public mutating func add(_ about: About, files: (all: [UInt8], byNeighbourhood: [String: [UInt8]]),
                                 leavers: (all: [UInt8], byNeighbourhood: [String: [UInt8]])) {
            cohorts.append((about, files, leavers))
        }

        /// Every neighbourhood with a member or a leaver in any cohort.
        public var neighbourhoods: [String] {
            var teams = Set<String>()
            for c in cohorts { teams.formUnion(c.files.byNeighbourhood.keys); teams.formUnion(c.leavers.byNeighbourhood.keys) }
            return teams.sorted()
        }

        public func workbook(neighbourhood: String, asOf: Day) throws(StratifyError) -> XLSXWorkbook {
            var book = XLSXWorkbook()
            let names = CohortWorkbook.sheetNames(cohorts.map(\.about.name))
            var counts: [Int] = []
            var sheets: [XLSXSheet] = []
            for (k, c) in cohorts.enumerated() {
                let table = CohortWorkbook.table(c.files.byNeighbourhood[neighbourhood] ?? CohortWorkbook.headerOnly(c.files.all))
                var sheet = try XLSXSheet(name: names.cohorts[k], header: table.header)
                let kinds = CohortWorkbook.columnKinds(table.header)
                for row in table.rows { try sheet.append(CohortWorkbook.cells(row, kinds: kinds)) }
                counts.append(table.rows.count)
                sheets.append(sheet)
            }
            var leaverHeader: [String]? = nil
            var leaverRows: [[XLSXCell]] = []
            for c in cohorts {
                let table = CohortWorkbook.table(c.leavers.byNeighbourhood[neighbourhood] ?? CohortWorkbook.headerOnly(c.leavers.all))
                if leaverHeader == nil { leaverHeader = ["cohort"] + table.header }
                let kinds = CohortWorkbook.columnKinds(table.header)
                for row in table.rows { leaverRows.append([.text(c.about.name)] + CohortWorkbook.cells(row, kinds: kinds)) }
            }
            try book.addTextSheet(name: names.readMe, title: "About this workbook",
                                  lines: readMe(neighbourhood: neighbourhood, asOf: asOf, sheets: names.cohorts, counts: counts,
                                                leaversSheet: names.leavers, leavers: leaverRows.count))
            for s in sheets { try book.add(s) }
            try book.addSheet(name: names.leavers, header: leaverHeader ?? ["cohort"], rows: leaverRows)
            return book
        }

        /// Writes every neighbourhood's workbook into its folder under `directory`.
        /// Workbooks are independent (each its own rows, sheets, deflate and file), so they are
        /// built on all cores: at ICB scale they were the longest single-threaded stage.
        public func write(directory: String, asOf: Day) throws(StratifyError) {
            let teams = neighbourhoods
            let failures = parallelMap(teams.count) { i -> StratifyError? in
                let folder = directory + "/" + CohortCSV.safeName(teams[i])
                do throws(StratifyError) {
                    try FileSystem.makeDirectories(folder, mode: 0o700)
                    try workbook(neighbourhood: teams[i], asOf: asOf).write(to: "\(folder)/\(CohortWorkbook.fileName(teams[i]))")
                    return nil
                } catch {
                    return error
                }
            }
            if let first = failures.compactMap({ $0 }).first { throw first }
        }

        func readMe(neighbourhood: String, asOf: Day, sheets: [String], counts: [Int], leaversSheet: String, leavers: Int) -> [String] {
            var lines = [
                "Cohorts for the \(neighbourhood) neighbourhood, as of \(asOf.description) (the date the records were assessed at).",
                "This workbook identifies patients: keep it within the care team, on NHS systems, and delete it when a newer one arrives.",
                "",
                "Sheets",
            ]
            for (k, c) in cohorts.enumerated() {
                var line = "\(sheets[k]) (\(counts[k]) patient\(counts[k] == 1 ? "" : "s")): "
                line += c.about.description.map { $0.hasSuffix(".") ? $0 + " " : $0 + ". " } ?? ""
                if !c.about.reasons.isEmpty { line += "Reasons a patient is listed: " + c.about.reasons.joined(separator: "; ") + ". " }
                line += "Ordered by \(c.about.order)."
                lines.append(line)
            }
            lines.append("\(leaversSheet) (\(leavers)): patients on the previous run's lists who are not on these, the cohort they left and why (died; left the practice; no longer meets the criteria, with the reasons before and now).")
            lines += [""] + CohortWorkbook.glossary
            return lines
        }
    }

    /// The explanations every read-me carries (the bands are rules.md §9's).
    static let glossary = [
        "Columns",
        "nhs_number: the NHS number as text, in its display form (999 136 4315). pseudonym (instead, in pseudonymised outputs): a keyed code that the data team can map back.",
        "practice_code, practice_name, pcn, neighbourhood: where the patient is registered.",
        "reasons: which of the cohort's reasons hold, in words. details: the coded values behind them in words (for example \"missing: BMI, lipids\").",
        "status: new (not on this list at the previous run) or continuing.",
        "",
        "Priority (P1 to P4)",
        "P1: severe frailty, COPD priority group 1, blood pressure in the severe range without a hypertension diagnosis, or on the palliative care register.",
        "P2: moderate frailty, complex multimorbidity, COPD priority group 2, or stage 2 blood pressure without a diagnosis.",
        "P3: multimorbidity or a care gap (blood pressure above target or not measured, SMI health check, COPD vaccinations, cancer screening).",
        "P4: none of these.",
        "",
        "Segment (red, amber, green)",
        "red: moderate or severe frailty, complex multimorbidity, palliative care or dementia.",
        "amber: at least one long-term condition.",
        "green: none of these.",
        "",
        "Unknown values are blank. Blank core20 means the deprivation decile is unknown.",
    ]

    /// `<neighbourhood> cohorts.xlsx`, from the folder-safe name.
    public static func fileName(_ neighbourhood: String) -> String { CohortCSV.safeName(neighbourhood) + " cohorts.xlsx" }

    /// Sheet names for the cohorts, the read-me and the leavers: Excel allows 31 characters and
    /// compares names ignoring case, so long or clashing names are cut and numbered.
    static func sheetNames(_ cohorts: [String]) -> (readMe: String, cohorts: [String], leavers: String) {
        var used: Set<String> = ["read me", "leavers"]
        var out: [String] = []
        for name in cohorts {
            var candidate = cut(name, 31)
            var n = 2
            while used.contains(candidate.lowercased()) {
                let suffix = "~\(n)"
                candidate = cut(name, 31 - suffix.utf16.count) + suffix
                n += 1
            }
            used.insert(candidate.lowercased())
            out.append(candidate)
        }
        return ("Read me", out, "Leavers")
    }

    /// The longest prefix of whole characters within `units` UTF-16 units (Excel's count).
    static func cut(_ s: String, _ units: Int) -> String {
        var out = "", used = 0
        for c in s {
            let n = String(c).utf16.count
            if used + n > units { break }
            out.append(c)
            used += n
        }
        return out
    }

    static func headerOnly(_ csv: [UInt8]) -> [UInt8] {
        let start = CSVRecords.byteOrderMarkLength(csv)
        return Array(csv[..<(CSVRecords.ranges(csv, from: start).first?.upperBound ?? start)])
    }

    /// A cohort file's header and rows as cells (the writer's CSV: quoted fields, doubled quotes).
    static func table(_ csv: [UInt8]) -> (header: [String], rows: [[String]]) {
        let records = CSVRecords.ranges(csv, from: CSVRecords.byteOrderMarkLength(csv))
        let all = records.map { fields(csv[$0]) }
        return (all.first ?? [], Array(all.dropFirst()))
    }

    /// One CSV record's fields (quotes removed, doubled quotes undone); the line end is ignored.
    /// A record without a quote (nearly all) is split and decoded straight from its bytes.
    public static func fields(_ record: ArraySlice<UInt8>) -> [String] {
        var end = record.endIndex
        while end > record.startIndex, record[end - 1] == 0x0A || record[end - 1] == 0x0D { end -= 1 }
        let body = record[record.startIndex..<end]
        if !body.contains(0x22) {
            return body.split(separator: 0x2C, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
        return quotedFields(body)
    }

    /// The general parser, byte by byte with quote state: for records holding a quote, and the
    /// reference the quote-free fast path is tested against. `body` has no line end.
    static func quotedFields(_ body: ArraySlice<UInt8>) -> [String] {
        let end = body.endIndex
        var out: [String] = [], cell: [UInt8] = [], quoted = false, i = body.startIndex
        while i < end {
            let b = body[i]
            if quoted {
                if b == 0x22 {
                    if i + 1 < end, body[i + 1] == 0x22 { cell.append(0x22); i += 1 } else { quoted = false }
                } else { cell.append(b) }
            } else if b == 0x22 { quoted = true }
            else if b == 0x2C { out.append(String(decoding: cell, as: UTF8.self)); cell = [] }
            else { cell.append(b) }
            i += 1
        }
        out.append(String(decoding: cell, as: UTF8.self))
        return out
    }

    /// Columns that are text whatever they hold: identifiers and codes must never become numbers.
    static let textColumns: Set<String> = ["patient_id", "pseudonym", "practice_code", "practice_name", "pcn", "neighbourhood",
                                           "reasons", "details", "status", "cohort", "left_because", "reasons_before",
                                           "reasons_now", "details_now"]

    /// Typed cells: the NHS number as text in its display form; whole numbers, decimals and
    /// `yyyy-mm-dd` dates as numbers and dates (so they sort and filter as such); all else text,
    /// as the CSV holds it (a formula-like value keeps its neutralising `'`).
    static func cells(_ row: [String], header: [String]) -> [XLSXCell] {
        cells(row, kinds: columnKinds(header))
    }

    enum ColumnKind { case nhsNumber, text, typed }

    /// What each column of a header holds, looked up once a table rather than once a cell.
    static func columnKinds(_ header: [String]) -> [ColumnKind] {
        header.map { $0 == "nhs_number" ? .nhsNumber : textColumns.contains($0) ? .text : .typed }
    }

    static func cells(_ row: [String], kinds: [ColumnKind]) -> [XLSXCell] {
        row.enumerated().map { k, v in
            if v.isEmpty { return .empty }
            switch k < kinds.count ? kinds[k] : .typed {
            case .nhsNumber:
                if let n = UInt64(v.filter { $0 != " " }) { return .nhsNumber(n) }
                return typed(v)
            case .text: return .text(v)
            case .typed: return typed(v)
            }
        }
    }

    /// A cell of a column that is not text by name: a whole number, a decimal or a date when it
    /// is written exactly as the cohort files write one, else text. Decided on the bytes: this
    /// runs for every cell of every neighbourhood's workbook.
    static func typed(_ v: String) -> XLSXCell {
        // A negative number is written neutralised ('-3) in CSV; as a number it cannot be a formula.
        let plain = v.hasPrefix("'-") ? String(v.dropFirst()) : v
        let u = Array(plain.utf8)
        switch numberShape(u) {
        case .integer: if let n = Int(plain) { return .integer(n) }
        case .decimal: if let x = Double(plain) { return .number(x) }
        case .neither: break
        }
        if u.count == 10, let d = Day(iso: plain) { return .date(d) }
        return .text(v)
    }

    enum NumberShape { case integer, decimal, neither }

    /// `-?digits` without a leading zero (and not `-0`): what `String(Int)` writes; or
    /// `-?digits.digits` without a leading zero before a longer whole part: what the cohort
    /// files write for decimals.
    static func numberShape(_ u: [UInt8]) -> NumberShape {
        var i = u.first == 0x2D ? 1 : 0
        let whole = i
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        let wholeDigits = i - whole
        guard wholeDigits > 0, !(wholeDigits > 1 && u[whole] == 0x30) else { return .neither }
        if i == u.count {
            if whole == 1 && wholeDigits == 1 && u[1] == 0x30 { return .neither }  // "-0"
            return .integer
        }
        guard u[i] == 0x2E else { return .neither }
        i += 1
        let fraction = i
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        return i == u.count && i > fraction ? .decimal : .neither
    }
}
