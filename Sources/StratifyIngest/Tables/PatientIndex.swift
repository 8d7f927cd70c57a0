/// Maps `patient_id` bytes to a dense patient index (0, 1, 2... in accepted order).
///
/// Open addressing with the key stored in the slot: a slot is four words (32 bytes, two to a
/// cache line) holding the id's first 16 bytes zero-padded, its 64-bit hash, and its index and
/// length. An id of up to 16 bytes is compared in the slot alone, so a lookup costs one cache
/// miss; when events arrive shuffled (no previous-row hit, `RecentPatient`), the old table of
/// indices led to the key's offset and then to its bytes, three dependent misses a row. Longer
/// ids compare their first 16 bytes in the slot and the rest in the arena. The arena keeps every
/// id whole, for `key(_:)`. Read-only lookups from many threads once loading has finished.
public struct PatientIndex: Sendable {
    private var arena: [UInt8] = []
    private var keyStart: [Int32] = [0]
    /// `slotWords` words a slot: key bytes 0..<8 and 8..<16 (little-endian, zero-padded), the
    /// hash, and `meta` = (index + 1) | length << 32; meta 0 is an empty slot.
    private var slots: [UInt64]
    private var mask: Int
    static let slotWords = 4

    public init(expectedCount: Int = 1024) {
        var cap = 1024
        while cap * 3 < expectedCount * 4 { cap <<= 1 }
        slots = [UInt64](repeating: 0, count: cap * PatientIndex.slotWords)
        mask = cap - 1
    }

    public var count: Int { keyStart.count - 1 }
    private var capacity: Int { mask + 1 }

    /// The id bytes of patient `i`.
    public func key(_ i: Int) -> ArraySlice<UInt8> { arena[Int(keyStart[i])..<Int(keyStart[i + 1])] }

