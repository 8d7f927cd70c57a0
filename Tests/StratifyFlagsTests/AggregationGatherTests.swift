import StratifyCore
@testable import StratifyFlags
import StratifyIngest
import Testing

extension FlagEngine {
    /// The plain strided gather (what `finish` did before the blocked one): aggregation entry
    /// `offset` of every patient's record in `array`, one aggregation at a time.
    func column<T>(_ array: [T], at offset: Int, stride: Int) -> [T] {
        precondition(offset >= 0 && offset < stride && array.count == patientCount * stride, "accumulator column outside its array")
        return (0..<patientCount).map { array[$0 * stride + offset] }
    }
}

/// `gatherAggregationColumns` reads the accumulators a block of 2,048 patients at a time, and
/// hands their pages back as it goes; each column must equal the plain strided gather
/// (`column(_:at:stride:)` above, one aggregation at a time, the reference, taken before the
/// gather), for both shipped rule sets, at and around every block edge.
@Suite struct AggregationGatherTests {
    static func reference(_ e: FlagEngine, _ a: Int) -> Column? {
        let agg = e.ruleSet.aggregations[a]
        switch agg.kind {
        case .ever, .exists: return .bool(e.column(e.counts, at: e.base[a], stride: e.countStride).map { $0 > 0 ? 1 : 0 })
        case .latestLabel:
            return .string(e.column(e.values, at: e.valueBase[a], stride: e.valueStride).map { $0.isNaN ? -1 : Int32($0) },
                           table: e.ruleSet.lists[agg.list].labels ?? [])
        case .latestValueDate:
            let v = e.column(e.values, at: e.valueBase[a], stride: e.valueStride), d = e.column(e.dates, at: e.base[a], stride: e.dateStride)
            return .date(v.indices.map { v[$0].isNaN ? Column.nullDate : d[$0] })
        case .count, .distinctCount, .distinctValues: return .int(e.column(e.counts, at: e.base[a], stride: e.countStride).map { Int64($0) })
        case .secondLatestValue: return .number(e.column(e.values2, at: e.base2[a], stride: e.stride2))
        case .earliest: return .date(e.column(e.dates, at: e.base[a], stride: e.dateStride).map { $0 == Int32.max ? Column.nullDate : $0 })
        case .latest: return .date(e.column(e.dates, at: e.base[a], stride: e.dateStride))
        case .latestValue, .highestOnLatest: return .number(e.column(e.values, at: e.valueBase[a], stride: e.valueStride))
        case .episodes, .bpLatest: return nil
        }
    }

    static func same(_ x: Column?, _ y: Column?) -> Bool {
        switch (x, y) {
        case (nil, nil): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.date(let a), .date(let b)): a == b
        case (.number(let a), .number(let b)): a.map(\.bitPattern) == b.map(\.bitPattern)
        case (.string(let a, let ta), .string(let b, let tb)): a == b && ta == tb
        default: false
        }
    }

    @Test(arguments: [1, 2047, 2048, 2049, 4097])
    func blockedGatherEqualsTheStridedReference(patients n: Int) {
        let asOf = Day(iso: "2026-03-31")!
        for ruleSet in [FlagFixture.ruleSet, FlagFixture.ruleSetV2] {
            let table = FlagEngineLayoutTests.patients(n, asOf: asOf)
            var engine = FlagEngine(ruleSet: ruleSet, asOf: asOf)
            var events = EventBatch(), meds = MedicationBatch()
            for r in FlagEngineLayoutTests.rows(ruleSet, domain: .events, patients: n, perPatient: 8, asOf: asOf, seed: 5) {
                events.patient.append(Int32(r.patient)); events.date.append(r.date); events.code.append(r.code); events.value.append(r.value)
            }
            for r in FlagEngineLayoutTests.rows(ruleSet, domain: .medications, patients: n, perPatient: 4, asOf: asOf, seed: 6) {
                meds.patient.append(Int32(r.patient)); meds.date.append(r.date); meds.code.append(r.code)
            }
            engine.consume(events: events, patients: table)
            engine.consume(medications: meds, patients: table)
            let references = ruleSet.aggregations.indices.map { Self.reference(engine, $0) }
            // Pages handed back after every block (1 byte), and at the default interval.
            for releaseBytes in [1, 1 << 20] {
                var copy = engine
                let gathered = copy.gatherAggregationColumns(releaseBytes: releaseBytes)
                for a in ruleSet.aggregations.indices {
                    #expect(Self.same(gathered[a], references[a]), "\(ruleSet.name) aggregation \(a) at \(n) patients, release every \(releaseBytes) bytes")
                }
            }
            // The gather gives back pages of the accumulators it has read: a copy of the engine
            // made before must keep its own (the gather makes its accumulators unique first).
            for a in ruleSet.aggregations.indices {
                #expect(Self.same(Self.reference(engine, a), references[a]), "\(ruleSet.name) aggregation \(a) changed in the copy")
            }
        }
    }

    /// At 100,000 patients the accumulators span many pages, so pages are really handed back
    /// mid-gather (at the small sizes above most arrays fit a page or two).
    @Test func gatherAcrossReleasedPagesEqualsTheReference() {
        let asOf = Day(iso: "2026-03-31")!, n = 100_000
        let ruleSet = FlagFixture.ruleSetV2
        let table = FlagEngineLayoutTests.patients(n, asOf: asOf)
        var engine = FlagEngine(ruleSet: ruleSet, asOf: asOf)
        var events = EventBatch()
        for r in FlagEngineLayoutTests.rows(ruleSet, domain: .events, patients: n, perPatient: 2, asOf: asOf, seed: 7) {
            events.patient.append(Int32(r.patient)); events.date.append(r.date); events.code.append(r.code); events.value.append(r.value)
        }
        engine.consume(events: events, patients: table)
        let references = ruleSet.aggregations.indices.map { Self.reference(engine, $0) }
        var copy = engine
        let gathered = copy.gatherAggregationColumns(releaseBytes: 64 * 1024)
        for a in ruleSet.aggregations.indices {
            #expect(Self.same(gathered[a], references[a]), "aggregation \(a)")
        }
    }
}
