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
}
