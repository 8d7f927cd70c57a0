#if canImport(Glibc)
import Glibc
#endif
import CSQLite
import StratifyCore

/// The run history, `<output root>/history.sqlite`, through the system SQLite. It keeps each
/// published run's manifest, its prevalence aggregates, and its cohort memberships as patient keys
/// only, so the next run can mark new, continuing and leaving patients and the report can chart
/// trends. Analysts can query it with any SQLite client (schema in docs/history.md).
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

    public init(path: String) throws(StratifyError) {
        self.path = path
        if sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            db = nil
            throw StratifyError(.runFailed, "cannot open run history '\(path)': \(message)")
        }
        // Cohort memberships are patient identifiers: the history is patient-level data (0600;
        // SQLite gives its -wal and -shm files the same mode).
        chmod(path, 0o600)
        do {
            try exec("PRAGMA journal_mode=WAL")
            try exec(RunHistory.schema)
            try migrate()
            // A corrupt file often opens but fails here: say so plainly.
            try exec("SELECT count(*) FROM runs")
        } catch {
            sqlite3_close(db)
            db = nil
            throw StratifyError(.runFailed, "run history '\(path)' is unreadable: \(error.message)",
                                help: "move the file aside; the next run starts a new history (past runs' folders are untouched)")
        }
    }

    deinit { sqlite3_close(db) }

    /// Read-only integrity check for `stratify doctor`: nil when the file is sound, else what
    /// SQLite says is wrong.
    public static func check(path: String) -> String? {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
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

    func exec(_ sql: String) throws(StratifyError) {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(err)
            throw StratifyError(.runFailed, "run history '\(path)': \(message)")
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
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw StratifyError(.runFailed, "run history '\(path)': \(String(cString: sqlite3_errmsg(db)))")
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
                throw StratifyError(.runFailed, "run history '\(history.path)': \(String(cString: sqlite3_errmsg(history.db)))")
            }
        }
    }

    static func text(_ stmt: OpaquePointer, _ col: Int32) -> String {
        sqlite3_column_text(stmt, col).map { String(cString: $0) } ?? ""
    }

    /// The latest recorded run (by as-of date, then run id).
    public func latestRun() throws(StratifyError) -> String? {
        var id: String?
        try query("SELECT run_id FROM runs ORDER BY as_of DESC, run_id DESC LIMIT 1") { id = RunHistory.text($0, 0) }
        return id
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

    /// Records a published run in one transaction.
    public func record(runID: String, pipeline: String, asOf: Day, manifest: String, prevalence: Prevalence?,
                       cohorts: [(name: String, patientIDs: [String])], measures: MeasureResult? = nil) throws(StratifyError) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("history", seconds: MonotonicClock.seconds(since: t0)) }
        try exec("BEGIN IMMEDIATE")
        do {
            try query("INSERT INTO runs (run_id, pipeline, as_of, manifest) VALUES (?, ?, ?, ?)", [runID, pipeline, asOf.description, manifest])
            let prevalenceRow = try prepare("INSERT INTO prevalence VALUES (?, ?, ?, ?, ?, ?)")
            for r in prevalence?.rows ?? [] {
                try prevalenceRow.run([runID, r.measure, r.grouping.rawValue, r.group, r.numerator, r.denominator])
            }
            let member = try prepare("INSERT INTO cohort_members VALUES (?, ?, ?)")
            for c in cohorts {
                for id in c.patientIDs { try member.run([runID, c.name, id]) }
            }
            if let measures { try insertMeasures(runID: runID, measures) }
            try exec("COMMIT")
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }
}
