/// HMAC-SHA256 (RFC 2104) for keyed pseudonyms: a patient key becomes a pseudonym only someone
/// holding the key can recompute, unlike a plain hash of an NHS number, which anyone can reverse
/// by hashing every possible number. Tested against RFC 4231.
public struct HMACSHA256: Sendable {
    private let innerKeyPad: [UInt8]
    private let outerKeyPad: [UInt8]

    public init(key: [UInt8]) {
        var k = key.count > 64 ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        innerKeyPad = k.map { $0 ^ 0x36 }
        outerKeyPad = k.map { $0 ^ 0x5c }
    }

    public func authenticate<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        var inner = SHA256()
        inner.update(innerKeyPad)
        inner.update(message)
        var outer = SHA256()
        outer.update(outerKeyPad)
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// A pseudonym for display: the first 16 bytes of the MAC as hex (128 bits).
    public func pseudonym<C: Collection>(_ message: C) -> String where C.Element == UInt8 {
        SHA256.hex(Array(authenticate(message).prefix(16)))
    }
}
