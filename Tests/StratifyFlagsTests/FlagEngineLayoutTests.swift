import StratifyCore
@testable import StratifyFlags
import StratifyIngest
import Testing

/// The engine's accumulators are stored patient by patient (FlagEngine.swift). Each patient's
/// answers must be what an engine holding that patient alone gives (the plain reference: one
/// record, nothing to mix up), for every rule-set value of both shipped rule sets, whatever the
/// order and batching of the rows: patient order, shuffled, and one row per batch. Boundary
/// cases: one patient, patients with no rows, rows on the window edges, D, the date of birth,
/// and rows outside date of birth ... D.
@Suite struct FlagEngineLayoutTests {
    struct Row { var patient: Int; var date: Int32; var code: UInt64; var value: Double }

    static func patients(_ n: Int, asOf: Day) -> PatientTable {
        var t = PatientTable()
        for p in 0..<n {
            _ = t.index.insert(Array("P\(p)".utf8))
            t.nhsNumber.append(0)
            t.dateOfBirth.append(asOf.rawValue - Int32(365 * (5 + (p * 7) % 90)))
            t.sex.append(UInt8(p % 2 + 1))
            t.dateOfDeath.append(PatientTable.noDay)
            t.practice.append(Array("A81001".utf8).withUnsafeBytes { PatientTable.packPractice($0, 0) })
            t.registrationStart.append(PatientTable.noDay)
            t.lsoa.append(-1)
            t.ethnicCategory.append(0)
        }
        return t
    }

    static func rows(_ ruleSet: RuleSet, domain: ListDomain, patients n: Int, perPatient: Int, asOf: Day, seed: UInt64) -> [Row] {
        let codes = Array(Set(ruleSet.lists.filter { $0.domain == domain }.flatMap(\.codes))).sorted()
        var g = SeededRandom(seed: seed)
        var out: [Row] = []
        let d = asOf.rawValue
        for p in 0..<n where p % 5 != 4 {  // every fifth patient has no rows
            for k in 0..<perPatient {
                // Dates: D, the day after D, windows' edges (whole months and years back), spread.
                let back = [0, -1, 30, 31, 182, 183, 365, 366, 730, 1826, 1827, 3650, 9000][k % 13] + Int(g.below(3)) - 1
                let value = k % 7 == 0 ? Double.nan : Double(20 + g.below(200)) + (k % 3 == 0 ? 0.5 : 0)
                out.append(Row(patient: p, date: d - Int32(back), code: codes[g.below(codes.count)], value: value))
            }
        }
        return out
    }

    static func run(_ ruleSet: RuleSet, _ table: PatientTable, events: [[Row]], medications: [[Row]], asOf: Day) -> FlagResult {
        var engine = FlagEngine(ruleSet: ruleSet, asOf: asOf)
        for batch in events {
            var b = EventBatch()
            for r in batch { b.patient.append(Int32(r.patient)); b.date.append(r.date); b.code.append(r.code); b.value.append(r.value) }
            engine.consume(events: b, patients: table)
        }
        for batch in medications {
            var b = MedicationBatch()
            for r in batch { b.patient.append(Int32(r.patient)); b.date.append(r.date); b.code.append(r.code) }
            engine.consume(medications: b, patients: table)
        }
        return engine.finish(patients: table, imd: FlagFixture.imd)
    }

    @Test(arguments: [1, 7, 40])
    func eachPatientAsIfAlone(patients n: Int) throws {
        let asOf = Day(iso: "2026-03-31")!
        for ruleSet in [FlagFixture.ruleSet, FlagFixture.ruleSetV2] {
            let table = Self.patients(n, asOf: asOf)
            let events = Self.rows(ruleSet, domain: .events, patients: n, perPatient: 60, asOf: asOf, seed: UInt64(n))
            let meds = Self.rows(ruleSet, domain: .medications, patients: n, perPatient: 25, asOf: asOf, seed: UInt64(n) + 99)
            var g = SeededRandom(seed: 7)
            let orders: [(String, [[Row]], [[Row]])] = [
                ("patient order", [events], [meds]),
                ("shuffled", [events.shuffled(using: &g)], [meds.shuffled(using: &g)]),
                ("one row a batch, shuffled", events.shuffled(using: &g).map { [$0] }, meds.shuffled(using: &g).map { [$0] }),
            ]
            // The reference: one engine per patient, holding that patient alone.
            var alone: [[String]] = []
            for p in 0..<n {
                let one = Self.patients(p + 1, asOf: asOf)
                var solo = PatientTable()
                _ = solo.index.insert(Array(one.index.key(p)))
                solo.nhsNumber = [0]; solo.dateOfBirth = [one.dateOfBirth[p]]; solo.sex = [one.sex[p]]
                solo.dateOfDeath = [PatientTable.noDay]; solo.practice = [one.practice[p]]
                solo.registrationStart = [PatientTable.noDay]; solo.lsoa = [-1]; solo.ethnicCategory = [0]
                let mine = { (rows: [Row]) in rows.filter { $0.patient == p }.map { Row(patient: 0, date: $0.date, code: $0.code, value: $0.value) } }
                let r = Self.run(ruleSet, solo, events: [mine(events)], medications: [mine(meds)], asOf: asOf)
                alone.append(r.values.map { $0.text(at: 0) })
            }
            for (name, ev, rx) in orders {
                let r = Self.run(ruleSet, table, events: ev, medications: rx, asOf: asOf)
                var wrong = 0
                for p in 0..<n {
                    for (i, c) in r.values.enumerated() where c.text(at: p) != alone[p][i] {
                        wrong += 1
                        if wrong <= 5 { Issue.record("\(ruleSet.name), \(name), patient \(p): \(ruleSet.values[i].name) is \(c.text(at: p)), alone \(alone[p][i])") }
                    }
                }
                #expect(wrong == 0, "\(ruleSet.name), \(name), \(n) patients")
            }
        }
    }
}
