import StratifyCore

extension MeasureSet {
    /// The longest run of monthly intervals any measure asks for (0: none).
    public var monthlyIntervals: Int { measures.compactMap(\.monthlyIntervals).max() ?? 0 }

    /// Interval k (k = 0 is the newest) ends `k` months before the as-of date (clamped to the
    /// month's length, so a month-end as-of date gives month ends) and starts the day after
    /// interval k + 1 ends.
    public static func interval(_ k: Int, asOf: Day) -> (start: Day, end: Day) {
        (asOf.minusMonths(k + 1).plusDays(1), asOf.minusMonths(k))
    }
}
