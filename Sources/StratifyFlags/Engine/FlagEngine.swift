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
    // Per-aggregation accumulators, stored patient by patient: patient p's record in `counts` is
    // `counts[p * countStride ..< (p + 1) * countStride]`, and aggregation a's entry in it is at
    // `base[a]`; likewise `dates` (`dateStride`, `base[a]`), `values` (`valueStride`,
    // `valueBase[a]`), `dates2`/`values2` (`stride2`, `base2[a]`) and `distinct`
    // (`distinctStride`, from `base2[a]`, `cap` slots). Only the kinds that need an entry get one.
    // Patient-major, so that the updates of one row (a dozen aggregations of one patient) touch
    // one or two cache lines: column by column, each update was a cache miss when rows arrive
    // shuffled (one column of n entries per aggregation, ~190 of them in rule set v2).
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
    /// Offset of aggregation a's entry in a patient's record of `counts` or `dates` (by kind), or -1.
    var base: [Int] = []
    /// Offset in a patient's record of `values`, or -1.
    var valueBase: [Int] = []
    /// Offset in a patient's record of `dates2`/`values2` (second_latest_value) or of `distinct`
    /// (distinct_count, distinct_values), or -1.
    var base2: [Int] = []
    var countStride = 0, dateStride = 0, valueStride = 0, stride2 = 0, distinctStride = 0
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
        // One patient's record per array (its entries' initial values), then n copies of it.
        var countFill: [Int32] = [], dateFill: [Int32] = [], valueFill: [Double] = []
        var date2Fill: [Int32] = [], value2Fill: [Double] = []
        var distinctWidth = 0
        func slot<T>(_ record: inout [T], _ fill: T) -> Int {
            record.append(fill)
            return record.count - 1
        }
        for (a, kind) in kinds.enumerated() {
            switch kind {
            case .ever, .count, .exists: base[a] = slot(&countFill, 0)
            case .earliest: base[a] = slot(&dateFill, Int32.max)
            case .latest: base[a] = slot(&dateFill, Int32.min)
            case .latestValue, .highestOnLatest, .latestLabel, .latestValueDate:
                base[a] = slot(&dateFill, Int32.min)
                valueBase[a] = slot(&valueFill, .nan)
            case .secondLatestValue:
                base[a] = slot(&dateFill, Int32.min)
                valueBase[a] = slot(&valueFill, .nan)
                base2[a] = slot(&date2Fill, Int32.min)
                _ = slot(&value2Fill, .nan)
            case .distinctCount, .distinctValues:
                base[a] = slot(&countFill, 0)
                base2[a] = distinctWidth
                distinctWidth += caps[a]
            case .episodes: break
            case .bpLatest:
                bpSlot[a] = bp.count
                bp.append(BloodPressureState(patients: n))
            }
        }
        func tiled<T>(_ record: [T]) -> [T] {
            var all: [T] = []
            all.reserveCapacity(record.count * n)
            if record.isEmpty { return all }
            for _ in 0..<n { all.append(contentsOf: record) }
            return all
        }
        countStride = countFill.count; dateStride = dateFill.count; valueStride = valueFill.count
        stride2 = date2Fill.count; distinctStride = distinctWidth
        counts = tiled(countFill); dates = tiled(dateFill); values = tiled(valueFill)
        dates2 = tiled(date2Fill); values2 = tiled(value2Fill)
        distinct = Array(repeating: 0, count: distinctWidth * n)
    }


    /// About how many bytes the accumulators hold once the first batch has arrived (0 before):
    /// what one more engine of the same rule set and patients costs (monthly intervals).
    public var accumulatorBytes: Int {
        var bytes = counts.capacity * 4 + dates.capacity * 4 + values.capacity * 8 + dates2.capacity * 4
            + values2.capacity * 8 + distinct.capacity * 8
        for b in bp { bytes += b.memoryBytes }
        return bytes
    }

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
