import StratifyCore

extension Prevalence {
    /// Prevalence of several shards of one population (disjoint practice lists, docs/sharding.md):
    /// numerators and denominators are summed per measure and group, then ordered, and the ICB
    /// ratio recomputed, by the code a run uses. Intervals, funnel limits, variation and disclosure
    /// control are derived from these counts when the files are rendered (`PrevalenceCSV`), so a
    /// merged file equals the file of one run over the whole population.
    ///
    /// - Parameter measures: measure names in file order (the reference's measures file).
    public init(merging shards: [Prevalence], measures: [String]) {
        var counts: [String: [Grouping: [String: Counts]]] = [:]
        for shard in shards {
            for r in shard.rows {
                var c = counts[r.measure, default: [:]][r.grouping, default: [:]][r.group] ?? Counts(numerator: 0, denominator: 0)
                c.numerator += r.numerator
                c.denominator += r.denominator
                counts[r.measure, default: [:]][r.grouping, default: [:]][r.group] = c
            }
        }
        rows = measures.flatMap { Prevalence.rows(measure: $0, counts: counts[$0] ?? [:]) }
    }

    /// Rows with counts only (no comparator), as a shard hands them to `stratify merge`.
    public init(counts: [(measure: String, grouping: Grouping, group: String, numerator: Int, denominator: Int)]) {
        rows = counts.map { Row(measure: $0.measure, grouping: $0.grouping, group: $0.group, numerator: $0.numerator,
                                denominator: $0.denominator, icbRatio: nil) }
    }
}
