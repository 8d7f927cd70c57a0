import StratifyCore

/// Accepted patients as columns, indexed by the dense patient index. Memory grows with patients
/// only (about 60 bytes each plus the id).
public struct PatientTable: Sendable {
    public static let noDay = Int32.min

    public var index = PatientIndex()
    public var nhsNumber: [UInt64] = []       // 0 when absent
    public var dateOfBirth: [Int32] = []      // Day.rawValue
    public var sex: [UInt8] = []              // Sex.rawValue
    public var dateOfDeath: [Int32] = []      // noDay when alive
    public var practice: [UInt64] = []        // six ASCII bytes, big-endian packed
    public var registrationStart: [Int32] = []  // noDay when absent
    public var lsoa: [Int32] = []             // the six digits after "E01", or -1
    public var ethnicCategory: [UInt8] = []   // ASCII letter, or 0

    public init() {}

    public var count: Int { dateOfBirth.count }

    public static func packPractice(_ c: UnsafeRawBufferPointer, _ s: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<6 { v = (v << 8) | UInt64(c[s + i]) }
        return v
    }

    public static func practiceCode(_ packed: UInt64) -> String {
        String(decoding: (0..<6).reversed().map { UInt8(truncatingIfNeeded: packed >> (UInt64($0) * 8)) }, as: UTF8.self)
    }

    public static func lsoaCode(_ digits: Int32) -> String? {
        guard digits >= 0 else { return nil }
        let s = String(digits)
        return "E01" + String(repeating: "0", count: 6 - s.count) + s
    }

    public var memoryBytes: Int {
        index.memoryBytes + nhsNumber.capacity * 8 + dateOfBirth.capacity * 4 + sex.capacity
            + dateOfDeath.capacity * 4 + practice.capacity * 8 + registrationStart.capacity * 4
            + lsoa.capacity * 4 + ethnicCategory.capacity
    }
}

/// A batch of accepted clinical events, as columns. Handed to an `ExtractSink` in file order.
public struct EventBatch: Sendable {
    public var patient: [Int32] = []
    public var date: [Int32] = []
    public var code: [UInt64] = []
    /// `numeric_value`, or NaN when the field is empty.
    public var value: [Double] = []
    public init() {}
    public var count: Int { patient.count }

    public mutating func removeAll() {
        patient.removeAll(keepingCapacity: true); date.removeAll(keepingCapacity: true)
        code.removeAll(keepingCapacity: true); value.removeAll(keepingCapacity: true)
    }
}

/// A batch of accepted medication issues, as columns.
public struct MedicationBatch: Sendable {
    public var patient: [Int32] = []
    public var date: [Int32] = []
    public var code: [UInt64] = []
    public init() {}
    public var count: Int { patient.count }

    public mutating func removeAll() {
        patient.removeAll(keepingCapacity: true); date.removeAll(keepingCapacity: true)
        code.removeAll(keepingCapacity: true)
    }
}

/// Receives accepted event and medication rows in file order. The rules engine implements this
/// to evaluate flags in one streaming pass; `ingest` alone uses `DiscardingSink`.
public protocol ExtractSink {
    mutating func consume(events: EventBatch, patients: PatientTable)
    mutating func consume(medications: MedicationBatch, patients: PatientTable)
}

public struct DiscardingSink: ExtractSink {
    public init() {}
    public mutating func consume(events: EventBatch, patients: PatientTable) {}
    public mutating func consume(medications: MedicationBatch, patients: PatientTable) {}
}
