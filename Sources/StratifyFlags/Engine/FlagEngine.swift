import StratifyCore
import StratifyIngest

/// Evaluates a compiled rule set in one streaming pass: as event and medication batches arrive
/// (`ExtractSink`), each row updates the per-patient accumulators its code subscribes to. After
/// the pass, `finish` turns accumulators into columns and evaluates params, lets and fields
/// column by column.
public struct FlagEngine: ExtractSink {
    public let ruleSet: RuleSet
    public let asOf: Day
    let events: Dispatch
    let medications: Dispatch
    let kinds: [AggregationKind]
    // Per-aggregation parameters the streaming loop reads, copied out of `ruleSet` once so the
    // loop does not copy an `Aggregation` (and its `ranges` array) per row.
    let caps: [Int]
    let limits: [(sysLow: Double, sysHigh: Double, diaLow: Double, diaHigh: Double)]
    // Per-aggregation columns, each `n` patients long, stored back to back in one array per kind
    // of value: aggregation a's patient p is at `base[a] + p` in `counts` or `dates`,
    // `valueBase[a] + p` in `values`, `base2[a] + p` in `dates2`/`values2`, and from
    // `base2[a] + p * cap` in `distinct`. Only the kinds that need a column get one.
    // One flat array per kind lets the streaming loop take each buffer once per batch
    // (FlagEngine+Unsafe.swift) instead of a uniqueness check on two nested arrays per update.
    var counts: [Int32] = []
    var dates: [Int32] = []
    var values: [Double] = []
    /// The second-ranked (date, value) of `second_latest_value`.
    var dates2: [Int32] = []
    var values2: [Double] = []
    /// `distinct_count`: `cap` code slots per patient.
    var distinct: [UInt64] = []
    /// Offset of aggregation a's column in `counts` or `dates` (by kind), or -1.
    var base: [Int] = []
    /// Offset in `values`, or -1.
    var valueBase: [Int] = []
    /// Offset in `dates2`/`values2` (second_latest_value) or in `distinct` (distinct_count), or -1.
    var base2: [Int] = []
    var patientCount = 0
    var episodeDates: [[Int32: [Int32]]] = []
    var bp: [BloodPressureState] = []
    var bpSlot: [Int] = []
    var started = false
    var finished = false
    public internal(set) var quality = FlagQuality()

    public init(ruleSet: RuleSet, asOf: Day) {
        self.ruleSet = ruleSet
        self.asOf = asOf
        events = Dispatch(ruleSet: ruleSet, domain: .events, asOf: asOf)
        medications = Dispatch(ruleSet: ruleSet, domain: .medications, asOf: asOf)
        kinds = ruleSet.aggregations.map(\.kind)
        caps = ruleSet.aggregations.map(\.cap)
        limits = ruleSet.aggregations.map { a in
            a.ranges.count == 4 ? (a.ranges[0], a.ranges[1], a.ranges[2], a.ranges[3]) : (0, 0, 0, 0)
        }
    }

    mutating func start(patients n: Int) {
        started = true
        patientCount = n
        let m = ruleSet.aggregations.count
        episodeDates = Array(repeating: [:], count: m)
        bpSlot = Array(repeating: -1, count: m)
        base = Array(repeating: -1, count: m)
        base2 = Array(repeating: -1, count: m)
        valueBase = Array(repeating: -1, count: m)
        func column<T>(_ array: inout [T], _ fill: T, _ length: Int) -> Int {
            array.append(contentsOf: repeatElement(fill, count: length))
            return array.count - length
        }
        // Reserve each array's final size first, so appending the columns never doubles a buffer.
        func columns(_ test: (AggregationKind) -> Bool) -> Int { kinds.filter(test).count * n }
        counts.reserveCapacity(columns { [.ever, .count, .exists, .distinctCount, .distinctValues].contains($0) })
        dates.reserveCapacity(columns { [.earliest, .latest, .latestValue, .highestOnLatest, .secondLatestValue,
                                         .latestLabel, .latestValueDate].contains($0) })
        values.reserveCapacity(columns { [.latestValue, .highestOnLatest, .secondLatestValue, .latestLabel, .latestValueDate].contains($0) })
        dates2.reserveCapacity(columns { $0 == .secondLatestValue })
        values2.reserveCapacity(columns { $0 == .secondLatestValue })
        distinct.reserveCapacity(zip(kinds, caps).filter { $0.0 == .distinctCount || $0.0 == .distinctValues }.map { $0.1 * n }.reduce(0, +))
        for (a, kind) in kinds.enumerated() {
            switch kind {
            case .ever, .count, .exists: base[a] = column(&counts, 0, n)
            case .earliest: base[a] = column(&dates, Int32.max, n)
            case .latest: base[a] = column(&dates, Int32.min, n)
            case .latestValue, .highestOnLatest, .latestLabel, .latestValueDate:
                base[a] = column(&dates, Int32.min, n)
                valueBase[a] = column(&values, .nan, n)
            case .secondLatestValue:
                base[a] = column(&dates, Int32.min, n)
                valueBase[a] = column(&values, .nan, n)
                base2[a] = column(&dates2, Int32.min, n)
                _ = column(&values2, .nan, n)
            case .distinctCount, .distinctValues:
                base[a] = column(&counts, 0, n)
                base2[a] = column(&distinct, 0, n * caps[a])
            case .episodes: break
            case .bpLatest:
                bpSlot[a] = bp.count
                bp.append(BloodPressureState(patients: n))
            }
        }
    }

