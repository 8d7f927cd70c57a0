/// Maps `patient_id` bytes to a dense patient index (0, 1, 2... in accepted order).
///
/// Open addressing over an arena of key bytes: one allocation for all keys, no `String` per
/// patient, and lookups from many threads at once once loading has finished (read-only).
public struct PatientIndex: Sendable {
    private var arena: [UInt8] = []
    private var keyStart: [Int32] = [0]
    private var table: [Int32]
    private var mask: Int

    public init(expectedCount: Int = 1024) {
        var cap = 1024
        while cap < expectedCount * 2 { cap <<= 1 }
        table = [Int32](repeating: -1, count: cap)
        mask = cap - 1
    }

    public var count: Int { keyStart.count - 1 }

    /// The id bytes of patient `i`.
    public func key(_ i: Int) -> ArraySlice<UInt8> { arena[Int(keyStart[i])..<Int(keyStart[i + 1])] }

    /// Eight bytes per step (multiply-rotate, then a murmur-style finaliser): ids are short ASCII
    /// strings with long shared prefixes, and hashing them byte by byte was the largest single
    /// cost of event validation in a profile.
    @inline(__always) static func hash(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(e &- s)
        var i = s
        let base = c.baseAddress!
        while i &+ 8 <= e {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = ((h ^ w) &* 0x9E37_79B9_7F4A_7C15)
            h = (h << 29) | (h >> 35)
            i &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < e { tail |= UInt64(c[i]) << shift; shift &+= 8; i &+= 1 }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 33; h &*= 0xff51_afd7_ed55_8ccd; h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    @inline(__always) private func equals(_ slot: Int32, _ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        let ks = Int(keyStart[Int(slot)]), ke = Int(keyStart[Int(slot) + 1])
        guard ke - ks == e - s else { return false }
        if s == e { return true }
        precondition(s >= 0 && e <= c.count && ke <= arena.count, "id span outside its buffer")
        return arena.withUnsafeBytes { a in ByteSpan.equal(a.baseAddress! + ks, c.baseAddress! + s, count: e - s) }
    }

    /// The index of the id in `c[s..<e]`, or nil.
    @inline(__always) public func find(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int32? {
        var p = PatientIndex.hash(c, s, e) & mask
        while true {
            let slot = table[p]
            if slot < 0 { return nil }
            if equals(slot, c, s, e) { return slot }
            p = (p + 1) & mask
        }
    }

    /// Inserts the id; returns its new index, or nil if it was already present.
    public mutating func insert(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int32? {
        if (count + 1) * 2 > table.count { rehash() }
        var p = PatientIndex.hash(c, s, e) & mask
        while true {
            let slot = table[p]
            if slot < 0 { break }
            if equals(slot, c, s, e) { return nil }
            p = (p + 1) & mask
        }
        let index = Int32(count)
        arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: c[s..<e]))
        keyStart.append(Int32(arena.count))
        table[p] = index
        return index
    }

    public mutating func insert(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBytes { insert($0, 0, $0.count) }
    }

    public func find(_ key: [UInt8]) -> Int32? { key.withUnsafeBytes { find($0, 0, $0.count) } }

    private mutating func rehash() {
        let cap = table.count * 2
        table = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        arena.withUnsafeBytes { a in
            for i in 0..<count {
                var p = PatientIndex.hash(a, Int(keyStart[i]), Int(keyStart[i + 1])) & mask
                while table[p] >= 0 { p = (p + 1) & mask }
                table[p] = Int32(i)
            }
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

    public var memoryBytes: Int { arena.capacity + keyStart.capacity * 4 + table.capacity * 4 }
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
