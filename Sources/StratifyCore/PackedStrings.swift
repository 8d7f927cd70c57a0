/// A small table of strings (a column's labels, a sheet's column letters) as bytes end to end in
/// one buffer, copied into an output by offset. An array per string meant a retain and a release
/// of that string's buffer per cell written, and when several cores write cells from the same
/// table those atomic operations on one count make them wait on each other (docs/performance.md).
public struct PackedStrings: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// String i is `bytes[ends[i]..<ends[i + 1]]`.
    @usableFromInline let ends: [Int32]

    public init(_ strings: [[UInt8]]) {
        bytes = strings.flatMap { $0 }
        ends = strings.reduce(into: [0]) { ends, s in ends.append(ends.last! + Int32(s.count)) }
    }

    public var count: Int { ends.count - 1 }

    /// Appends string i's bytes to `out`, byte by byte (the strings are short).
    @inlinable public func append(_ i: Int, to out: inout [UInt8]) {
        for k in Int(ends[i])..<Int(ends[i + 1]) { out.append(bytes[k]) }
    }
}
