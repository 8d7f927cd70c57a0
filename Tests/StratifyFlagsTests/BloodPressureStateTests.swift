import StratifyCore
@testable import StratifyFlags
import Testing

/// `BloodPressureState` gives the latest date with both sides, lowest of each, for every arrival
/// order (rules.md §3, revised 2026-12-06), checked against a direct computation over all readings.
@Suite struct BloodPressureStateTests {
    struct Reading { var patient: Int; var date: Int32; var systolic: Bool; var value: Double }

    /// The definition: latest date with both sides among all readings; lowest of each on it.
    static func expected(_ readings: [Reading], patient p: Int) -> (Int32, Double, Double)? {
        let mine = readings.filter { $0.patient == p }
        let sysDates = Set(mine.filter(\.systolic).map(\.date))
        guard let d = mine.filter({ !$0.systolic && sysDates.contains($0.date) }).map(\.date).max() else { return nil }
        let onD = mine.filter { $0.date == d }
        return (d, onD.filter(\.systolic).map(\.value).min()!, onD.filter { !$0.systolic }.map(\.value).min()!)
    }

    static func run(_ readings: [Reading], patients n: Int) -> BloodPressureState {
        var s = BloodPressureState(patients: n)
        for r in readings {
            if r.systolic { s.addSystolic(patient: r.patient, date: r.date, value: r.value) }
            else { s.addDiastolic(patient: r.patient, date: r.date, value: r.value) }
        }
        return s
    }

    static func check(_ readings: [Reading], patients n: Int) -> [String] {
        let s = run(readings, patients: n)
        var wrong: [String] = []
        for p in 0..<n {
            let want = expected(readings, patient: p)
            switch (s.latestPair(p), want) {
            case (.none, nil): break
            case (.pair(let d, let sys, let dia), let w?) where w == (d, sys, dia): break
            default: wrong.append("patient \(p): \(s.latestPair(p)) instead of \(String(describing: want))")
            }
        }
        return wrong
    }

    static func shuffled(_ readings: [Reading], seed: UInt64) -> [Reading] {
        var g = SeededRandom(seed: seed)
        return readings.shuffled(using: &g)
    }

    /// The issue's reproducer with D = day 1000: a pair on D−400, then systolic only on D−300,
    /// D−250, D−200 and D−150 (more one-sided dates than a 4-date window held).
    static let reproducer: [Reading] = [
        Reading(patient: 0, date: 600, systolic: true, value: 150), Reading(patient: 0, date: 600, systolic: false, value: 95),
        Reading(patient: 0, date: 700, systolic: true, value: 141), Reading(patient: 0, date: 750, systolic: true, value: 142),
        Reading(patient: 0, date: 800, systolic: true, value: 143), Reading(patient: 0, date: 850, systolic: true, value: 144),
    ]

    @Test func reproducerKeepsThePairInEveryArrivalOrder() {
        for seed in 0..<200 as Range<UInt64> {
            let s = Self.run(Self.shuffled(Self.reproducer, seed: seed), patients: 1)
            guard case .pair(600, 150, 95) = s.latestPair(0) else {
                Issue.record("seed \(seed): \(s.latestPair(0))")
                return
            }
        }
    }

    @Test func oneSidedDatesOnlyGiveNoPair() {
        let readings = (0..<10).map { Reading(patient: 0, date: Int32(100 + $0), systolic: $0 % 2 == 0, value: 120) }
        #expect(Self.check(Self.shuffled(readings, seed: 1), patients: 1).isEmpty)
        if case .pair = Self.run(readings, patients: 1).latestPair(0) { Issue.record("paired different dates") }
    }

