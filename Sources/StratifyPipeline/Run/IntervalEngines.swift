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
        if engines.count == 1 { return body(&engines[0]) }
        engines = parallelMap(consuming: engines) { _, engine in
            var e = engine
            body(&e)
            return e
        }
    }

    /// Hands engine k over to the caller (its accumulators are freed when the caller is done
    /// with it), so interval ends are evaluated one at a time in memory.
    mutating func take(_ k: Int) -> FlagEngine {
        var taken = FlagEngine(ruleSet: engines[k].ruleSet, asOf: engines[k].asOf)
        swap(&taken, &engines[k])
        return taken
    }
}
