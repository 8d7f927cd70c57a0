import CSQLite
import StratifyCore

/// The history's measure rows: every run's exact counts, one row per measure and group, so a
/// measure's trend for one practice is one query (docs/measures.md, "Trends").
extension RunHistory {
    /// Added in schema version 2. `CREATE … IF NOT EXISTS` is the migration: a history written
    /// before measures existed gains the empty table when first opened and its old tables are
    /// untouched, and older builds ignore a table they do not know.
    static let measuresSchema = """
        CREATE TABLE IF NOT EXISTS measures (
            run_id TEXT NOT NULL REFERENCES runs(run_id), measure TEXT NOT NULL,
            interval_start TEXT NOT NULL, interval_end TEXT NOT NULL, grouping TEXT NOT NULL,
            practice TEXT, pcn TEXT, neighbourhood TEXT, icb TEXT, imd_decile TEXT, imd_quintile TEXT,
            ethnic_group TEXT, ethnic_category TEXT, age_band TEXT, age_band_cvdp TEXT, sex TEXT,
            numerator INTEGER NOT NULL, denominator INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS measures_trend ON measures(measure, grouping, interval_end);
        """

    /// Brings an older history to version 2, writing nothing to one already there: opening the
    /// history must leave its bytes as they were (a failed run leaves the history untouched).
    func migrate() throws(StratifyError) {
        guard try schemaVersion() < 2 else { return }
        try exec(RunHistory.measuresSchema + "PRAGMA user_version = 2;")
    }

    /// Group columns in table order; a row fills those of its grouping and leaves the rest NULL.
    static let measureGroupColumns: [MeasureDimension] = [.practice, .pcn, .neighbourhood, .icb, .imdDecile, .imdQuintile,
                                                          .ethnicGroup, .ethnicCategory, .ageBand, .ageBandCVDP, .sex]

    /// Inserts a run's measure rows; called inside `record`'s transaction.
    func insertMeasures(runID: String, _ result: MeasureResult) throws(StratifyError) {
        let columns = RunHistory.measureGroupColumns
        let statement = try prepare("INSERT INTO measures (run_id, measure, interval_start, interval_end, grouping, "
            + columns.map(\.rawValue).joined(separator: ", ") + ", numerator, denominator) VALUES ("
            + [String](repeating: "?", count: 7 + columns.count).joined(separator: ", ") + ")")
        let start = result.intervalStart.description, end = result.intervalEnd.description
        for r in result.rows {
            let d = result.definitions[r.measure]
            let dims = d.groupings[r.grouping]
            // A value that is neither String nor Int is left unbound, which SQLite stores as NULL.
            var binds: [Any] = [runID, d.name, start, end, MeasureDefinition.groupingName(dims)]
            for c in columns { binds.append(dims.firstIndex(of: c).map { r.groups[$0] as Any } ?? Optional<String>.none as Any) }
            binds += [r.numerator, r.denominator]
            try statement.run(binds)
        }
    }

    /// The ICB row of every measure at each as-of date in the history (the latest run of each
    /// date, as the documented trend query), oldest first: exact counts, for the run report's
    /// trend against target. Read before a run, so it holds earlier runs only.
    public func icbMeasureTrend() throws(StratifyError) -> [MeasureTrendPoint] {
        try select("""
            SELECT m.measure, m.interval_end, m.numerator, m.denominator FROM measures m
            WHERE m.grouping = 'icb'
              AND m.run_id = (SELECT max(x.run_id) FROM measures x
                              WHERE x.interval_end = m.interval_end AND x.measure = m.measure AND x.grouping = 'icb')
            ORDER BY m.measure, m.interval_end
            """).compactMap { r in
            guard r.count == 4, let name = r[0], let end = r[1], let num = r[2].flatMap({ Int($0) }), let den = r[3].flatMap({ Int($0) }) else { return nil }
            return MeasureTrendPoint(measure: name, asOf: end, numerator: num, denominator: den)
        }
    }

    /// Runs one SQL statement and returns every result row as text (NULL as nil): the queries
    /// docs/measures.md documents, for tests and tools. Binds are String or Int.
    public func select(_ sql: String, _ binds: [Any] = []) throws(StratifyError) -> [[String?]] {
        var out: [[String?]] = []
        try query(sql, binds) { stmt in
            out.append((0..<sqlite3_column_count(stmt)).map { c in
                sqlite3_column_type(stmt, c) == SQLITE_NULL ? nil : RunHistory.text(stmt, c)
            })
        }
        return out
    }

    /// The schema version (`PRAGMA user_version`): 0 before measures, 2 with them.
    public func schemaVersion() throws(StratifyError) -> Int {
        var v = 0
        try query("PRAGMA user_version") { v = Int(sqlite3_column_int64($0, 0)) }
        return v
    }
}

/// One measure's ICB counts at one as-of date, from the run history.
public struct MeasureTrendPoint: Sendable, Equatable {
    public var measure: String
    public var asOf: String
    public var numerator: Int
    public var denominator: Int

    public init(measure: String, asOf: String, numerator: Int, denominator: Int) {
        self.measure = measure
        self.asOf = asOf
        self.numerator = numerator
        self.denominator = denominator
    }
}
