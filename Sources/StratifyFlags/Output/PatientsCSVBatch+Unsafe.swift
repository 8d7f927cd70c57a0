/// The join step of `PatientsCSVBatch`: rows copied cell by cell into an array of exactly the
/// right size.
///
/// Unsafe code: writes into `Array(unsafeUninitializedCapacity:)`. The size is computed
/// beforehand from the inputs (every id, every cell, a comma before each cell and a line feed per
/// row), every write is at an offset below it, and the final count is checked to equal it. Why:
/// appending each cell through `Array.append(contentsOf:)` cost ~125 instructions a cell, more
/// than formatting it.
extension PatientsCSVBatch {
    /// `cells` holds column 0's cells for rows 0..<rows, then column 1's, ...; `ends[k * rows + r]`
    /// is where cell (r, k) ends. `idEnds[r]` is where row r's escaped id ends in `ids`.
    static func join(ids: [UInt8], idEnds: [Int32], cells: [UInt8], ends: [Int32], rows n: Int, columns m: Int) -> [UInt8] {
        precondition(idEnds.count == n && ends.count == n * m && (n == 0 || (Int(idEnds[n - 1]) == ids.count && Int(ends[n * m - 1]) == cells.count)),
                     "cell offsets do not match their buffers")
        let total = ids.count + cells.count + n * (m + 1)
        return [UInt8](unsafeUninitializedCapacity: total) { out, count in
            var o = 0
            @inline(__always) func copy(_ from: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) {
                // Most cells are under 16 bytes: a byte loop beats a memcpy call for them.
                if e &- s <= 16 {
                    var i = s
                    while i < e { out[o] = from[i]; o &+= 1; i &+= 1 }
                } else {
                    UnsafeMutableRawPointer(out.baseAddress! + o).copyMemory(from: from.baseAddress! + s, byteCount: e &- s)
                    o &+= e &- s
                }
            }
            ids.withUnsafeBufferPointer { idp in
                cells.withUnsafeBufferPointer { cp in
                    ends.withUnsafeBufferPointer { ep in
                        for r in 0..<n {
                            copy(idp, r > 0 ? Int(idEnds[r &- 1]) : 0, Int(idEnds[r]))
                            var i = r
                            for _ in 0..<m {
                                out[o] = 0x2C; o &+= 1
                                // Cells are stored column after column, so a cell starts where the
                                // one stored before it ends.
                                copy(cp, i > 0 ? Int(ep[i &- 1]) : 0, Int(ep[i]))
                                i &+= n
                            }
                            out[o] = 0x0A; o &+= 1
                        }
                    }
                }
            }
            precondition(o == total, "patients.csv batch: wrote \(o) bytes, expected \(total)")
            count = o
        }
    }
}
