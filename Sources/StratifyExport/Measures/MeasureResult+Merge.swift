import StratifyCore

extension MeasureResult {
    /// The result one run over every shard's patients gives, from the shards' results (each over
    /// its own practices, same definitions and interval): every count is a sum over patients, so
    /// cells add up; a cell only one shard has (its practices) is kept as it is. Rows come out in
    /// the engine's order: measure, grouping, then each dimension's label order
    /// (`MeasureEngine.labelOrder`). The statistics (intervals, funnels, SII, suppression) are
    /// computed when the files are written, from these counts, as for a run.
    public static func merging(_ shards: [MeasureResult]) -> MeasureResult? {
        guard let first = shards.first else { return nil }
        struct Key: Hashable { var measure: Int, grouping: Int, groups: [String] }
        var index: [Key: Int] = [:]
        var rows: [Row] = []
        for shard in shards {
            for r in shard.rows {
                let key = Key(measure: r.measure, grouping: r.grouping, groups: r.groups)
                guard let i = index[key] else {
                    index[key] = rows.count
                    rows.append(r)
                    continue
                }
                rows[i].numerator += r.numerator
                rows[i].denominator += r.denominator
                if let n = r.bandNumerators, let d = r.bandDenominators, let mn = rows[i].bandNumerators, let md = rows[i].bandDenominators {
                    rows[i].bandNumerators = zip(mn, n).map { $0 + $1 }
                    rows[i].bandDenominators = zip(md, d).map { $0 + $1 }
                }
            }
        }
        let orders = first.definitions.map { d in d.groupings.map { $0.map(MeasureEngine.labelOrder) } }
        func sortKey(_ r: Row) -> [(Int, String)] {
            zip(orders[r.measure][r.grouping], r.groups).map { order, label in order(label) }
        }
        rows.sort { a, b in
            if a.measure != b.measure { return a.measure < b.measure }
            if a.grouping != b.grouping { return a.grouping < b.grouping }
            return sortKey(a).lexicographicallyPrecedes(sortKey(b)) { $0 < $1 }
        }
        func summed(_ parts: [[[(numerator: Int, denominator: Int)]]]) -> [[(numerator: Int, denominator: Int)]] {
            parts[0].indices.map { m in
                parts[0][m].indices.map { q in
                    (parts.map { $0[m][q].numerator }.reduce(0, +), parts.map { $0[m][q].denominator }.reduce(0, +))
                }
            }
        }
        var practices = first.practices
        for s in shards.dropFirst() { practices.merge(s.practices) { a, _ in a } }
        return MeasureResult(intervalStart: first.intervalStart, intervalEnd: first.intervalEnd, definitions: first.definitions,
                             rows: rows, deciles: summed(shards.map(\.deciles)), quintiles: summed(shards.map(\.quintiles)),
                             practices: practices)
    }
}
