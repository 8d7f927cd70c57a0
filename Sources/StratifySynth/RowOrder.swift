#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// The order of the event and medication rows in a synthetic extract. Real extracts come in any
/// order: per patient (some suppliers), by date (an audit-log export), or no order at all (a
/// database dump), and ingest must give the same results and similar memory for each.
public enum RowOrder: String, CaseIterable, Sendable {
    /// Each patient's rows together, patients in turn: what `synth` always wrote (the default).
    case patient
    /// Sorted by the `date` column; rows of one date stay in patient order.
    case date
    /// A uniformly random permutation, fixed by the seed.
    case shuffled
}

/// Reorders one table's rows without holding the table in memory: rows are dealt into buckets
/// (spill files in a private scratch folder), then each bucket is read back, ordered and written
/// out in turn. For `date` the buckets are ranges of dates in ascending order (a year each, a
/// month each for the last ten years, where most rows are), so sorting each bucket sorts the
/// table. For `shuffled` a row's bucket is random and each bucket is shuffled: a random bucket
/// then a uniform permutation within it is a uniform permutation of the whole. Memory is the
/// largest bucket plus a small buffer per bucket. Rows arrive in a deterministic order and every
/// draw comes from a stream fixed by the seed, so the bytes are deterministic.
final class RowOrderSpill {
    let order: RowOrder
    let directory: String
    let name: String
    let seed: UInt64
    private var buffers: [[UInt8]]
    private var spilled: [Bool]
    private var dealer: SeededRandom
    /// Month number (year * 12 + month - 1) of the first monthly bucket.
    private let firstMonth: Int
    private let yearlyBuckets: Int
    static let flushAt = 256 << 10
    static let shuffleBuckets = 64
    static let firstYear = 1900

    init(order: RowOrder, directory: String, name: String, seed: UInt64, asOf: Day) {
        precondition(order != .patient, "patient order needs no spill")
        self.order = order
        self.directory = directory
        self.name = name
        self.seed = seed
        let (y, m, _) = asOf.civil
        firstMonth = y * 12 + (m - 1) - 119
        yearlyBuckets = firstMonth / 12 - RowOrderSpill.firstYear + 1
        // Bucket 0: dates that do not parse (defective rows); then the yearly buckets; then 120
        // monthly ones up to the as-of month, and one for later dates.
        let count = order == .shuffled ? RowOrderSpill.shuffleBuckets : 1 + yearlyBuckets + 121
        buffers = Array(repeating: [], count: count)
        spilled = Array(repeating: false, count: count)
        dealer = SeededRandom(seed: seed ^ 0x0ADE_50D7, stream: UInt64(truncatingIfNeeded: name.hashValueStable))
    }

    /// Adds rows (each ending in a line feed).
    func add(_ rows: [UInt8]) throws(StratifyError) {
        var start = 0
        while start < rows.count {
            guard let end = rows[start...].firstIndex(of: 0x0A) else { break }
            let b = bucket(rows, start, end)
            buffers[b].append(contentsOf: rows[start...end])
            if buffers[b].count >= RowOrderSpill.flushAt { try spill(b) }
            start = end + 1
        }
    }

    /// Writes every row, ordered, to `out`, and removes the spill files.
    func drain(into out: OutputFile) throws(StratifyError) {
        for b in buffers.indices {
            var bytes: [UInt8]
            if spilled[b] {
                try spill(b)
                bytes = try FileSystem.readAll(path(b))
                unlink(path(b))
            } else {
                bytes = buffers[b]
            }
            buffers[b] = []
            if bytes.isEmpty { continue }
            var lines: [Range<Int>] = []
            var start = 0
            while start < bytes.count, let end = bytes[start...].firstIndex(of: 0x0A) {
                lines.append(start..<(end + 1))
                start = end + 1
            }
            switch order {
            case .patient: break
            case .date:
                // Stable: rows of one date keep the order they were added in (patient order).
                let keys = lines.map { RowOrderSpill.dateKey(bytes, $0.lowerBound, $0.upperBound - 1) }
                let sorted = lines.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
                lines = sorted.map { lines[$0] }
            case .shuffled:
                var rng = SeededRandom(seed: seed ^ 0x5_4FF1E, stream: UInt64(b) << 32 | UInt64(truncatingIfNeeded: name.hashValueStable))
                for i in stride(from: lines.count - 1, to: 0, by: -1) {
                    lines.swapAt(i, rng.below(i + 1))
                }
            }
            var chunk: [UInt8] = []
            chunk.reserveCapacity(1 << 20)
            for r in lines {
                chunk.append(contentsOf: bytes[r])
                if chunk.count >= 1 << 20 { try out.write(chunk); chunk.removeAll(keepingCapacity: true) }
            }
            try out.write(chunk)
        }
    }

    /// Removes any spill files left (after an error).
    func discard() {
        for b in buffers.indices where spilled[b] { unlink(path(b)) }
    }

    private func path(_ b: Int) -> String { directory + "/\(name)-\(b)" }

    private func spill(_ b: Int) throws(StratifyError) {
        let fd = open(path(b), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StratifyError(.runFailed, "cannot create '\(path(b))': \(String(cString: strerror(errno)))",
                                help: "check free disk space and permissions on the output folder")
        }
        defer { close(fd) }
        var offset = 0
        while offset < buffers[b].count {
            let n = buffers[b].withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StratifyError(.runFailed, "cannot write '\(path(b))': \(String(cString: strerror(errno)))",
                                    help: "check free disk space and permissions on the output folder")
            }
            offset += n
        }
        buffers[b].removeAll(keepingCapacity: false)
        spilled[b] = true
    }

    private func bucket(_ rows: [UInt8], _ start: Int, _ end: Int) -> Int {
        if order == .shuffled { return dealer.below(buffers.count) }
        let key = RowOrderSpill.dateKey(rows, start, end)
        if key == 0 { return 0 }
        let year = key / 10000, month = year * 12 + (key / 100 % 100) - 1
        if month < firstMonth { return 1 + min(max(year - RowOrderSpill.firstYear, 0), yearlyBuckets - 1) }
        return 1 + yearlyBuckets + min(month - firstMonth, 120)
    }

    /// The second field as YYYYMMDD when it is a date of that shape, else 0 (defective rows).
    static func dateKey(_ b: [UInt8], _ start: Int, _ end: Int) -> Int {
        guard let comma = b[start..<end].firstIndex(of: 0x2C), comma + 10 <= end else { return 0 }
        var key = 0
        for i in 0..<10 {
            let c = b[comma + 1 + i]
            if i == 4 || i == 7 {
                if c != 0x2D { return 0 }
                continue
            }
            guard c >= 0x30 && c <= 0x39 else { return 0 }
            key = key * 10 + Int(c - 0x30)
        }
        return key
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: `hashValue` is seeded per process, so it cannot fix a stream.
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for c in utf8 { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
