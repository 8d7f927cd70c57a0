import StratifyCore

/// Turning the patient-major accumulators into one column per aggregation.
///
/// Why blocked: a patient's record holds every aggregation's entry (about 1 KB with rule set v2),
/// so gathering one aggregation's column touches a cache line per patient, and doing that once
/// per aggregation read the whole accumulator memory ~190 times (2.3 s of CPU at 1.2M patients,
/// one core). A block of patients' records fits in cache, so every aggregation is gathered from
/// the block before moving on, and each record is read from memory once.
///
/// Why unsafe: the inner loops index raw buffers. Invariants, as for `update`
/// (FlagEngine+Unsafe.swift): `start(patients: n)` gave each accumulator array n records of its
/// stride, every aggregation of a gathered kind an offset < that stride, and each output column
/// here is allocated with n entries before any block is gathered.
extension FlagEngine {
    /// The simple kinds' columns, by aggregation (nil for `episodes` and `bp_latest`, which
    /// `finish` builds from their own state).
    func gatherAggregationColumns() -> [Column?] {
        let n = patientCount
        let m = kinds.count
        precondition(counts.count == n * countStride && dates.count == n * dateStride && values.count == n * valueStride
                     && values2.count == n * stride2, "accumulators not sized by start(patients:)")
        var flags = [[UInt8]](repeating: [], count: m), ints = [[Int64]](repeating: [], count: m)
        var days = [[Int32]](repeating: [], count: m), numbers = [[Double]](repeating: [], count: m)
        var labels = [[Int32]](repeating: [], count: m)
        for a in 0..<m {
            switch kinds[a] {
            case .ever, .exists: flags[a] = [UInt8](repeating: 0, count: n)
            case .count, .distinctCount, .distinctValues: ints[a] = [Int64](repeating: 0, count: n)
            case .earliest, .latest, .latestValueDate: days[a] = [Int32](repeating: 0, count: n)
            case .latestValue, .highestOnLatest, .secondLatestValue: numbers[a] = [Double](repeating: 0, count: n)
            case .latestLabel: labels[a] = [Int32](repeating: 0, count: n)
            case .episodes, .bpLatest: break
            }
        }
        let block = 2048
        counts.withUnsafeBufferPointer { counts in
        dates.withUnsafeBufferPointer { dates in
        values.withUnsafeBufferPointer { values in
        values2.withUnsafeBufferPointer { values2 in
            for from in stride(from: 0, to: n, by: block) {
                let to = min(n, from + block)
                for a in 0..<m {
                    let b = base[a], vb = valueBase[a], b2 = base2[a]
                    switch kinds[a] {
                    case .ever, .exists:
                        flags[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { out[p] = counts[p &* countStride &+ b] > 0 ? 1 : 0 }
                        }
                    case .count, .distinctCount, .distinctValues:
                        ints[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { out[p] = Int64(counts[p &* countStride &+ b]) }
                        }
                    case .earliest:
                        days[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { let d = dates[p &* dateStride &+ b]; out[p] = d == Int32.max ? Column.nullDate : d }
                        }
                    case .latest:
                        days[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { out[p] = dates[p &* dateStride &+ b] }
                        }
                    case .latestValueDate:
                        days[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to {
                                out[p] = values[p &* valueStride &+ vb].isNaN ? Column.nullDate : dates[p &* dateStride &+ b]
                            }
                        }
                    case .latestValue, .highestOnLatest:
                        numbers[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { out[p] = values[p &* valueStride &+ vb] }
                        }
                    case .secondLatestValue:
                        numbers[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { out[p] = values2[p &* stride2 &+ b2] }
                        }
                    case .latestLabel:
                        labels[a].withUnsafeMutableBufferPointer { out in
                            for p in from..<to { let v = values[p &* valueStride &+ vb]; out[p] = v.isNaN ? -1 : Int32(v) }
                        }
                    case .episodes, .bpLatest:
                        break
                    }
                }
            }
        }}}}
        return (0..<m).map { a -> Column? in
            switch kinds[a] {
            case .ever, .exists: .bool(flags[a])
            case .count, .distinctCount, .distinctValues: .int(ints[a])
            case .earliest, .latest, .latestValueDate: .date(days[a])
            case .latestValue, .highestOnLatest, .secondLatestValue: .number(numbers[a])
            case .latestLabel: .string(labels[a], table: ruleSet.lists[ruleSet.aggregations[a].list].labels ?? [])
            case .episodes, .bpLatest: nil
            }
        }
    }
}
