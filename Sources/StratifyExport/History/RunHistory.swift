#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import StratifyCore

/// The run history, `<output root>/history.sqlite`, through the system SQLite. It keeps each
/// published run's manifest, its prevalence aggregates, and its cohort memberships (patient keys,
/// with the NHS number, practice, neighbourhood and reasons a leavers file needs when the patient
/// has left the extract), so the next run can mark new, continuing and leaving patients and the
/// report can chart trends. Analysts can query it with any SQLite client (schema in docs/history.md).
///
/// A run is recorded in one transaction after it has been published, so a failed or killed run
/// leaves the history as it was.
public final class RunHistory {
    private var db: OpaquePointer?
    public let path: String

    static let schema = """
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, as_of TEXT NOT NULL, manifest TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS prevalence (
            run_id TEXT NOT NULL REFERENCES runs(run_id), measure TEXT NOT NULL, grouping TEXT NOT NULL,
            grp TEXT NOT NULL, numerator INTEGER NOT NULL, denominator INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS cohort_members (
            run_id TEXT NOT NULL REFERENCES runs(run_id), cohort TEXT NOT NULL, patient_id TEXT NOT NULL,
            PRIMARY KEY (run_id, cohort, patient_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS prevalence_run ON prevalence(run_id, measure);
        """

    /// Tries of the busy handler, 50 ms apart: a history another process holds locked is waited
    /// for 10 s, then reported as locked (never as broken).
    static let busyTries: Int32 = 200

