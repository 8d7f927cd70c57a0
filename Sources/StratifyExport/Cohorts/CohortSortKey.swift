import StratifyCore
import StratifyFlags

/// One patient's value of one cohort `order_by` key, detached from its column so that a cohort
/// can be ordered the same way inside a run and across the shards of a sharded run
/// (docs/sharding.md): a shard writes its members' keys, and `stratify merge` orders the union
/// with the same comparison a run uses.
public enum CohortSortKey: Sendable, Equatable {
    /// Unknown: sorts last whatever the direction.
    case null
    /// Bools, whole numbers and dates (days).
    case int(Int64)
    case number(Double)
    case text(String)
    /// A value with no order (blood-pressure readings, windows): all equal.
    case unordered

    public init(_ c: Column, _ p: Int) {
        if c.isNull(at: p) { self = .null; return }
        switch c {
        case .bool(let v): self = .int(Int64(v[p]))
        case .int(let v): self = .int(v[p])
        case .number(let v): self = .number(v[p])
        case .date(let v): self = .int(Int64(v[p]))
        case .string: self = .text(c.text(at: p))
        default: self = .unordered
        }
    }

    /// -1, 0 or 1; a null compares after any value.
    static func compare(_ a: CohortSortKey, _ b: CohortSortKey) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return 1
        case (_, .null): return -1
        case (.int(let x), .int(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.number(let x), .number(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.text(let x), .text(let y)): return x < y ? -1 : x > y ? 1 : 0
        default: return 0
        }
    }

    /// The cohort order: each key in turn, then patient_id bytes, so the order is total and files
    /// are deterministic. A descending key flips the order of values, but unknown values stay last
    /// whatever the direction (docs/pipelines.md): an INT lead reading a list sorted by urgency
    /// must not meet the patients whose urgency is unknown first.
    public static func precedes(_ a: [CohortSortKey], _ aID: some Collection<UInt8>, _ b: [CohortSortKey],
                                _ bID: some Collection<UInt8>, descending: [Bool]) -> Bool {
        for k in descending.indices {
            let order = compare(a[k], b[k])
            if order == 0 { continue }
            if a[k] == .null || b[k] == .null { return order < 0 }
            return descending[k] ? order > 0 : order < 0
        }
        return aID.lexicographicallyPrecedes(bID)
    }

    /// As written in a shard file: JSON null, or a string tagged with its kind. Numbers keep their
    /// exact bits, so a merged order can never differ from a run's by rounding.
    public var encoded: JSON {
        switch self {
        case .null: .null
        case .int(let v): .string("i:\(v)")
        case .number(let v): .string("n:" + String(v.bitPattern, radix: 16))
        case .text(let s): .string("s:" + s)
        case .unordered: .string("u")
        }
    }

    /// Reads a non-null `encoded` back; nil when the text is not an encoded key.
    public init?(decoding s: String) {
        if s == "u" { self = .unordered; return }
        let body = String(s.dropFirst(2))
        switch s.prefix(2) {
        case "i:": guard let v = Int64(body) else { return nil }; self = .int(v)
        case "n:": guard let bits = UInt64(body, radix: 16) else { return nil }; self = .number(Double(bitPattern: bits))
        case "s:": self = .text(body)
        default: return nil
        }
    }
}
