#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StratifyCore

/// Turning the patient-major accumulators into one column per aggregation.
///
/// Why blocked: a patient's record holds every aggregation's entry (about 1 KB with rule set v2),
/// so gathering one aggregation's column touches a cache line per patient, and doing that once
/// per aggregation read the whole accumulator memory ~190 times (2.3 s of CPU at 1.2M patients,
/// one core). A block of patients' records fits in cache, so every aggregation is gathered from
/// the block before moving on, and each record is read from memory once.
///
/// Why the accumulators' pages are given back as the gather passes them: the columns (about
/// 520 MB at 1.2M patients with v2) were allocated, zeroed, while the accumulators (1.2 GB) were
/// still held, so they took pages the process had never had, and on the virtual machines we run
/// on a first touch of such a page cost about 8 µs (the host backs it), 1.3 s of that one
/// allocation at 1.2M (BENCHMARKS.md, "Issue 15 ... fourth session"). The columns are now left
/// uninitialised and filled by the gather itself, block by block, right behind pages of records
/// it has finished with and handed back (`madvise(MADV_DONTNEED)`), so their pages are ones the
/// process just used.
///
/// Why unsafe: the inner loops index raw buffers, and the release zeroes memory behind Swift's
/// back. Invariants:
/// - as for `update` (FlagEngine+Unsafe.swift): `start(patients: n)` gave each accumulator array
///   n records of its stride, and every aggregation of a gathered kind an offset < that stride;
/// - each output column has n entries, and every one is written before it is read: each gathered
///   kind writes entry p of its column for every block, and the blocks cover 0..<n;
/// - a page is released only when it lies wholly inside an accumulator's elements and wholly
///   below the records already gathered; the accumulators are made unique first
///   (`withUnsafeMutableBufferPointer`), so a copy of the engine never sees the release, and
///   `finish` drops them right after, so nothing reads the released (now zero) records.
extension FlagEngine {
    /// The simple kinds' columns, by aggregation (nil for `episodes` and `bp_latest`, which
    /// `finish` builds from their own state). Leaves the accumulators' contents undefined: call
    /// it once, from `finish`. `releaseBytes`: how many bytes of finished records to gather
    /// before handing their pages back (tests make it small to release at small sizes).
    mutating func gatherAggregationColumns(releaseBytes: Int = 1 << 20) -> [Column?] {
        let n = patientCount
        let m = kinds.count
        precondition(counts.count == n * countStride && dates.count == n * dateStride && values.count == n * valueStride
                     && values2.count == n * stride2, "accumulators not sized by start(patients:)")
        var flags = [[UInt8]](repeating: [], count: m), ints = [[Int64]](repeating: [], count: m)
        var days = [[Int32]](repeating: [], count: m), numbers = [[Double]](repeating: [], count: m)
        var labels = [[Int32]](repeating: [], count: m)
        for a in 0..<m {
            switch kinds[a] {
            case .ever, .exists: flags[a] = Self.uninitialised(n)
            case .count, .distinctCount, .distinctValues: ints[a] = Self.uninitialised(n)
            case .earliest, .latest, .latestValueDate: days[a] = Self.uninitialised(n)
            case .latestValue, .highestOnLatest, .secondLatestValue: numbers[a] = Self.uninitialised(n)
            case .latestLabel: labels[a] = Self.uninitialised(n)
            case .episodes, .bpLatest: break
            }
        }
        let block = 2048
        let kinds = self.kinds, base = self.base, valueBase = self.valueBase, base2 = self.base2
        let countStride = self.countStride, dateStride = self.dateStride, valueStride = self.valueStride, stride2 = self.stride2
        let recordBytes = countStride * 4 + dateStride * 4 + valueStride * 8 + stride2 * 8
        let page = Self.pageSize
        var released = (counts: 0, dates: 0, values: 0, values2: 0), pending = 0
        counts.withUnsafeMutableBufferPointer { counts in
        dates.withUnsafeMutableBufferPointer { dates in
        values.withUnsafeMutableBufferPointer { values in
        values2.withUnsafeMutableBufferPointer { values2 in
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
                pending += (to - from) * recordBytes
                if pending >= releaseBytes || to == n {
                    pending = 0
                    Self.release(UnsafeMutableRawBufferPointer(counts), below: to * countStride * 4, page: page, done: &released.counts)
                    Self.release(UnsafeMutableRawBufferPointer(dates), below: to * dateStride * 4, page: page, done: &released.dates)
                    Self.release(UnsafeMutableRawBufferPointer(values), below: to * valueStride * 8, page: page, done: &released.values)
                    Self.release(UnsafeMutableRawBufferPointer(values2), below: to * stride2 * 8, page: page, done: &released.values2)
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

    /// n entries left uninitialised, for a column every entry of which the gather writes.
    static func uninitialised<T: BitwiseCopyable>(_ n: Int) -> [T] {
        [T](unsafeUninitializedCapacity: n) { _, count in count = n }
    }

    static let pageSize: Int = max(1, Int(sysconf(Int32(_SC_PAGESIZE))))

    /// Hands back to the kernel the whole pages of `buffer` that lie below byte `end` and that
    /// earlier calls (up to byte `done`) have not: they read as zeros afterwards. A failure
    /// leaves the pages as they were, which costs memory, not correctness.
    static func release(_ buffer: UnsafeMutableRawBufferPointer, below end: Int, page: Int, done: inout Int) {
        guard let start = buffer.baseAddress, end > done else { return }
        let address = UInt(bitPattern: start)
        let from = (address + UInt(done) + UInt(page) - 1) / UInt(page) * UInt(page)
        let to = (address + UInt(min(end, buffer.count))) / UInt(page) * UInt(page)
        if to > from {
            _ = madvise(UnsafeMutableRawPointer(bitPattern: from), Int(to - from), Int32(MADV_DONTNEED))
            done = Int(to - address)
        }
    }
}