    @Test func latestPairBehindManyOneSidedDatesOnBothSides() {
        // The pair is the oldest date; 50 systolic-only and 50 diastolic-only dates come after it,
        // interleaved so that no two share a date: the side table must hold them all.
        var readings = [Reading(patient: 0, date: 10, systolic: true, value: 135),
                        Reading(patient: 0, date: 10, systolic: false, value: 85)]
        for i in 0..<100 { readings.append(Reading(patient: 0, date: Int32(11 + i), systolic: i % 2 == 0, value: 130)) }
        for seed in 0..<50 as Range<UInt64> {
            #expect(Self.check(Self.shuffled(readings, seed: seed), patients: 1).isEmpty, "seed \(seed)")
        }
        // Newest first is the order that opens every date before the pair arrives.
        #expect(Self.check(readings.reversed(), patients: 1).isEmpty)
        #expect(Self.run(readings.reversed(), patients: 1).spilledPatients == 1)
    }

    @Test func allSystolicsBeforeAllDiastolics() {
        // Every date is open on one side when the first diastolic arrives; diastolics oldest first
        // close one date at a time.
        let dates: [Int32] = Array(1...40)
        let readings = dates.map { Reading(patient: 0, date: $0, systolic: true, value: Double(100 + $0)) }
            + dates.map { Reading(patient: 0, date: $0, systolic: false, value: Double(60 + $0)) }
        #expect(Self.check(readings, patients: 1).isEmpty)
        guard case .pair(40, 140, 100) = Self.run(readings, patients: 1).latestPair(0) else {
            Issue.record("\(Self.run(readings, patients: 1).latestPair(0))")
            return
        }
    }

    @Test func sameDateKeepsTheLowestOfEachSideInAnyOrder() {
        let readings = [Reading(patient: 0, date: 5, systolic: true, value: 150), Reading(patient: 0, date: 5, systolic: true, value: 138),
                        Reading(patient: 0, date: 5, systolic: false, value: 92), Reading(patient: 0, date: 5, systolic: false, value: 88),
                        Reading(patient: 0, date: 5, systolic: true, value: 139.99999)]
        for seed in 0..<50 as Range<UInt64> {
            let s = Self.run(Self.shuffled(readings, seed: seed), patients: 1)
            guard case .pair(5, 138, 88) = s.latestPair(0) else { Issue.record("seed \(seed): \(s.latestPair(0))"); return }
        }
    }

    @Test func randomHistoriesOfManyPatientsInRandomOrders() {
        // Few distinct dates per patient, so pairs, repeats and one-sided dates all occur.
        var g = SeededRandom(seed: 2026)
        var readings: [Reading] = []
        let n = 300
        for p in 0..<n {
            for _ in 0..<Int(g.next() % 30) {
                readings.append(Reading(patient: p, date: Int32(g.next() % 40), systolic: g.next() % 2 == 0,
                                        value: Double(40 + g.next() % 200) + Double(g.next() % 100) / 100))
            }
        }
        for seed in 0..<5 as Range<UInt64> {
            let wrong = Self.check(Self.shuffled(readings, seed: seed), patients: n)
            #expect(wrong.isEmpty, "seed \(seed): \(wrong.prefix(3))")
        }
    }

    @Test func twoOpenDatesStayInThePatientsRecord() {
        // Each patient's systolic of two dates, then both diastolics: two open dates at a time,
        // both inline, so the shared pool is never used.
        var readings: [Reading] = []
        for p in 0..<100 {
            for d: Int32 in [20, 10] { readings.append(Reading(patient: p, date: d, systolic: true, value: 120)) }
            for d: Int32 in [10, 20] { readings.append(Reading(patient: p, date: d, systolic: false, value: 80)) }
        }
        let s = Self.run(readings, patients: 100)
        #expect(Self.check(readings, patients: 100).isEmpty)
        #expect(s.poolSize == 0)
        #expect(s.spilledPatients == 0)
    }

