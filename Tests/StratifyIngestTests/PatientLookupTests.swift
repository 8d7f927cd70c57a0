import Testing
@testable import StratifyIngest

/// The id-lookup fast paths (word-at-a-time comparison, the previous-row cache) agree with plain byte loops on ids of every length and on differences at every offset.
@Suite struct PatientLookupTests {
    static let alphabet = Array("ABCXYZabcxyz0123456789_-".utf8)

    func id(_ length: Int, _ seed: Int) -> [UInt8] {
        (0..<length).map { PatientLookupTests.alphabet[($0 * 7 + seed * 13 + $0 * $0) % PatientLookupTests.alphabet.count] }
    }

    @Test func byteSpanEqualityMatchesAByteLoop() {
        for length in 0...70 {
            let a = id(length, length)
            for at in 0..<max(1, length) {
                var b = a
                if length > 0 { b[at] = b[at] == 0x41 ? 0x42 : 0x41 }
                let fast = a.withUnsafeBytes { x in b.withUnsafeBytes { y in
                    length == 0 ? true : ByteSpan.equal(x.baseAddress!, y.baseAddress!, count: length) } }
                #expect(fast == (a == b), "length \(length), differing at \(at)")
            }
            let same = a.withUnsafeBytes { x in a.withUnsafeBytes { y in
                length == 0 ? true : ByteSpan.equal(x.baseAddress!, y.baseAddress!, count: length) } }
            #expect(same)
        }
    }

    @Test func indexFindsEveryIdAndNoNearMiss() {
        var index = PatientIndex()
        let ids = (1...64).flatMap { length in (0..<3).map { id(length, $0) } }
        var expected: [[UInt8]: Int32] = [:]
        for k in ids where expected[k] == nil { expected[k] = index.insert(k) }
        for (k, v) in expected {
            #expect(index.find(k) == v)
            for at in k.indices {
                var near = k
                near[at] = near[at] == 0x41 ? 0x42 : 0x41
                #expect(index.find(near) == expected[near])
            }
            #expect(index.find(k + [0x41]) == expected[k + [0x41]])
            #expect(index.find(Array(k.dropLast())) == expected[Array(k.dropLast())])
        }
    }

    /// Rows of one buffer looked up in order with the cache give the same patients as without it:
    /// runs of one id, prefixes of the previous id, unknown ids between known ones.
    @Test func recentPatientCacheNeverChangesAnAnswer() {
        var index = PatientIndex()
        let known = [Array("P1".utf8), Array("P12".utf8), Array("P123456789".utf8), Array("P123456780".utf8), Array("Q".utf8)]
        for k in known { _ = index.insert(k) }
        let rows = [0, 0, 1, 1, 0, 2, 3, 2, 2, 4, -1, 4, -1, -1, 3].map { $0 >= 0 ? known[$0] : Array("P99".utf8) }
        var buffer: [UInt8] = []
        var spans: [(Int, Int)] = []
        for r in rows { spans.append((buffer.count, buffer.count + r.count)); buffer += r + [0x2C] }
        buffer.withUnsafeBytes { c in
            var recent = RecentPatient()
            for (s, e) in spans {
                #expect(index.find(c, s, e, recent: &recent) == index.find(c, s, e))
            }
        }
    }

    /// The slot's prefix words equal a byte-by-byte little-endian packing of the first 16 bytes,
    /// zero-padded, for every length 0-40 at every offset 0-11 of a buffer (including ids at the
    /// very start of a buffer shorter than 8 bytes, the byte-loop path) and with bytes around the
    /// id that must not leak into the words.
    @Test func prefixWordsMatchAByteLoop() {
        for length in 0...40 {
            for offset in 0...11 {
                let key = id(length, length + offset)
                let buffer = [UInt8](repeating: 0xFF, count: offset) + key + [UInt8](repeating: 0xEE, count: 3)
                var want: (UInt64, UInt64) = (0, 0)
                for (i, b) in key.prefix(16).enumerated() {
                    if i < 8 { want.0 |= UInt64(b) << UInt64(8 * i) } else { want.1 |= UInt64(b) << UInt64(8 * (i - 8)) }
                }
                let got = buffer.withUnsafeBytes { PatientIndex.prefixWords($0, offset, offset + length) }
                #expect(got.0 == want.0 && got.1 == want.1, "length \(length), offset \(offset)")
                // An exactly-sized buffer: nothing before or after the id.
                let alone = key.withUnsafeBytes { PatientIndex.prefixWords($0, 0, length) }
                #expect(alone.0 == want.0 && alone.1 == want.1, "length \(length), alone")
            }
        }
    }

    /// Against a plain dictionary (the scalar reference): many ids through several rehashes,
    /// lengths 1-64 around the 8- and 16-byte boundaries, ids sharing their first 16 bytes,
    /// duplicates refused, every id found in place in a larger buffer, and near misses absent.
    @Test func indexAgreesWithADictionary() {
        var index = PatientIndex(expectedCount: 4)
        var reference: [[UInt8]: Int32] = [:]
        var keys: [[UInt8]] = []
        for n in 0..<5000 {
            let length = [1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 64][n % 12]
            var k = id(length, n / 12)
            // Ids sharing a long prefix and differing only past byte 16, or in the last byte.
            if length > 16 { k[length - 1] = PatientLookupTests.alphabet[n % PatientLookupTests.alphabet.count] }
            keys.append(k)
        }
        for k in keys {
            let inserted = index.insert(k)
            if let known = reference[k] {
                #expect(inserted == nil)
                #expect(index.find(k) == known)
            } else {
                #expect(inserted == Int32(reference.count))
                reference[k] = inserted
            }
        }
        #expect(index.count == reference.count)
        var buffer: [UInt8] = []
        var spans: [([UInt8], Int, Int)] = []
        for k in reference.keys { spans.append((k, buffer.count, buffer.count + k.count)); buffer += k + [0x2C] }
        buffer.withUnsafeBytes { c in
            for (k, s, e) in spans {
                #expect(index.find(c, s, e) == reference[k])
                #expect(Array(index.key(Int(reference[k]!))) == k)
            }
        }
        for k in reference.keys.prefix(500) {
            for at in [0, k.count / 2, k.count - 1] {
                var near = k
                near[at] = near[at] == 0x41 ? 0x42 : 0x41
                #expect(index.find(near) == reference[near])
            }
            #expect(index.find(k + [0x41]) == reference[k + [0x41]])
        }
    }
}