    /// About how many bytes the accumulators hold once the first batch has arrived (0 before):
    /// what one more engine of the same rule set and patients costs (monthly intervals).
    public var accumulatorBytes: Int {
        var bytes = counts.capacity * 4 + dates.capacity * 4 + values.capacity * 8 + dates2.capacity * 4
            + values2.capacity * 8 + distinct.capacity * 8
        for b in bp { bytes += b.pairDate.capacity * 4 + (b.pairSys.capacity + b.pairDia.capacity) * 8 + b.head.capacity * 4 + b.openCount.capacity }
        return bytes
    }

    /// The column of `array` at `offset` (one of the offsets above).
    func column<T>(_ array: [T], at offset: Int) -> [T] { Array(array[offset..<(offset + patientCount)]) }

    public mutating func consume(events batch: EventBatch, patients: PatientTable) {
        quality.eventsMatchingNoList += consume(batch.patient, batch.date, batch.code, batch.value, events, patients)
    }

    public mutating func consume(medications batch: MedicationBatch, patients: PatientTable) {
        quality.medicationsMatchingNoList += consume(batch.patient, batch.date, batch.code, nil, medications, patients)
    }

    /// One row at a time: rows outside date of birth ... D are skipped (rules.md §0); the code's
    /// signature selects the accumulator updates (`update`, FlagEngine+Unsafe.swift). Returns how
    /// many rows matched no list.
    ///
    /// The accumulator arrays are moved out of `self` for the batch (and back after), so the
    /// kernel can hold their buffers while `applyRare` mutates the rest of `self`: updating
    /// `self.counts[a][p]` cost two uniqueness checks and retains per update, which made this
    /// loop, on the merging thread, a fifth of the streaming pass's time.
    private mutating func consume(_ patient: [Int32], _ date: [Int32], _ code: [UInt64], _ value: [Double]?,
                                  _ dispatch: Dispatch, _ patients: PatientTable) -> Int {
        if !started { start(patients: patients.count) }
        var columns = AccumulatorColumns()
        swap(&columns.counts, &counts); swap(&columns.dates, &dates); swap(&columns.values, &values)
        swap(&columns.dates2, &dates2); swap(&columns.values2, &values2); swap(&columns.distinct, &distinct)
        defer {
            swap(&columns.counts, &counts); swap(&columns.dates, &dates); swap(&columns.values, &values)
            swap(&columns.dates2, &dates2); swap(&columns.values2, &values2); swap(&columns.distinct, &distinct)
        }
        return update(patient, date, code, value, dispatch, patients.dateOfBirth, &columns)
    }

    /// The updates the unsafe kernel leaves to safe code: kinds with per-patient variable state.
    mutating func applyRare(_ op: AccumulatorOp, _ kind: AggregationKind, patient p: Int, date: Int32, value: Double) {
        let a = Int(op.aggregation)
        switch kind {
        case .episodes:
            episodeDates[a][Int32(p), default: []].append(date)
        case .bpLatest:
            guard !value.isNaN else { return }
            let l = limits[a]
            let (lo, hi) = op.role == 0 ? (l.sysLow, l.sysHigh) : (l.diaLow, l.diaHigh)
            if value < lo || value > hi { quality.bpValuesOutOfRange += 1; return }
            if op.role == 0 { bp[bpSlot[a]].addSystolic(patient: p, date: date, value: value) }
            else { bp[bpSlot[a]].addDiastolic(patient: p, date: date, value: value) }
        default:
            preconditionFailure("applyRare handles episodes and bp_latest only")
        }
    }
}

/// Data-quality counts from the flag stage (counts only).
public struct FlagQuality: Sendable {
    public var eventsMatchingNoList = 0
    public var medicationsMatchingNoList = 0
    public var bpValuesOutOfRange = 0
    /// Always 0: pairing is exact since rule set 1.2.0 (`BloodPressureState`). Kept so the run
    /// manifest's `bp_pairing_unresolved` key, which readers may expect, stays.
    public var bpPairingUnresolved = 0
    public var lsoaNotInIMD = 0
    public var patientsDied = 0
    public var patientsRegisteredAfterAsOf = 0
    public var population = 0
}