    @Test func closedDatesAreReusedSoThePoolHoldsOnlyWhatIsOpen() {
        // Each patient's systolics of three dates (two inline, one in the pool), then the
        // diastolic of the newest: the pair closes all three, and the node it frees is the next
        // patient's.
        var readings: [Reading] = []
        for p in 0..<100 {
            for d: Int32 in [10, 20, 30] { readings.append(Reading(patient: p, date: d, systolic: true, value: 120)) }
            readings.append(Reading(patient: p, date: 30, systolic: false, value: 80))
        }
        let s = Self.run(readings, patients: 100)
        #expect(Self.check(readings, patients: 100).isEmpty)
        #expect(s.poolSize == 1)
        #expect(s.spilledPatients == 0)
    }

    @Test func aPairOnAPooledDateClosesTheOlderInlineDates() {
        // Inline: 10, 20 (systolic); pool: 30 (systolic). Completing 30 closes 10 and 20, so a
        // later diastolic on 20 is older than the pair and changes nothing.
        var readings = [Int32(10), 20, 30].map { Reading(patient: 0, date: $0, systolic: true, value: 130) }
        readings.append(Reading(patient: 0, date: 30, systolic: false, value: 85))
        readings.append(Reading(patient: 0, date: 20, systolic: false, value: 70))
        #expect(Self.check(readings, patients: 1).isEmpty)
        guard case .pair(30, 130, 85) = Self.run(readings, patients: 1).latestPair(0) else { Issue.record("pair"); return }
    }

    @Test func aPatientRecordIsThirtyTwoBytes() {
        #expect(MemoryLayout<BloodPressureState.Patient>.stride == 32)
    }

    static func oneSidedThenPair(_ open: Int) -> [Reading] {
        (0..<open).map { Reading(patient: 0, date: Int32(100 + $0), systolic: true, value: 130) }
            + [Reading(patient: 0, date: 50, systolic: true, value: 125), Reading(patient: 0, date: 50, systolic: false, value: 75)]
    }

    // The pair's first reading opens a date too: n one-sided dates then the pair open n + 1.
    @Test func thirtyTwoOpenDatesStayInTheList() {
        let s = Self.run(Self.oneSidedThenPair(Int(BloodPressureState.listLimit) - 1), patients: 1)
        #expect(s.spilledPatients == 0)
        guard case .pair(50, 125, 75) = s.latestPair(0) else { Issue.record("\(s.latestPair(0))"); return }
    }

    @Test func thirtyThreeOpenDatesMoveToTheSideTable() {
        let readings = Self.oneSidedThenPair(Int(BloodPressureState.listLimit))
        let s = Self.run(readings, patients: 1)
        #expect(s.spilledPatients == 1)
        guard case .pair(50, 125, 75) = s.latestPair(0) else { Issue.record("\(s.latestPair(0))"); return }
        // Completing an open date in the side table closes it and every older open date.
        var more = readings
        more.append(Reading(patient: 0, date: 110, systolic: false, value: 70))
        #expect(Self.check(more, patients: 1).isEmpty)
        guard case .pair(110, 130, 70) = Self.run(more, patients: 1).latestPair(0) else { Issue.record("side table pair"); return }
    }

    // A node packs date and side into one Int32; readings before 1970 have negative day numbers.
    @Test func datesBefore1970KeepTheirSideAndOrderInThePool() {
        var g = SeededRandom(seed: 1969)
        var readings: [Reading] = []
        for p in 0..<50 {
            for _ in 0..<12 {
                readings.append(Reading(patient: p, date: -20_000 + Int32(g.next() % 25), systolic: g.next() % 2 == 0,
                                        value: Double(60 + g.next() % 150)))
            }
        }
        for seed in 0..<3 as Range<UInt64> {
            let wrong = Self.check(Self.shuffled(readings, seed: seed), patients: 50)
            #expect(wrong.isEmpty, "seed \(seed): \(wrong.prefix(3))")
        }
    }

    @Test func aPoolNodeIsSixteenBytes() {
        #expect(MemoryLayout<BloodPressureState.Node>.stride == 16)
        let node = BloodPressureState.Node(value: 1, date: -1, next: 7, side: BloodPressureState.diastolic)
        #expect(node.date == -1 && node.side == BloodPressureState.diastolic && node.next == 7)
    }
}
