import StratifyCore

/// The accumulator arrays of `FlagEngine`, moved out of the engine for one batch.
struct AccumulatorColumns {
    var counts: [Int32] = [], dates: [Int32] = [], values: [Double] = []
    var dates2: [Int32] = [], values2: [Double] = [], distinct: [UInt64] = []
}

/// The streaming pass's per-row accumulator updates over raw buffers.
///
/// Why unsafe: with Swift arrays every update paid a uniqueness check (and, through a nested
/// function's captures, a dynamic exclusivity check); this loop runs for every event on the
/// merging thread. Invariants that make the unchecked indexing sound:
/// - `start(patients: n)` gave each array n patient records of its stride (`countStride`, ...),
///   every aggregation an entry at its offset in the record (`base`, `valueBase`, `base2`;
///   `distinct`: cap slots from `base2`), offsets < stride, and offsets are only read for the
///   kinds that have that entry;
/// - every row's patient index p is < n: the reader resolved it against the same `PatientTable`
///   whose count sized the columns (checked once per batch below);
/// - `opStart`/`anyStart` index `flatOps` as built by `Dispatch`, and a code's signature is < the
///   number of signatures (`CodeTable` maps codes to the signatures it was built with).
extension FlagEngine {
    mutating func update(_ patient: [Int32], _ date: [Int32], _ code: [UInt64], _ value: [Double]?,
                         _ dispatch: Dispatch, _ dateOfBirth: [Int32], _ columns: inout AccumulatorColumns) -> Int {
        let n = patientCount
        precondition(dateOfBirth.count == n && date.count == patient.count && code.count == patient.count
                     && (value?.count ?? patient.count) == patient.count, "batch columns of different lengths")
        precondition(patient.allSatisfy { $0 >= 0 && Int($0) < n }, "patient index outside the patient table")
        let kinds = self.kinds, caps = self.caps, base = self.base, valueBase = self.valueBase, base2 = self.base2
        let countStride = self.countStride, dateStride = self.dateStride, valueStride = self.valueStride
        let stride2 = self.stride2, distinctStride = self.distinctStride
        precondition(columns.counts.count == n * countStride && columns.dates.count == n * dateStride
                     && columns.values.count == n * valueStride && columns.dates2.count == n * stride2
                     && columns.values2.count == n * stride2 && columns.distinct.count == n * distinctStride,
                     "accumulators not sized by start(patients:)")
        let ops = dispatch.flatOps, opStart = dispatch.opStart, anyStart = dispatch.anyStart, table = dispatch.table
        let d = asOf.rawValue
        var unmatched = 0
        columns.counts.withUnsafeMutableBufferPointer { counts in
        columns.dates.withUnsafeMutableBufferPointer { dates in
        columns.values.withUnsafeMutableBufferPointer { values in
        columns.dates2.withUnsafeMutableBufferPointer { dates2 in
        columns.values2.withUnsafeMutableBufferPointer { values2 in
        columns.distinct.withUnsafeMutableBufferPointer { distinct in
            for i in 0..<patient.count {
                let day = date[i]
                let p = Int(patient[i])
                if day > d || day < dateOfBirth[p] { continue }
                // The patient's records (patient-major: one row's updates share a line or two).
                let pc = p &* countStride, pd = p &* dateStride, pv = p &* valueStride
                let p2 = p &* stride2, pk = p &* distinctStride
                var from = anyStart, to = ops.count, eventValue = Double.nan
                let sig = Int(table.find(code[i]))
                // `*` lists first (as before), then the code's own signature.
                for pass in 0..<2 {
                    if pass == 1 {
                        if sig < 0 { unmatched += 1; break }
                        from = Int(opStart[sig]); to = Int(opStart[sig + 1]); eventValue = value?[i] ?? .nan
                    }
                    for k in from..<to {
                        let op = ops[k]
                        guard day > op.after else { continue }
                        if op.filtered {
                            if op.minAge > 0 && Day(rawValue: dateOfBirth[p]).age(on: Day(rawValue: day)) < Int(op.minAge) { continue }
                            if op.hasTest && !op.test.passes(eventValue) { continue }
                        }
                        let a = Int(op.aggregation)
                        let v = op.listValue.isNaN ? eventValue : op.listValue
                        switch kinds[a] {
                        case .ever, .count, .exists:
                            counts[pc &+ base[a]] &+= 1
                        case .earliest:
                            let j = pd &+ base[a]
                            if day < dates[j] { dates[j] = day }
                        case .latest:
                            let j = pd &+ base[a]
                            if day > dates[j] { dates[j] = day }
                        case .latestValue, .highestOnLatest, .latestLabel, .latestValueDate:
                            guard !v.isNaN else { continue }
                            let j = pd &+ base[a], jv = pv &+ valueBase[a]
                            let cur = dates[j]
                            let better = kinds[a] == .highestOnLatest ? v > values[jv] : v < values[jv]
                            if day > cur || (day == cur && better) {
                                dates[j] = day
                                values[jv] = v
                            }
                        case .secondLatestValue:
                            guard !v.isNaN else { continue }
                            let j = pd &+ base[a], jv = pv &+ valueBase[a], j2 = p2 &+ base2[a]
                            // Rank by date descending, then value ascending ("same date: lower value first").
                            if day > dates[j] || (day == dates[j] && v < values[jv]) {
                                dates2[j2] = dates[j]; values2[j2] = values[jv]
                                dates[j] = day; values[jv] = v
                            } else if day > dates2[j2] || (day == dates2[j2] && v < values2[j2]) || dates2[j2] == Int32.min {
                                dates2[j2] = day; values2[j2] = v
                            }
                        case .distinctCount:
                            let cap = caps[a]
                            let j = pc &+ base[a]
                            let held = Int(counts[j])
                            if held >= cap { continue }
                            let slots = pk &+ base2[a]
                            var seen = false
                            for s in 0..<held where distinct[slots &+ s] == code[i] { seen = true; break }
                            if !seen {
                                distinct[slots &+ held] = code[i]
                                counts[j] = Int32(held + 1)
                            }
                        case .distinctValues:
                            guard !v.isNaN else { continue }
                            let cap = caps[a]
                            let j = pc &+ base[a]
                            let held = Int(counts[j])
                            if held >= cap { continue }
                            let slots = pk &+ base2[a]
                            let key = v.bitPattern
                            var seen = false
                            for s in 0..<held where distinct[slots &+ s] == key { seen = true; break }
                            if !seen {
                                distinct[slots &+ held] = key
                                counts[j] = Int32(held + 1)
                            }
                        case .episodes, .bpLatest:
                            applyRare(op, kinds[a], patient: p, date: day, value: v)
                        }
                    }
                }
            }
        }}}}}}
        return unmatched
    }
}
