/// Flags for `columns` conditions × `n` patients, stored column after column in one buffer
/// (column c, patient i is at `c * n + i`), so kernels walk contiguous memory.
public struct FlagMatrix: Sendable {
    public var values: [UInt8]
    public let columns: Int
    public let n: Int

    public init(columns: Int, n: Int) {
        values = [UInt8](repeating: 0, count: columns * n)
        self.columns = columns
        self.n = n
    }

    public subscript(column c: Int, patient i: Int) -> UInt8 {
        get { values[c * n + i] }
        set { values[c * n + i] = newValue }
    }
}

/// Per-patient score kernels, one SIMD lane per patient. Each has a plain scalar reference that
/// computes one patient at a time, with the same operations in the same order, so results are
/// bit-identical (tested on random populations of every length around the vector widths).
///
/// Why the references loop patient by patient: a column-at-a-time scalar loop is auto-vectorized
/// by LLVM, which makes it a SIMD loop in disguise; the references are meant to be the plain
/// definition, and the benchmark compares against them (BENCHMARKS.md, docs/performance.md).
///
/// Unsafe access: vector loads are unaligned loads inside `withUnsafeBufferPointer`, at offsets
/// `c * n + i` with `i + width <= n`, so they stay inside column c; tails are scalar.
public enum ScoreKernels {
    // MARK: count of true flags (eFI deficits, CMS conditions)

    /// Scalar reference: for each patient, the number of columns holding 1.
    public static func countScalar(_ m: FlagMatrix) -> [UInt8] {
        (0..<m.n).map { i in
            var count: UInt8 = 0
            for c in 0..<m.columns { count &+= m[column: c, patient: i] }
            return count
        }
    }

    /// 16 patients per step with `SIMD16<UInt8>` adds.
    public static func countSIMD(_ m: FlagMatrix) -> [UInt8] {
        let n = m.n, full = n & ~15
        var out = [UInt8](repeating: 0, count: n)
        m.values.withUnsafeBytes { v in
            out.withUnsafeMutableBytes { o in
                var i = 0
                while i < full {
                    var acc = SIMD16<UInt8>(repeating: 0)
                    for c in 0..<m.columns {
                        acc &+= v.loadUnaligned(fromByteOffset: c * n + i, as: SIMD16<UInt8>.self)
                    }
                    o.storeBytes(of: acc, toByteOffset: i, as: SIMD16<UInt8>.self)
                    i += 16
                }
            }
        }
        for c in 0..<m.columns { for i in full..<n { out[i] &+= m[column: c, patient: i] } }
        return out
    }

    // MARK: weighted sum (CMS score)

    /// Scalar reference: for each patient, Σ flag[c] × weight[c] in column order, as Float.
    public static func weightedSumScalar(_ m: FlagMatrix, weights: [Float]) -> [Float] {
        precondition(weights.count == m.columns)
        return (0..<m.n).map { i in
            var score: Float = 0
            for c in 0..<m.columns { score = score + Float(m[column: c, patient: i]) * weights[c] }
            return score
        }
    }

    /// 8 patients per step with `SIMD8<Float>`: flags widen from bytes to floats, multiply by the
    /// broadcast weight, add. Multiply and add stay separate (Swift does not contract them into a
    /// fused multiply-add), as in the scalar loop, so every lane equals the scalar result.
    public static func weightedSumSIMD(_ m: FlagMatrix, weights: [Float]) -> [Float] {
        precondition(weights.count == m.columns)
        let n = m.n, full = n & ~7
        var out = [Float](repeating: 0, count: n)
        m.values.withUnsafeBytes { v in
            out.withUnsafeMutableBytes { o in
                var i = 0
                while i < full {
                    var acc = SIMD8<Float>(repeating: 0)
                    for c in 0..<m.columns {
                        let bytes = v.loadUnaligned(fromByteOffset: c * n + i, as: SIMD8<UInt8>.self)
                        acc = acc + SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: bytes)) * SIMD8<Float>(repeating: weights[c])
                    }
                    o.storeBytes(of: acc, toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
            }
        }
        for c in 0..<m.columns {
            let w = weights[c]
            for i in full..<n { out[i] = out[i] + Float(m[column: c, patient: i]) * w }
        }
        return out
    }

    // MARK: exact integer points (eFI2 L = Σ β × 100000)

    /// Scalar reference: for each patient, Σ flag[c] × points[c] in column order, as Int32.
    public static func pointsSumScalar(_ m: FlagMatrix, points: [Int32]) -> [Int32] {
        precondition(points.count == m.columns)
        return (0..<m.n).map { i in
            var sum: Int32 = 0
            for c in 0..<m.columns { sum &+= Int32(m[column: c, patient: i]) &* points[c] }
            return sum
        }
    }

    /// 8 patients per step with `SIMD8<Int32>`: flags widen from bytes, multiply by the broadcast
    /// points, add. Integer arithmetic is exact in any order, so lanes equal the scalar sums (the
    /// largest L, 842874, is far below Int32.max).
    public static func pointsSumSIMD(_ m: FlagMatrix, points: [Int32]) -> [Int32] {
        precondition(points.count == m.columns)
        let n = m.n, full = n & ~7
        var out = [Int32](repeating: 0, count: n)
        m.values.withUnsafeBytes { v in
            out.withUnsafeMutableBytes { o in
                var i = 0
                while i < full {
                    var acc = SIMD8<Int32>(repeating: 0)
                    for c in 0..<m.columns {
                        let bytes = v.loadUnaligned(fromByteOffset: c * n + i, as: SIMD8<UInt8>.self)
                        acc &+= SIMD8<Int32>(truncatingIfNeeded: bytes) &* SIMD8<Int32>(repeating: points[c])
                    }
                    o.storeBytes(of: acc, toByteOffset: i * 4, as: SIMD8<Int32>.self)
                    i += 8
                }
            }
        }
        for c in 0..<m.columns {
            let w = points[c]
            for i in full..<n { out[i] &+= Int32(m[column: c, patient: i]) &* w }
        }
        return out
    }

    // MARK: ratio (eFI = deficits / total)

    public static func ratioScalar(_ counts: [UInt8], over total: Float) -> [Float] {
        counts.map { Float($0) / total }
    }

    /// IEEE division is correctly rounded in both paths, so lanes equal the scalar result.
    public static func ratioSIMD(_ counts: [UInt8], over total: Float) -> [Float] {
        let n = counts.count, full = n & ~7
        var out = [Float](repeating: 0, count: n)
        let d = SIMD8<Float>(repeating: total)
        counts.withUnsafeBytes { cb in
            out.withUnsafeMutableBytes { o in
                var i = 0
                while i < full {
                    let b = cb.loadUnaligned(fromByteOffset: i, as: SIMD8<UInt8>.self)
                    o.storeBytes(of: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: b)) / d, toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
            }
        }
        for i in full..<n { out[i] = Float(counts[i]) / total }
        return out
    }
}
