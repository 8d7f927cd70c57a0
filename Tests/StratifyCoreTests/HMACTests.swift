import StratifyCore
import Testing

/// RFC 4231 test vectors for HMAC-SHA256.
@Suite struct HMACTests {
    func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    @Test func case1() {
        let mac = HMACSHA256(key: [UInt8](repeating: 0x0b, count: 20)).authenticate(Array("Hi There".utf8))
        #expect(SHA256.hex(mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func case2ShortKey() {
        let mac = HMACSHA256(key: Array("Jefe".utf8)).authenticate(Array("what do ya want for nothing?".utf8))
        #expect(SHA256.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func case3() {
        let mac = HMACSHA256(key: [UInt8](repeating: 0xaa, count: 20)).authenticate([UInt8](repeating: 0xdd, count: 50))
        #expect(SHA256.hex(mac) == "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
    }

    @Test func case6KeyLongerThanBlock() {
        let mac = HMACSHA256(key: [UInt8](repeating: 0xaa, count: 131))
            .authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(SHA256.hex(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func case7() {
        let message = "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
        let mac = HMACSHA256(key: [UInt8](repeating: 0xaa, count: 131)).authenticate(Array(message.utf8))
        #expect(SHA256.hex(mac) == "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    @Test func differentKeysGiveDifferentPseudonyms() {
        let id = Array("9434765919".utf8)
        #expect(HMACSHA256(key: [1]).pseudonym(id) != HMACSHA256(key: [2]).pseudonym(id))
        #expect(HMACSHA256(key: [1]).pseudonym(id).count == 32)
    }
}