    /// Opens (or, for a first run, creates) the history, refusing a link, a corrupt file, and a
    /// lost one: when `publishedRunsExist`, a missing, empty or run-less history means it was
    /// lost or replaced, and starting afresh would make every cohort member "new" with no
    /// leavers. `allowNew` (`stratify run --new-history`) is the analyst saying that is intended.
    public init(path: String, publishedRunsExist: Bool = false, allowNew: Bool = false) throws(StratifyError) {
        self.path = path
        let kind = FileSystem.entryKind(path)
        for (entry, k) in [(path, kind)] + ["-journal", "-wal", "-shm"].map({ (path + $0, FileSystem.entryKind(path + $0)) }) {
            if k == .symbolicLink {
                throw StratifyError(.runFailed, "run history entry '\(entry)' is a symbolic link: a run never follows links in its output root",
                                    help: "find out who made it and remove the link; restore the history from a backup if the real file is gone")
            }
            if k == .directory || k == .other {
                throw StratifyError(.runFailed, "run history entry '\(entry)' is not a regular file",
                                    help: "move it out of the output root and restore the history from a backup")
            }
        }
        let fresh = kind == .missing || FileSystem.fileSize(path) == 0
        if fresh && publishedRunsExist && !allowNew { throw RunHistory.lost(path, kind == .missing ? "missing" : "empty (0 bytes)") }
        if kind == .missing {
            // Created here, 0600 from the first byte, O_EXCL | O_NOFOLLOW: cohort memberships are
            // patient identifiers (SQLite gives its -wal and -shm files the same mode).
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw StratifyError(.runFailed, "cannot create run history '\(path)': \(String(cString: strerror(errno)))")
            }
            fchmod(fd, 0o600)
            close(fd)
        } else {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 { fchmod(fd, 0o600); close(fd) }
        }
        if sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nil) != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            db = nil
            throw StratifyError(.runFailed, "cannot open run history '\(path)': \(message)")
        }
        sqlite3_busy_handler(db, { _, tries in
            if Interruption.isRequested || tries >= RunHistory.busyTries { return 0 }
            usleep(50_000)
            return 1
        }, nil)
        do throws(StratifyError) {
            // A corrupt file often opens and even answers simple queries: check every page first,
            // before anything is written into it.
            var result = ""
            try query("PRAGMA quick_check") { result = RunHistory.text($0, 0) }
            guard result == "ok" else {
                throw StratifyError(.runFailed, "run history '\(path)' fails SQLite's integrity check")
            }
            try exec("PRAGMA journal_mode=WAL")
            try exec(RunHistory.schema)
            try migrateCohortColumns()
            try migrate()
            // A write lock taken and given back now: a history held by another process fails
            // here, before any row is read, not after the whole run.
            try exec("BEGIN IMMEDIATE")
            try exec("ROLLBACK")
        } catch {
            sqlite3_close(db)
            db = nil
            if error.help != nil { throw error }
            throw StratifyError(.runFailed, "run history '\(path)' is unreadable: \(error.message)",
                                help: "stop scheduled runs and restore history.sqlite from a backup; stratify leaves the file as found for inspection (stratify doctor checks it)")
        }
        if publishedRunsExist && !allowNew, try runCount() == 0 {
            sqlite3_close(db)
            db = nil
            throw RunHistory.lost(path, "empty (no runs recorded)")
        }
    }

    static func lost(_ path: String, _ state: String) -> StratifyError {
        StratifyError(.runFailed, "run history '\(path)' is \(state) but the output root has published runs: comparing against an empty history would mark every cohort member new",
                      help: "restore history.sqlite from a backup; to start a new history on purpose, run again with --new-history")
    }

    deinit { sqlite3_close(db) }

    /// Read-only integrity check for `stratify doctor`: nil when the file is sound, else what
    /// SQLite says is wrong.
    public static func check(path: String) -> String? {
        if FileSystem.entryKind(path) == .symbolicLink { return "is a symbolic link (a run refuses it)" }
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, nil) == SQLITE_OK else {
            return db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot be opened"
        }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, nil) == SQLITE_OK else {
            return String(cString: sqlite3_errmsg(db))
        }
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW else { return String(cString: sqlite3_errmsg(db)) }
        let result = RunHistory.text(stmt!, 0)
        return result == "ok" ? nil : result
    }

    /// A failure of SQLite's, with a lock told apart from damage: a history held by another
    /// process is fine and must never be thrown away over it.
    func failure(_ rc: Int32, _ message: String) -> StratifyError {
        let primary = rc & 0xff
        // The busy handler gives up at once on SIGTERM/SIGINT/SIGHUP: report the interruption.
        do { try Interruption.check() } catch { return error }
        if primary == SQLITE_BUSY || primary == SQLITE_LOCKED {
            return StratifyError(.runFailed, "run history '\(path)' is locked by another process (a reader such as sqlite3 or a report tool) and stayed locked for \(Int(RunHistory.busyTries) / 20) s",
                                 help: "close the other program's open transaction on it, then run again; the history itself is fine")
        }
        return StratifyError(.runFailed, "run history '\(path)': \(message)")
    }

    func exec(_ sql: String) throws(StratifyError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(err)
            throw failure(rc, message)
        }
    }

    /// A prepared statement with text/int bindings, stepped to completion; rows go to `row`.
    func query(_ sql: String, _ binds: [Any] = [], row: (OpaquePointer) -> Void = { _ in }) throws(StratifyError) {
        let statement = try prepare(sql)
        try statement.run(binds, row: row)
    }

    /// A statement prepared once and run many times: preparing (parsing the SQL) per inserted row
    /// was half of recording a run (563,000 cohort rows at 1.2M patients).
    func prepare(_ sql: String) throws(StratifyError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw failure(rc, String(cString: sqlite3_errmsg(db)))
        }
        return Statement(stmt: stmt, history: self)
    }

    final class Statement {
        let stmt: OpaquePointer
        let history: RunHistory

        init(stmt: OpaquePointer, history: RunHistory) {
            self.stmt = stmt
            self.history = history
        }

        deinit { sqlite3_finalize(stmt) }

        /// Binds `binds` (String or Int), steps to completion, handing each result row to `row`,
        /// then resets the statement for the next run.
        func run(_ binds: [Any], row: (OpaquePointer) -> Void = { _ in }) throws(StratifyError) {
            defer {
                sqlite3_reset(stmt)
                sqlite3_clear_bindings(stmt)
            }
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for (i, b) in binds.enumerated() {
                if let s = b as? String { sqlite3_bind_text(stmt, Int32(i + 1), s, -1, transient) }
                else if let n = b as? Int { sqlite3_bind_int64(stmt, Int32(i + 1), Int64(n)) }
            }
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_ROW { row(stmt); continue }
                if rc == SQLITE_DONE { return }
                throw history.failure(rc, String(cString: sqlite3_errmsg(history.db)))
            }
        }
    }

    static func text(_ stmt: OpaquePointer, _ col: Int32) -> String {
        sqlite3_column_text(stmt, col).map { String(cString: $0) } ?? ""
    }

    /// The run `latest` names: the latest as-of date, and of its runs the one recorded last
    /// (insertion order, not the run id, which is local clock time).
    public func latestRun() throws(StratifyError) -> String? {
        var id: String?
        try query("SELECT run_id FROM runs ORDER BY as_of DESC, rowid DESC LIMIT 1") { id = RunHistory.text($0, 0) }
        return id
    }

    /// The run a run as of `day` is compared with: the greatest earlier as-of date (of its runs,
    /// the one recorded last). A later run, or one of the same date, is never a "previous" one.
    public func previousRun(before day: Day) throws(StratifyError) -> String? {
        var id: String?
        try query("SELECT run_id FROM runs WHERE as_of < ? ORDER BY as_of DESC, rowid DESC LIMIT 1", [day.description]) {
            id = RunHistory.text($0, 0)
        }
        return id
    }

    /// The latest as-of date recorded (YYYY-MM-DD), if any run is.
    public func latestAsOf() throws(StratifyError) -> Day? {
        var text: String?
        try query("SELECT max(as_of) FROM runs") { text = sqlite3_column_text($0, 0).map { String(cString: $0) } }
        return text.flatMap { Day(iso: $0) }
    }

    public func runCount() throws(StratifyError) -> Int {
        var n = 0
        try query("SELECT count(*) FROM runs") { n = Int(sqlite3_column_int64($0, 0)) }
        return n
    }

    /// The run recorded most recently (insertion order, whatever its as-of date).
    public func lastRecorded() throws(StratifyError) -> String? {
        var id: String?
        try query("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1") { id = RunHistory.text($0, 0) }
        return id
    }

    public func contains(run: String) throws(StratifyError) -> Bool {
        var found = false
        try query("SELECT 1 FROM runs WHERE run_id = ?", [run]) { _ in found = true }
        return found
    }

    public func members(run: String, cohort: String) throws(StratifyError) -> Set<String> {
        var out = Set<String>()
        try query("SELECT patient_id FROM cohort_members WHERE run_id = ? AND cohort = ?", [run, cohort]) {
            out.insert(RunHistory.text($0, 0))
        }
        return out
    }

    /// Cohort sizes per run, oldest first: (run id, as-of date, cohort → members).
    public func cohortSizes() throws(StratifyError) -> [(runID: String, asOf: String, cohorts: [String: Int])] {
        var runs: [(String, String)] = []
        try query("SELECT run_id, as_of FROM runs ORDER BY as_of, run_id") { runs.append((RunHistory.text($0, 0), RunHistory.text($0, 1))) }
        var sizes: [String: [String: Int]] = [:]
        try query("SELECT run_id, cohort, count(*) FROM cohort_members GROUP BY run_id, cohort") {
            sizes[RunHistory.text($0, 0), default: [:]][RunHistory.text($0, 1)] = Int(sqlite3_column_int64($0, 2))
        }
        return runs.map { ($0.0, $0.1, sizes[$0.0] ?? [:]) }
    }

    /// Records a published run in one transaction. `members` gives, per cohort, what the next run
    /// needs to describe its leavers (`cohort_members`' later columns); `summary` the per
    /// neighbourhood counts (`cohort_summary`). Both may be empty (a history written before them
    /// is read the same way).
    public func record(runID: String, pipeline: String, asOf: Day, manifest: String, prevalence: Prevalence?,
                       cohorts: [(name: String, patientIDs: [String])], members: [String: [CohortMember]] = [:],
                       summary: [CohortSummary] = [], measures: [MeasureResult] = []) throws(StratifyError) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("history", seconds: MonotonicClock.seconds(since: t0)) }
        try exec("BEGIN IMMEDIATE")
        do {
            try query("INSERT INTO runs (run_id, pipeline, as_of, manifest) VALUES (?, ?, ?, ?)", [runID, pipeline, asOf.description, manifest])
            let prevalenceRow = try prepare("INSERT INTO prevalence VALUES (?, ?, ?, ?, ?, ?)")
            for r in prevalence?.rows ?? [] {
                try prevalenceRow.run([runID, r.measure, r.grouping.rawValue, r.group, r.numerator, r.denominator])
            }
            let member = try prepare("INSERT INTO cohort_members (run_id, cohort, patient_id) VALUES (?, ?, ?)")
            let described = try prepare(
                "INSERT INTO cohort_members (run_id, cohort, patient_id, nhs_number, practice_code, neighbourhood, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for c in cohorts {
                if let details = members[c.name] {
                    // In key order (the table is clustered on run, cohort, patient_id), so each row
                    // lands beside the last one rather than at a random page of the B-tree: the
                    // history stage 1.9 → 1.6 s for the v2 cohorts' 468,000 rows at 1.2M (the rest
                    // is the WAL's write and fsync at commit).
                    for m in details.sorted(by: { $0.patientID.utf8.lexicographicallyPrecedes($1.patientID.utf8) }) {
                        // An empty NHS number (pseudonym mode) is stored as NULL: nothing to keep.
                        try described.run([runID, c.name, m.patientID, m.nhsNumber.isEmpty ? SQLNull() as Any : m.nhsNumber,
                                           m.practiceCode, m.neighbourhood, m.reasons])
                    }
                } else {
                    for id in c.patientIDs.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { try member.run([runID, c.name, id]) }
                }
            }
            let summaryRow = try prepare("INSERT INTO cohort_summary VALUES (?, ?, ?, ?, ?, ?, ?)")
            for r in summary {
                try summaryRow.run([runID, r.cohort, r.neighbourhood, r.members, r.new, r.continuing, r.leavers])
            }
            for m in measures { try insertMeasures(runID: runID, m) }
            try exec("COMMIT")
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    // MARK: - Cohort details (issue 13)

    /// Columns added to `cohort_members` after its first version, and the summary table. Added in
    /// place (`ALTER TABLE ... ADD COLUMN`), so a history from an older version keeps its runs and
    /// its old rows read as NULL in the new columns.
    static let cohortColumns = ["nhs_number", "practice_code", "neighbourhood", "reasons"]
    static let summarySchema = """
        CREATE TABLE IF NOT EXISTS cohort_summary (
            run_id TEXT NOT NULL REFERENCES runs(run_id), cohort TEXT NOT NULL, neighbourhood TEXT NOT NULL,
            members INTEGER NOT NULL, new INTEGER NOT NULL, continuing INTEGER NOT NULL, leavers INTEGER NOT NULL,
            PRIMARY KEY (run_id, cohort, neighbourhood)) WITHOUT ROWID;
        """

    /// A binding that is neither text nor a number is left unbound: SQL NULL.
    struct SQLNull {}

    func migrateCohortColumns() throws(StratifyError) {
        var have = Set<String>()
        try query("PRAGMA table_info(cohort_members)") { have.insert(RunHistory.text($0, 1)) }
        for column in RunHistory.cohortColumns where !have.contains(column) {
            try exec("ALTER TABLE cohort_members ADD COLUMN \(column) TEXT")
        }
        try exec(RunHistory.summarySchema)
    }

    /// The members of a cohort in a run with what the history kept of them; fields a run did not
    /// record (an older version's rows) are "".
    public func memberDetails(run: String, cohort: String) throws(StratifyError) -> [CohortMember] {
        var out: [CohortMember] = []
        try query("SELECT patient_id, nhs_number, practice_code, neighbourhood, reasons FROM cohort_members WHERE run_id = ? AND cohort = ? ORDER BY patient_id",
                  [run, cohort]) {
            out.append(CohortMember(patientID: RunHistory.text($0, 0), nhsNumber: RunHistory.text($0, 1),
                                    practiceCode: RunHistory.text($0, 2), neighbourhood: RunHistory.text($0, 3),
                                    reasons: RunHistory.text($0, 4)))
        }
        return out
    }
}

