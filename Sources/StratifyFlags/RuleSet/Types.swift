/// Value types of the rule-set language. Every value may also be null (unknown).
public enum ValueType: String, Sendable, Equatable {
    case bool, int, number, date, string
    /// The result of `bp_latest`: members `sys`, `dia` (number) and `date`.
    case bloodPressure = "blood pressure"
    case window
    case null

    var isNumeric: Bool { self == .int || self == .number }
}

/// What an aggregation computes per patient from the events (or medications) in a list.
public enum AggregationKind: String, Sendable, CaseIterable {
    case ever, earliest, latest, count, exists
    case latestValue = "latest_value"
    case highestOnLatest = "highest_on_latest"
    /// The value of the second row in (date descending, value ascending) order.
    case secondLatestValue = "second_latest_value"
    /// Distinct codes in the window, counted up to a cap (memory stays fixed per patient).
    case distinctCount = "distinct_count"
    case episodes
    case bpLatest = "bp_latest"
    /// The label (list `label` column) of the latest row; alphabetically first on a tie.
    case latestLabel = "latest_label"
    /// The date of the row `latest_value` reports.
    case latestValueDate = "latest_value_date"
    /// Distinct list values (e.g. BNF paragraphs) in the window, counted up to a cap.
    case distinctValues = "distinct_values"

    var resultType: ValueType {
        switch self {
        case .ever, .exists: .bool
        case .earliest, .latest: .date
        case .count, .episodes, .distinctCount, .distinctValues: .int
        case .latestValue, .highestOnLatest, .secondLatestValue: .number
        case .latestLabel: .string
        case .latestValueDate: .date
        case .bpLatest: .bloodPressure
        }
    }
}

/// One aggregation, shared by every expression that asks for the same thing.
public struct Aggregation: Sendable, Hashable {
    public var kind: AggregationKind
    public var list: Int
    /// Second list (diastolic, for `bp_latest`).
    public var list2: Int = -1
    public var window: Window?
    public var washoutDays = 0
    /// For `distinct_count`: the most distinct codes counted.
    public var cap = 0
    /// Plausible-value ranges for `bp_latest` (systolic low/high, diastolic low/high).
    public var ranges: [Double] = []
}

/// "In the last N units": date > D − N units and date ≤ D (rules.md §0).
public struct Window: Sendable, Hashable {
    public var amount: Int
    public var unit: WindowUnit

    /// The largest N in `N days/months/years`: far beyond any clinical window, and small enough
    /// that a window's start is still a `Day` (Int32 days) and month arithmetic cannot overflow.
    public static let maxAmount = 10_000

    public func start(asOf d: StratifyCoreDay) -> StratifyCoreDay {
        switch unit {
        case .days: d.plusDays(-amount)
        case .months: d.minusMonths(amount)
        case .years: d.minusMonths(12 * amount)
        }
    }
}

import StratifyCore
public typealias StratifyCoreDay = Day
