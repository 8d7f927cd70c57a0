import Testing
import StratifyCore

private func hex(_ s: String) -> String { SHA256.hex(SHA256.hash(Array(s.utf8))) }

// FIPS 180-4 / NIST CSRC example vectors.
@Test func abc() {
    #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func emptyMessage() {
    #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func twoBlockMessage448Bits() {
    #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func message896Bits() {
    let m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
    #expect(hex(m) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
}

@Test func oneMillionAFedInUnevenPieces() {
    let a = [UInt8](repeating: 0x61, count: 1_000_000)
    var s = SHA256()
    let pieces = [1, 0, 63, 64, 65, 7, 128, 55, 56, 57, 1000, 4093]
    var offset = 0, k = 0
    while offset < a.count {
        let n = min(pieces[k % pieces.count], a.count - offset)
        s.update(a[offset..<(offset + n)])
        offset += n
        k += 1
    }
    #expect(SHA256.hex(s.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func streamingEqualsOneShotAtEveryPaddingBoundary() {
    // Lengths around the 55/56/64-byte padding edges, split at every point.
    for length in [55, 56, 57, 63, 64, 65, 119, 120] {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hash(message)
        for cut in 0...length {
            var s = SHA256()
            s.update(message[..<cut])
            s.update(message[cut...])
            #expect(s.finalize() == whole, "length \(length), cut \(cut)")
        }
    }
}
