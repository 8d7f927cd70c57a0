import StratifyCore
import Testing

/// XXH64 (seed 0) against the reference implementation's outputs (python-xxhash 3.x).
@Suite struct XXH64Tests {
    @Test(arguments: [
        ("", "ef46db3751d8e999"),
        ("a", "d24ec4f1a98c6e5b"),
        ("abc", "44bc2cf5ad770999"),
        ("Nobody inspects the spammish repetition", "fbcea83c8a378bf1"),
    ])
    func knownValues(text: String, hex: String) {
        #expect(XXH64.hex(XXH64.hash(Array(text.utf8))) == hex)
    }

    /// 1,280 bytes (0...255 five times) fed whole and in every split: the streaming buffer must
    /// not change the result.
    @Test func streamingInPiecesMatchesWhole() {
        let data = (0..<5).flatMap { _ in (0...255).map { UInt8($0) } }
        #expect(XXH64.hex(XXH64.hash(data)) == "afc184ad7938a354")
        for split in [1, 7, 31, 32, 33, 64, 100, 1279] {
            var h = XXH64()
            var i = 0
            while i < data.count {
                let j = min(data.count, i + split)
                data[i..<j].withUnsafeBytes { h.update($0) }
                i = j
            }
            #expect(XXH64.hex(h.finalize()) == "afc184ad7938a354", "pieces of \(split)")
        }
    }
}
