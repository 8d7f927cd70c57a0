import StratifyCore
import StratifyIngest

/// The run manifest's ingest sections. Scripts depend on `tables.<name>.rows_read`,
/// `rows_accepted`, `rows_quarantined` and `quarantined_by_reason`: keep those names.
public enum IngestManifest {
    public static func tables(_ result: IngestResult) -> JSON {
        .object(result.tables.map { t in
            (t.table.rawValue, .object([
                ("file", .string(t.path)),
                ("gzip", .bool(t.gzip)),
                ("bytes", .int(Int(t.fileBytes))),
                ("checksum_algorithm", .string(t.checksumKind.rawValue)),
                ("checksum", .string(t.checksum)),
                ("rows_read", .int(t.rowsRead)),
                ("rows_accepted", .int(t.rowsAccepted)),
                ("rows_quarantined", .int(t.rowsQuarantined)),
                ("quarantined_by_reason", .object(QuarantineReason.allCases.map { ($0.code, .int(t.quarantinedByReason[$0] ?? 0)) })),
                ("quarantined_share", .double(t.rowsRead == 0 ? 0 : Double(t.rowsQuarantined) / Double(t.rowsRead))),
                ("over_threshold", .bool(result.tablesOverThreshold.contains(t.table))),
                ("conservation_holds", .bool(t.rowsRead == t.rowsAccepted + t.rowsQuarantined)),
                ("quarantine_rows_left_out", .int(t.quarantineRowsLeftOut)),
                ("unknown_columns", .array(t.unknownColumns.map { .string($0) })),
                ("unknown_columns_not_shown", .int(t.unknownColumnsNotShown)),
                ("seconds", .double(t.seconds)),
            ]))
        })
    }

    public static func dataQuality(_ q: DataQualityCounts) -> JSON {
        .object([
            ("events_after_as_of", .int(q.eventsAfterAsOf)),
            ("events_before_birth", .int(q.eventsBeforeBirth)),
            ("medications_after_as_of", .int(q.medicationsAfterAsOf)),
            ("medications_before_birth", .int(q.medicationsBeforeBirth)),
            ("patients_died_on_or_before_as_of", .int(q.patientsDiedOnOrBeforeAsOf)),
            ("patients_registered_after_as_of", .int(q.patientsRegisteredAfterAsOf)),
            ("patients_born_after_as_of", .int(q.patientsBornAfterAsOf)),
        ])
    }

    public static let reasonCodes: JSON = .object(QuarantineReason.allCases.map { ($0.code, .string($0.summary)) })
}