    /// Eight bytes per step (multiply-rotate, then a murmur-style finaliser): ids are short ASCII
    /// strings with long shared prefixes. Used for ids longer than 16 bytes; shorter ones hash
    /// their two prefix words (`hashShort`). Either way, the same bytes give the same hash.
    @inline(__always) static func hash(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(e &- s)
        var i = s
        while i &+ 8 <= e {
            let w = c.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = ((h ^ w) &* 0x9E37_79B9_7F4A_7C15)
            h = (h << 29) | (h >> 35)
            i &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < e { tail |= UInt64(c[i]) << shift; shift &+= 8; i &+= 1 }
        return finalise(h ^ tail)
    }

    @inline(__always) static func hashShort(_ w0: UInt64, _ w1: UInt64, _ n: Int) -> UInt64 {
        var h = (0xcbf2_9ce4_8422_2325 ^ UInt64(n) ^ w0) &* 0x9E37_79B9_7F4A_7C15
        h = (h << 29) | (h >> 35)
        return finalise(h ^ w1)
    }

    @inline(__always) static func finalise(_ x: UInt64) -> UInt64 {
        var h = x &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 33; h &*= 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return h
    }

    /// The id in `c[s..<e]` as its slot sees it: the first 16 bytes and the hash.
    @inline(__always) static func probeKey(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> (w0: UInt64, w1: UInt64, h: UInt64) {
        precondition(s >= 0 && s <= e && e <= c.count, "id span outside its buffer")
        let (w0, w1) = prefixWords(c, s, e)
        let n = e &- s
        return (w0, w1, n <= 16 ? hashShort(w0, w1, n) : hash(c, s, e))
    }

    /// Whether the id's bytes after the first 16 equal patient `i`'s (ids longer than 16 bytes).
    private func restEqual(_ i: Int, _ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        let ks = Int(keyStart[i]) + 16
        precondition(ks + (e - s) <= arena.count && s >= 0 && e <= c.count, "id span outside its buffer")
        return arena.withUnsafeBytes { a in ByteSpan.equal(a.baseAddress! + ks, c.baseAddress! + s, count: e - s) }
    }

    /// The slot position holding the id, or of the empty slot where it would go, and its index.
    @inline(__always) private func probe(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int,
                                         _ k: (w0: UInt64, w1: UInt64, h: UInt64)) -> (position: Int, index: Int32?) {
        let n = UInt64(e &- s)
        var p = Int(truncatingIfNeeded: k.h) & mask
        return slots.withUnsafeBufferPointer { t in
            while true {
                let b = p &* PatientIndex.slotWords
                let meta = t[b &+ 3]
                if meta == 0 { return (p, nil) }
                if t[b &+ 2] == k.h && t[b] == k.w0 && t[b &+ 1] == k.w1 && meta >> 32 == n {
                    let i = Int32(truncatingIfNeeded: meta) &- 1
                    if n <= 16 || restEqual(Int(i), c, s &+ 16, e) { return (p, i) }
                }
                p = (p &+ 1) & mask
            }
        }
    }

    /// The index of the id in `c[s..<e]`, or nil.
    @inline(__always) public func find(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int32? {
        probe(c, s, e, PatientIndex.probeKey(c, s, e)).index
    }

    /// Inserts the id; returns its new index, or nil if it was already present.
    public mutating func insert(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int32? {
        if (count + 1) * 4 > capacity * 3 { rehash() }
        let k = PatientIndex.probeKey(c, s, e)
        let found = probe(c, s, e, k)
        if found.index != nil { return nil }
        let index = Int32(count)
        arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: c[s..<e]))
        keyStart.append(Int32(arena.count))
        let b = found.position * PatientIndex.slotWords
        slots[b] = k.w0
        slots[b + 1] = k.w1
        slots[b + 2] = k.h
        slots[b + 3] = UInt64(UInt32(index) + 1) | UInt64(e - s) << 32
        return index
    }

    public mutating func insert(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBytes { insert($0, 0, $0.count) }
    }

    public func find(_ key: [UInt8]) -> Int32? { key.withUnsafeBytes { find($0, 0, $0.count) } }

    /// Doubles the table; every slot moves with its stored hash (no key is read again).
    private mutating func rehash() {
        let old = slots
        let cap = capacity * 2
        slots = [UInt64](repeating: 0, count: cap * PatientIndex.slotWords)
        mask = cap - 1
        let w = PatientIndex.slotWords
        for q in 0..<(old.count / w) where old[q * w + 3] != 0 {
            var p = Int(truncatingIfNeeded: old[q * w + 2]) & mask
            while slots[p * w + 3] != 0 { p = (p + 1) & mask }
            for j in 0..<w { slots[p * w + j] = old[q * w + j] }
        }
    }

    /// A lookup that first tries the previous row's patient (see `RecentPatient`).
    @inline(__always) public func find(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int, recent: inout RecentPatient) -> Int32? {
        if recent.patient >= 0, recent.base == UInt(bitPattern: c.baseAddress), recent.end - recent.start == e - s {
            precondition(recent.start >= 0 && recent.end <= c.count && s >= 0 && e <= c.count, "id span outside its buffer")
            if s == e || ByteSpan.equal(c.baseAddress! + recent.start, c.baseAddress! + s, count: e - s) {
                recent.start = s
                recent.end = e
                return recent.patient
            }
        }
        guard let patient = find(c, s, e) else { return nil }
        recent = RecentPatient(base: UInt(bitPattern: c.baseAddress), start: s, end: e, patient: patient)
        return patient
    }

    public var memoryBytes: Int { arena.capacity + keyStart.capacity * 4 + slots.capacity * 8 }
}

/// The last patient found in one chunk of one block. Extracts list a patient's rows together
/// (the synthetic ones always, GP extracts usually), so most rows repeat the previous row's id:
/// comparing about 9 bytes with it skips the hash and the table probe, which at ICB scale are
/// two cache misses per row (a 16 MB table and an 11 MB arena). A cache only: any order of rows
/// gives the same answers. It must be reset when its rows are reused for another block (the
/// span refers to the block's bytes; the base address is checked as well).
public struct RecentPatient: Sendable {
    var base: UInt = 0
    var start = 0, end = 0
    var patient: Int32 = -1

    public init() {}

    init(base: UInt, start: Int, end: Int, patient: Int32) {
        self.base = base
        self.start = start
        self.end = end
        self.patient = patient
    }
}
