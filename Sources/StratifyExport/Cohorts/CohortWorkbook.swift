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
                let csv = c.files.byNeighbourhood[neighbourhood] ?? CohortWorkbook.headerOnly(c.files.all)
                let records = CohortWorkbook.records(csv)
                var sheet = try XLSXSheet(name: names.cohorts[k], header: CohortWorkbook.header(csv, records))
                counts.append(try CohortWorkbook.appendRows(csv, records, prefix: nil, to: &sheet))
                sheets.append(sheet)
            }
            var leavers: XLSXSheet? = nil
            for c in cohorts {
                let csv = c.leavers.byNeighbourhood[neighbourhood] ?? CohortWorkbook.headerOnly(c.leavers.all)
                let records = CohortWorkbook.records(csv)
                if leavers == nil { leavers = try XLSXSheet(name: names.leavers, header: ["cohort"] + CohortWorkbook.header(csv, records)) }
                _ = try CohortWorkbook.appendRows(csv, records, prefix: .text(c.about.name), to: &leavers!)
            }
            let leaverSheet: XLSXSheet
            if let leavers { leaverSheet = leavers } else { leaverSheet = try XLSXSheet(name: names.leavers, header: ["cohort"]) }
            try book.addTextSheet(name: names.readMe, title: "About this workbook",
                                  lines: readMe(neighbourhood: neighbourhood, asOf: asOf, sheets: names.cohorts, counts: counts,
                                                leaversSheet: names.leavers, leavers: leaverSheet.rowCount))
            for s in sheets { try book.add(s) }
            try book.add(leaverSheet)
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

    /// A cohort file's records, header first (after the byte-order mark).
    static func records(_ csv: [UInt8]) -> [Range<Int>] {
        CSVRecords.ranges(csv, from: CSVRecords.byteOrderMarkLength(csv))
    }

    /// A cohort file's header names.
    static func header(_ csv: [UInt8], _ records: [Range<Int>]) -> [String] {
        records.first.map { fields(csv[$0]) } ?? []
    }

    /// Appends a cohort file's data rows to `sheet`, each after `prefix` when given, typed as
    /// `cells(_:kinds:)` types them, from the bytes: a neighbourhood's workbook holds every
    /// member row of every cohort, and a String per cell was most of the time it took to build.
    /// Tested against `table` + `cells` + `XLSXSheet.append`. Returns the rows appended.
    static func appendRows(_ csv: [UInt8], _ records: [Range<Int>], prefix: XLSXCell?, to sheet: inout XLSXSheet) throws(StratifyError) -> Int {
        guard let first = records.first else { return 0 }
        let kinds = columnKinds(fields(csv[first]))
        var scratch: [UInt8] = [], ends: [Int] = [], row: [XLSXSheet.RawCell] = []
        for r in records.dropFirst() {
            row.removeAll(keepingCapacity: true)   // before the scratch is reused: no copy of it
            decodeFields(csv[r], into: &scratch, ends: &ends)
            if let prefix { row.append(.cell(prefix)) }
            var start = 0
            for (k, end) in ends.enumerated() {
                row.append(rawCell(scratch[start..<end], kind: k < kinds.count ? kinds[k] : .typed))
                start = end
            }
            try sheet.append(raw: row)
        }
        return records.count - 1
    }

    /// One record's fields, unquoted as `fields` unquotes them, end to end in `scratch`; field k
    /// ends at `ends[k]`. Both are cleared first.
    static func decodeFields(_ record: ArraySlice<UInt8>, into scratch: inout [UInt8], ends: inout [Int]) {
        scratch.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        var end = record.endIndex
        while end > record.startIndex, record[end - 1] == 0x0A || record[end - 1] == 0x0D { end -= 1 }
        var quoted = false, i = record.startIndex
        while i < end {
            let b = record[i]
            if !quoted && b != 0x22 && b != 0x2C {
                // An unquoted stretch up to the next comma or quote, copied in one go.
                var j = i + 1
                while j < end, record[j] != 0x22, record[j] != 0x2C { j += 1 }
                scratch.append(contentsOf: record[i..<j])
                i = j
                continue
            }
            if quoted {
                if b == 0x22 {
                    if i + 1 < end, record[i + 1] == 0x22 { scratch.append(0x22); i += 1 } else { quoted = false }
                } else { scratch.append(b) }
            } else if b == 0x22 { quoted = true }
            else if b == 0x2C { ends.append(scratch.count) }
            else { scratch.append(b) }
            i += 1
        }
        ends.append(scratch.count)
    }

    /// `cells(_:kinds:)` for one field given as bytes. Text, plain digits and dates are decided
    /// on the bytes; anything unusual takes the String path, so both give the same cell.
    static func rawCell(_ v: ArraySlice<UInt8>, kind: ColumnKind) -> XLSXSheet.RawCell {
        if v.isEmpty { return .cell(.empty) }
        switch kind {
        case .text:
            return .text(v)
        case .nhsNumber:
            var n: UInt64 = 0, digits = 0
            for b in v where b != 0x20 {
                guard b >= 0x30 && b <= 0x39 else { return .cell(cell(String(decoding: v, as: UTF8.self), kind: kind)) }
                n = n &* 10 &+ UInt64(b &- 0x30)
                digits += 1
            }
            // Up to 19 digits cannot overflow; no digits at all is not a number.
            guard digits > 0 && digits <= 19 else { return .cell(cell(String(decoding: v, as: UTF8.self), kind: kind)) }
            return .cell(.nhsNumber(n))
        case .typed:
            // A negative number is written neutralised ('-3); as a number it cannot be a formula.
            let plain = v.count >= 2 && v[v.startIndex] == 0x27 && v[v.startIndex + 1] == 0x2D ? v.dropFirst() : v
            switch numberShape(plain) {
            case .integer: if let n = integer(plain) { return .cell(.integer(n)) }
            case .decimal: return .cell(cell(String(decoding: v, as: UTF8.self), kind: kind))
            case .neither: break
            }
            if plain.count == 10, let d = DateDecoder.decodeDay(plain) { return .cell(.date(d)) }
            return .text(v)
        }
    }

    /// `Int(String)` for bytes of `numberShape` `.integer`: nil when out of range.
    static func integer(_ u: ArraySlice<UInt8>) -> Int? {
        let negative = u.first == 0x2D
        var n = 0
        for b in negative ? u.dropFirst() : u {
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int(b &- 0x30)) : m.addingReportingOverflow(Int(b &- 0x30))
            if o1 || o2 { return nil }
            n = s
        }
        return n
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

    /// The general parser (`decodeFields`, with quote state) as Strings: for records holding a
    /// quote, and the reference the quote-free fast path is tested against. `body` has no line end.
    static func quotedFields(_ body: ArraySlice<UInt8>) -> [String] {
        var scratch: [UInt8] = [], ends: [Int] = [], start = 0
        decodeFields(body, into: &scratch, ends: &ends)
        return ends.map { end in
            defer { start = end }
            return String(decoding: scratch[start..<end], as: UTF8.self)
        }
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
        row.enumerated().map { k, v in cell(v, kind: k < kinds.count ? kinds[k] : .typed) }
    }

    static func cell(_ v: String, kind: ColumnKind) -> XLSXCell {
        if v.isEmpty { return .empty }
        switch kind {
        case .nhsNumber:
            if let n = UInt64(v.filter { $0 != " " }) { return .nhsNumber(n) }
            return typed(v)
        case .text: return .text(v)
        case .typed: return typed(v)
        }
    }

    /// A cell of a column that is not text by name: a whole number, a decimal or a date when it
    /// is written exactly as the cohort files write one, else text. Decided on the bytes: this
    /// runs for every cell of every neighbourhood's workbook.
    static func typed(_ v: String) -> XLSXCell {
        // A negative number is written neutralised ('-3) in CSV; as a number it cannot be a formula.
        let plain = v.hasPrefix("'-") ? String(v.dropFirst()) : v
        let u = Array(plain.utf8)[...]
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
    static func numberShape(_ u: ArraySlice<UInt8>) -> NumberShape {
        let s = u.startIndex, e = u.endIndex
        var i = u.first == 0x2D ? s + 1 : s
        let whole = i
        while i < e, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        let wholeDigits = i - whole
        guard wholeDigits > 0, !(wholeDigits > 1 && u[whole] == 0x30) else { return .neither }
        if i == e {
            if whole == s + 1 && wholeDigits == 1 && u[s + 1] == 0x30 { return .neither }  // "-0"
            return .integer
        }
        guard u[i] == 0x2E else { return .neither }
        i += 1
        let fraction = i
        while i < e, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        return i == e && i > fraction ? .decimal : .neither
    }
}
