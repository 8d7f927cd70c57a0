/// Why a record could not be split into fields cleanly. Every non-`ok` status quarantines the row
/// under reason 1 (`field_count`): the contract counts broken quotes with wrong field counts.
public enum RecordStatus: UInt8, Sendable, Equatable {
    case ok
    /// A `"` inside an unquoted field, or bytes between a closing quote and the next comma.
    case brokenQuote
    /// A quote still open at the end of its line. Records never span lines (extract-format.md),
    /// so the record ends there and the next line is a record of its own.
    case unterminatedQuote
}

/// One tokenized record: field spans into the chunk being parsed.
///
/// Spans are content only: outer spaces and the enclosing quotes are already removed. A quoted
/// field holding an escaped quote (`""`) is marked `escaped`, and its span still holds the doubled
/// quotes; `unescaped(_:in:)` decodes it. No contract column may contain a `"`, so validators
/// reject escaped fields without decoding them.
public struct TokenizedRecord: Sendable {
    /// Offset of the record's first byte in the chunk.
    public var start = 0
    /// Offset one past the record's last byte, line terminator excluded.
    public var end = 0
    /// Offset where the next record starts.
    public var next = 0
    /// 1 when the record ended at a line feed, 0 when it ended at the end of the input.
    public var lineFeeds = 0
    public var status: RecordStatus = .ok
    /// Number of fields seen, which may exceed `maxFields` (extra spans are not kept).
    public var fieldCount = 0
    public var fieldStart: [Int] = []
    public var fieldEnd: [Int] = []
    public var fieldEscaped: [Bool] = []

    public static let maxFields = 256

    public init() {
        fieldStart = [Int](repeating: 0, count: Self.maxFields)
        fieldEnd = [Int](repeating: 0, count: Self.maxFields)
        fieldEscaped = [Bool](repeating: false, count: Self.maxFields)
    }

    @inline(__always) mutating func reset(at offset: Int) {
        start = offset
        fieldCount = 0
        status = .ok
        lineFeeds = 0
    }

    @inline(__always) mutating func addField(_ s: Int, _ e: Int, escaped: Bool) {
        if fieldCount < Self.maxFields {
            fieldStart[fieldCount] = s
            fieldEnd[fieldCount] = e
            fieldEscaped[fieldCount] = escaped
        }
        fieldCount &+= 1
    }

    /// The decoded bytes of field `i` (`""` → `"`), for tests and for the header row.
    public func unescaped(_ i: Int, in chunk: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        var k = fieldStart[i]
        while k < fieldEnd[i] {
            let b = chunk[k]
            out.append(b)
            k += (b == 0x22 && fieldEscaped[i]) ? 2 : 1
        }
        return out
    }
}

@usableFromInline let SPACE: UInt8 = 0x20
@usableFromInline let QUOTE: UInt8 = 0x22
@usableFromInline let COMMA: UInt8 = 0x2C
@usableFromInline let LF: UInt8 = 0x0A
@usableFromInline let CR: UInt8 = 0x0D
