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
    // Per-aggregation columns, indexed by patient. Nested-array element mutation
    // (`dates[a][p] = x`) happens in place: no copy-on-write per event.
    var counts: [[Int32]] = []
    var dates: [[Int32]] = []
    var values: [[Double]] = []
    /// The second-ranked (date, value) of `second_latest_value`.
    var dates2: [[Int32]] = []
    var values2: [[Double]] = []
    /// `distinct_count`: `cap` code slots per patient.
    var distinct: [[UInt64]] = []
    var episodeDates: [[Int32: [Int32]]] = []
    var bp: [BloodPressureState] = []
    var bpSlot: [Int] = []
    var started = false
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
        let m = ruleSet.aggregations.count
        counts = Array(repeating: [], count: m)
        dates = Array(repeating: [], count: m)
        values = Array(repeating: [], count: m)
        dates2 = Array(repeating: [], count: m)
        values2 = Array(repeating: [], count: m)
        distinct = Array(repeating: [], count: m)
        episodeDates = Array(repeating: [:], count: m)
        bpSlot = Array(repeating: -1, count: m)
        for (a, kind) in kinds.enumerated() {
            switch kind {
            case .ever, .count, .exists: counts[a] = Array(repeating: 0, count: n)
            case .earliest: dates[a] = Array(repeating: Int32.max, count: n)
            case .latest: dates[a] = Array(repeating: Int32.min, count: n)
            case .latestValue, .highestOnLatest:
                dates[a] = Array(repeating: Int32.min, count: n)
                values[a] = Array(repeating: .nan, count: n)
            case .secondLatestValue:
                dates[a] = Array(repeating: Int32.min, count: n)
                values[a] = Array(repeating: .nan, count: n)
                dates2[a] = dates[a]
                values2[a] = values[a]
            case .distinctCount:
                counts[a] = Array(repeating: 0, count: n)
                distinct[a] = Array(repeating: 0, count: n * caps[a])
            case .episodes: break
            case .bpLatest:
                bpSlot[a] = bp.count
                bp.append(BloodPressureState(patients: n))
            }
        }
    }

    public mutating func consume(events batch: EventBatch, patients: PatientTable) {
        quality.eventsMatchingNoList += consume(batch.patient, batch.date, batch.code, batch.value, events, patients)
    }

    public mutating func consume(medications batch: MedicationBatch, patients: PatientTable) {
        quality.medicationsMatchingNoList += consume(batch.patient, batch.date, batch.code, nil, medications, patients)
    }

    /// One row at a time: rows outside date of birth ... D are skipped (rules.md §0); the code's
    /// signature selects the accumulator updates. Returns how many rows matched no list.
    private mutating func consume(_ patient: [Int32], _ date: [Int32], _ code: [UInt64], _ value: [Double]?,
                                  _ dispatch: Dispatch, _ patients: PatientTable) -> Int {
        if !started { start(patients: patients.count) }
        let d = asOf.rawValue
        var unmatched = 0
        for i in 0..<patient.count {
            let day = date[i]
            let p = Int(patient[i])
            if day > d || day < patients.dateOfBirth[p] { continue }
            if !dispatch.anyOps.isEmpty { apply(dispatch.anyOps, patient: p, date: day, value: .nan, code: code[i]) }
            let sig = dispatch.table.find(code[i])
            if sig < 0 { unmatched += 1; continue }
            apply(dispatch.ops[Int(sig)], patient: p, date: day, value: value?[i] ?? .nan, code: code[i])
        }
        return unmatched
    }

    @inline(__always)
    mutating func apply(_ ops: [AccumulatorOp], patient p: Int, date: Int32, value eventValue: Double, code: UInt64) {
        for op in ops where date > op.after {
            let a = Int(op.aggregation)
            let value = op.listValue.isNaN ? eventValue : op.listValue
            switch kinds[a] {
            case .ever, .count, .exists:
                counts[a][p] &+= 1
            case .earliest:
                if date < dates[a][p] { dates[a][p] = date }
            case .latest:
                if date > dates[a][p] { dates[a][p] = date }
            case .latestValue, .highestOnLatest:
                guard !value.isNaN else { continue }
                let cur = dates[a][p]
                let better = kinds[a] == .highestOnLatest ? value > values[a][p] : value < values[a][p]
                if date > cur || (date == cur && better) {
                    dates[a][p] = date
                    values[a][p] = value
                }
            case .secondLatestValue:
                guard !value.isNaN else { continue }
                // Rank by date descending, then value ascending ("same date: lower value first").
                if date > dates[a][p] || (date == dates[a][p] && value < values[a][p]) {
                    dates2[a][p] = dates[a][p]; values2[a][p] = values[a][p]
                    dates[a][p] = date; values[a][p] = value
                } else if date > dates2[a][p] || (date == dates2[a][p] && value < values2[a][p]) || dates2[a][p] == Int32.min {
                    dates2[a][p] = date; values2[a][p] = value
                }
            case .distinctCount:
                let cap = caps[a]
                let n = Int(counts[a][p])
                if n >= cap { continue }
                var seen = false
                for k in 0..<n where distinct[a][p * cap + k] == code { seen = true; break }
                if !seen {
                    distinct[a][p * cap + n] = code
                    counts[a][p] = Int32(n + 1)
                }
            case .episodes:
                episodeDates[a][Int32(p), default: []].append(date)
            case .bpLatest:
                guard !value.isNaN else { continue }
                let l = limits[a]
                let (lo, hi) = op.role == 0 ? (l.sysLow, l.sysHigh) : (l.diaLow, l.diaHigh)
                if value < lo || value > hi { quality.bpValuesOutOfRange += 1; continue }
                if op.role == 0 { bp[bpSlot[a]].addSystolic(patient: p, date: date, value: Float(value)) }
                else { bp[bpSlot[a]].addDiastolic(patient: p, date: date, value: Float(value)) }
            }
        }
    }
}

/// Data-quality counts from the flag stage (counts only).
public struct FlagQuality: Sendable {
    public var eventsMatchingNoList = 0
    public var medicationsMatchingNoList = 0
    public var bpValuesOutOfRange = 0
    public var bpPairingUnresolved = 0
    public var lsoaNotInIMD = 0
    public var patientsDied = 0
    public var patientsRegisteredAfterAsOf = 0
    public var population = 0
}
