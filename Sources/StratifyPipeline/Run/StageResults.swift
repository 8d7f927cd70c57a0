import StratifyExport
import StratifyFlags
import StratifyIngest

/// What the stages produced, for outputs built on top of them (the report).
public struct StageResults: Sendable {
    public let ingest: IngestResult
    public let flags: FlagResult
    public let scores: [(String, Column)]
    public let prevalence: Prevalence?
}
