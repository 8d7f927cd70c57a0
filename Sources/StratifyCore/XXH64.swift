/// XXH64 (Yann Collet's xxHash, 64-bit, seed 0): the default checksum of input extracts.
///
/// Extracts are gigabytes; SHA-256 in portable Swift runs at about 265 MB/s on the benchmark
/// machine and was half of ingest time (BENCHMARKS.md). XXH64 detects change and corruption at
/// memory speed. It is not a defence against deliberate tampering: for that, `--checksum sha256`
/// (docs/ingest.md). Tested against the reference implementation's outputs.
public struct XXH64: Sendable {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4: UInt64 = 0 &- p1
    private var total: UInt64 = 0
    private var feeder = BlockFeeder(size: 32)

    public init() {}

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        ((acc &+ input &* p2) <<< 31) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    public mutating func update(_ data: UnsafeRawBufferPointer) {
        total &+= UInt64(data.count)
        // The feeder is moved out while it runs, so `stripe` may mutate self meanwhile.
        var f = feeder
        f.feed(data) { stripe($0) }
        feeder = f
    }

    @inline(__always) private mutating func stripe(_ p: UnsafeRawPointer) {
        v1 = XXH64.round(v1, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        v2 = XXH64.round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        v3 = XXH64.round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        v4 = XXH64.round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    public func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = (v1 <<< 1) &+ (v2 <<< 7) &+ (v3 <<< 12) &+ (v4 <<< 18)
            h = XXH64.merge(h, v1); h = XXH64.merge(h, v2); h = XXH64.merge(h, v3); h = XXH64.merge(h, v4)
        } else {
            h = XXH64.p5
        }
        h &+= total
        feeder.pending.withUnsafeBytes { rest in
            var i = 0
            while i + 8 <= rest.count {
                let k = XXH64.round(0, UInt64(littleEndian: rest.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                h = ((h ^ k) <<< 27) &* XXH64.p1 &+ XXH64.p4
                i += 8
            }
            if i + 4 <= rest.count {
                h ^= UInt64(UInt32(littleEndian: rest.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* XXH64.p1
                h = (h <<< 23) &* XXH64.p2 &+ XXH64.p3
                i += 4
            }
            while i < rest.count {
                h ^= UInt64(rest[i]) &* XXH64.p5
                h = (h <<< 11) &* XXH64.p1
                i += 1
            }
        }
        h ^= h >> 33; h &*= XXH64.p2
        h ^= h >> 29; h &*= XXH64.p3
        h ^= h >> 32
        return h
    }

    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        var x = XXH64()
        bytes.withUnsafeBytes { x.update($0) }
        return x.finalize()
    }

    public static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

infix operator <<< : BitwiseShiftPrecedence
@inline(__always) func <<< (x: UInt64, r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