/// One row of `cohort_summary`: a cohort's counts in one neighbourhood in one run. Leavers count
/// in the neighbourhood whose list they were on.
public struct CohortSummary: Sendable, Equatable {
    public var cohort: String
    public var neighbourhood: String
    public var members: Int
    public var new: Int
    public var continuing: Int
    public var leavers: Int

    public init(cohort: String, neighbourhood: String, members: Int, new: Int, continuing: Int, leavers: Int) {
        self.cohort = cohort
        self.neighbourhood = neighbourhood
        self.members = members
        self.new = new
        self.continuing = continuing
        self.leavers = leavers
    }

    /// Rows for every neighbourhood with members or leavers, sorted by neighbourhood.
    public static func rows(cohort: String, members: [(neighbourhood: String, continuing: Bool)], leavers: [String]) -> [CohortSummary] {
        var byTeam: [String: CohortSummary] = [:]
        for m in members {
            var r = byTeam[m.neighbourhood] ?? CohortSummary(cohort: cohort, neighbourhood: m.neighbourhood, members: 0, new: 0, continuing: 0, leavers: 0)
            r.members += 1
            if m.continuing { r.continuing += 1 } else { r.new += 1 }
            byTeam[m.neighbourhood] = r
        }
        for team in leavers {
            var r = byTeam[team] ?? CohortSummary(cohort: cohort, neighbourhood: team, members: 0, new: 0, continuing: 0, leavers: 0)
            r.leavers += 1
            byTeam[team] = r
        }
        return byTeam.keys.sorted().map { byTeam[$0]! }
    }
}
