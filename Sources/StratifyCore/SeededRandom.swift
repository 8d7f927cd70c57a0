#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable generator (SplitMix64) so synthetic data and property tests are
/// reproducible byte for byte across runs and platforms. Not for anything secret.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream derived from a seed and a stream number (e.g. one per patient),
    /// so parallel generation gives the same bytes in any order.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next() ^ stream
    }

    @inline(__always) public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always) public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<n (n > 0), by multiply-shift (bias is negligible for our n).
    @inline(__always) public mutating func below(_ n: Int) -> Int {
        Int((UInt128(next()) &* UInt128(UInt64(n))) >> 64)
    }

    @inline(__always) public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Normal deviate by Box–Muller (one of the pair is discarded for simplicity).
    public mutating func normal(mean: Double, sd: Double) -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

