/// A cohort's order computed on packed integers: the order `CohortSortKey.precedes` defines (each
/// key in turn, unknowns last whatever the direction, then patient_id bytes), without comparing
/// enum arrays and id slices, each compare retaining and releasing them. At ICB scale the v2
/// cohorts' 468,000 members took about 1.8 CPU-seconds to order that way (BENCHMARKS.md).
///
/// Each key becomes one word whose unsigned order is the key's order (descending keys are
/// complemented) plus an unknown flag; each id its first 16 bytes as two big-endian words. Text
/// keys, numbers that are not a number, and columns whose values mix kinds keep the general
/// comparison (`precedes`), which stays the definition this is tested against.
public enum CohortOrder {
    /// The member positions in cohort order.
    public static func sorted(_ keys: [[CohortSortKey]], ids: [ArraySlice<UInt8>], descending: [Bool]) -> [Int] {
        let m = keys.count, width = descending.count
        guard let packed = pack(keys, width: width, descending: descending) else {
            return keys.indices.sorted { a, b in CohortSortKey.precedes(keys[a], ids[a], keys[b], ids[b], descending: descending) }
        }
        var idWords = [UInt64](repeating: 0, count: 2 * m)
        for i in 0..<m {
            (idWords[2 * i], idWords[2 * i + 1]) = prefixWords(ids[i])
        }
        return (0..<m).sorted { a, b in
            var j = a * width, k = b * width
            for _ in 0..<width {
                let ua = packed.unknown[j], ub = packed.unknown[k]
                if ua != ub { return ua < ub }
                if packed.words[j] != packed.words[k] { return packed.words[j] < packed.words[k] }
                j += 1; k += 1
            }
            if idWords[2 * a] != idWords[2 * b] { return idWords[2 * a] < idWords[2 * b] }
            if idWords[2 * a + 1] != idWords[2 * b + 1] { return idWords[2 * a + 1] < idWords[2 * b + 1] }
            return ids[a].lexicographicallyPrecedes(ids[b])
        }
    }

    /// Unknown flags and order-preserving words, `width` per member; nil when a key needs the
    /// general comparison.
    static func pack(_ keys: [[CohortSortKey]], width: Int, descending: [Bool]) -> (unknown: [UInt8], words: [UInt64])? {
        var unknown = [UInt8](repeating: 0, count: keys.count * width)
        var words = [UInt64](repeating: 0, count: keys.count * width)
        // The kind each key column holds (0 int, 1 number, 2 unordered), fixed by its first value.
        var kind = [Int8](repeating: -1, count: width)
        for (i, row) in keys.enumerated() {
            for k in 0..<width {
                let word: UInt64, thisKind: Int8
                switch row[k] {
                case .null:
                    unknown[i * width + k] = 1
                    continue
                case .int(let v):
                    (word, thisKind) = (UInt64(bitPattern: v) ^ (1 << 63), 0)
                case .number(let v):
                    if v.isNaN { return nil }
                    // -0.0 == 0.0 in `compare`, so they must pack alike.
                    let bits = (v == 0 ? 0.0 : v).bitPattern
                    (word, thisKind) = (bits >> 63 == 1 ? ~bits : bits | (1 << 63), 1)
                case .unordered:
                    (word, thisKind) = (0, 2)
                case .text:
                    return nil
                }
                if kind[k] == -1 { kind[k] = thisKind } else if kind[k] != thisKind { return nil }
                words[i * width + k] = descending[k] ? ~word : word
            }
        }
        return (unknown, words)
    }

    /// The first 16 bytes as two big-endian words, zero-padded. Unequal words order as the bytes
    /// do, for any bytes; equal words (ids that share 16 bytes, or differ only by trailing NULs,
    /// which the id contract excludes) fall through to the full comparison.
    static func prefixWords(_ id: ArraySlice<UInt8>) -> (UInt64, UInt64) {
        var hi: UInt64 = 0, lo: UInt64 = 0
        var n = 0
        for byte in id.prefix(16) {
            if n < 8 { hi |= UInt64(byte) << (56 - 8 * n) } else { lo |= UInt64(byte) << (56 - 8 * (n - 8)) }
            n += 1
        }
        return (hi, lo)
    }
}
