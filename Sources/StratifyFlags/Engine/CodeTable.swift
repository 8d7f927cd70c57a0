/// An open-addressing hash map from a concept id to a small integer, built once per run. The
/// streaming pass does one lookup per event; no strings are touched.
struct CodeTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private let mask: Int

    init(_ pairs: [(UInt64, Int32)]) {
        var cap = 64
        while cap < pairs.count * 2 { cap <<= 1 }
        keys = Array(repeating: 0, count: cap)  // 0 is never a concept id (no leading zero, 6+ digits)
        values = Array(repeating: -1, count: cap)
        mask = cap - 1
        for (k, v) in pairs {
            var p = CodeTable.slot(k) & mask
            while keys[p] != 0 && keys[p] != k { p = (p + 1) & mask }
            keys[p] = k
            values[p] = v
        }
    }

    @inline(__always) static func slot(_ k: UInt64) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    @inline(__always) func find(_ k: UInt64) -> Int32 {
        var p = CodeTable.slot(k) & mask
        while true {
            let key = keys[p]
            if key == k { return values[p] }
            if key == 0 { return -1 }
            p = (p + 1) & mask
        }
    }
}
