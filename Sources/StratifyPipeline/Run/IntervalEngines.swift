import StratifyCore
import StratifyFlags
import StratifyIngest

/// The rules engine of the run's as-of date, and one more for each earlier monthly interval end
/// a measure asks for (docs/measures.md, "Month by month"): every accepted row is read once and
/// given to each engine, so each interval is the whole rule set as of its own end without a
/// second pass over the extract. The engines take a batch side by side on the cores.
struct IntervalEngines: ExtractSink {
    /// `engines[0]` is the run's as-of date; then the earlier interval ends, newest first.
    var engines: [FlagEngine]
    /// Set when the earlier engines were dropped because they would not fit in memory: the
    /// measures then have their newest interval only, and the run says why.
    private(set) var dropped: String?
    private var checked = false
    private var handedOver: [FlagEngine?] = []

    init(ruleSet: RuleSet, asOf: Day, earlierEnds: [Day]) {
        engines = ([asOf] + earlierEnds).map { FlagEngine(ruleSet: ruleSet, asOf: $0) }
    }

    mutating func consume(events: EventBatch, patients: PatientTable) {
        each { $0.consume(events: events, patients: patients) }
    }

    mutating func consume(medications: MedicationBatch, patients: PatientTable) {
        each { $0.consume(medications: medications, patients: patients) }
    }

    private mutating func each(_ body: (inout FlagEngine) -> Void) {
        var from = 0
        if !checked {
            // The first engine alone first: its accumulators tell what each other one will cost,
            // checked against the memory available before the others allocate theirs (an ICB
            // extract with 12 intervals and a large rule set can need more than the machine has,
            // and the kernel's OOM killer says nothing a nightly log would show).
            checked = true
            body(&engines[0])
            from = 1
            let extra = engines[0].accumulatorBytes * (engines.count - 1)
            if let available = ProcessInfoLite.availableMemory, extra > available * 3 / 4 {
                dropped = "monthly intervals: the \(engines.count - 1) earlier interval ends would need about "
                    + "\(IntervalEngines.gigabytes(extra)) GB more memory, and \(IntervalEngines.gigabytes(available)) GB is available; "
                    + "only the newest interval was computed (fewer intervals, or a machine with more memory; docs/measures.md)"
                engines.removeLast(engines.count - 1)
            }
        }
        switch engines.count - from {
        case 0: return
        case 1: body(&engines[from])
        default:
            // Taken out of `engines` first, so `engines` holds no second reference to them.
            let rest = Array(engines[from...])
            engines.removeSubrange(from...)
            engines += parallelUpdate(consume rest) { _, engine in body(&engine) }
        }
    }

    static func gigabytes(_ bytes: Int) -> String { JSON.format((Double(bytes) / 1e8).rounded() / 10) }

    /// Hands engine k over to the caller (its accumulators are freed when the caller is done
    /// with it), so interval ends are evaluated one at a time in memory. The engines move into
    /// optional slots on the first call: a placeholder engine to swap in would build a whole
    /// code dispatch table just to be thrown away.
    mutating func take(_ k: Int) -> FlagEngine {
        if handedOver.isEmpty {
            handedOver = engines.map { Optional($0) }
            engines = []
        }
        var taken: FlagEngine? = nil
        swap(&taken, &handedOver[k])
        return taken!
    }

    /// How many interval ends there are (taken or not).
    var count: Int { max(engines.count, handedOver.count) }
}
