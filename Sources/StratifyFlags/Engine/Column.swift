/// A column of values for every patient, with null (unknown) encoded in-band.
public enum Column: Sendable {
    /// 0 false, 1 true, 2 null.
    case bool([UInt8])
    /// `Int64.min` is null.
    case int([Int64])
    /// NaN is null.
    case number([Double])
    /// `Int32.min` is null (Day raw values).
    case date([Int32])
    /// Indices into `table`; -1 is null.
    case string([Int32], table: [String])
    case bloodPressure(sys: [Double], dia: [Double], date: [Int32])
    case window(Window)

    public static let nullBool: UInt8 = 2
    public static let nullInt = Int64.min
    public static let nullDate = Int32.min

    var count: Int {
        switch self {
        case .bool(let v): v.count
        case .int(let v): v.count
        case .number(let v): v.count
        case .date(let v): v.count
        case .string(let v, _): v.count
        case .bloodPressure(_, _, let d): d.count
        case .window: 0
        }
    }

    /// Numeric view (ints widened); nil if not numeric.
    var doubles: [Double]? {
        switch self {
        case .number(let v): return v
        case .int(let v): return v.map { $0 == Column.nullInt ? .nan : Double($0) }
        default: return nil
        }
    }

    var bools: [UInt8] {
        if case .bool(let v) = self { return v }
        preconditionFailure("not a bool column")
    }

    var dateValues: [Int32] {
        if case .date(let v) = self { return v }
        preconditionFailure("not a date column")
    }

    /// Whether row i is null (unknown).
    public func isNull(at i: Int) -> Bool {
        switch self {
        case .bool(let v): v[i] == Column.nullBool
        case .int(let v): v[i] == Column.nullInt
        case .number(let v): v[i].isNaN
        case .date(let v): v[i] == Column.nullDate
        case .string(let v, _): v[i] < 0
        case .bloodPressure(_, _, let d): d[i] == Column.nullDate
        case .window: false
        }
    }

    /// Each row's string (nil for null), for comparisons between differently-tabled columns.
    func string(at i: Int) -> String? {
        if case .string(let idx, let table) = self { return idx[i] < 0 ? nil : table[Int(idx[i])] }
        return nil
    }
}
