import Foundation
import StratifyIngest
import StratifyReference
import Testing
@testable import StratifySynth

/// The synthetic population looks like an English ICB's registered list (docs/synth.md), and only
/// ever uses codes, practices and areas from reference/.
@Suite("Synth: realism at 10,000 patients")
struct RealismTests {
    static func population() throws -> Population { try Population.shared.get() }

    static let lists = ReferenceFiles.codeLists()

    static func list(_ name: String) throws -> Set<UInt64> {
        let codes = try #require(lists[name], "no reference list \(name)")
        #expect(!codes.isEmpty, "\(name) is empty")
        return codes
    }

    @Test("the generated extract reads back with nothing quarantined and row counts as reported")
    func readsBackClean() throws {
        let p = try Self.population()
        #expect(p.quarantined == 0)
        #expect(p.count == Population.size)
        for r in p.reports {
            #expect(r.rowsQuarantined == 0, "\(r.table)")
            #expect(r.rowsRead == p.summary.rows[r.table], "\(r.table)")
        }
    }

    @Test("about 20% of patients live in IMD 2019 deciles 1-2 (Core20)")
    func core20Share() throws {
        let p = try Self.population()
        let deciles = ReferenceFiles.imdDecile
        #expect(deciles.count > 30_000, "IMD table not read")
        let core20 = p.lsoas.filter { l in l.flatMap { deciles[$0] }.map { $0 <= 2 } ?? false }.count
        let share = Double(core20) / Double(p.count)
        #expect(share >= 0.15 && share <= 0.25, "Core20 share \(share)")
        // Every LSOA given is a real one: 2011 codes from the IMD 2019 table, plus a few 2021-only
        // codes (docs/synth.md: mixed vintages, for the "not in the IMD table" count).
        let lsoa21 = Set(ReferenceFiles.firstColumn(URL(fileURLWithPath: Paths.reference + "/imd/imd2025_lsoa21.csv")))
        let unmatched = p.lsoas.compactMap { $0 }.filter { deciles[$0] == nil }
        #expect(unmatched.allSatisfy { lsoa21.contains($0) }, "LSOAs in neither IMD table: \(unmatched.filter { !lsoa21.contains($0) }.prefix(5))")
        #expect(Double(unmatched.count) / Double(p.count) < 0.01, "\(unmatched.count) patients with a 2021-only LSOA")
        // About 2% have no LSOA.
        let missing = Double(p.lsoas.filter { $0 == nil }.count) / Double(p.count)
        #expect(missing > 0.005 && missing < 0.05, "share without an LSOA: \(missing)")
    }

    struct Prevalence: Sendable, CustomTestStringConvertible {
        let list: String
        let range: ClosedRange<Double>
        var testDescription: String { "\(list) \(range)" }
    }

    @Test("register prevalence is near QOF England", arguments: [
        Prevalence(list: "hyp_cod", range: 0.10...0.18),
        Prevalence(list: "copd_cod", range: 0.01...0.035),
        Prevalence(list: "mh_cod", range: 0.005...0.02),
        Prevalence(list: "cancer", range: 0.02...0.05),
        Prevalence(list: "dm_cod", range: 0.05...0.10),
    ])
    func prevalence(_ c: Prevalence) throws {
        let p = try Self.population()
        let share = p.share(having: try Self.list(c.list))
        #expect(c.range.contains(share), "\(c.list): \(share)")
    }

    @Test("14-24% of patients are aged 65 or over")
    func ageStructure() throws {
        let p = try Self.population()
        let share = Double(p.ages.filter { $0 >= 65 }.count) / Double(p.count)
        #expect(share >= 0.14 && share <= 0.24, "aged 65+: \(share)")
        #expect(p.ages.allSatisfy { $0 >= 0 && $0 <= 110 })
        #expect(p.ages.contains { $0 < 16 }, "no children")
    }

    @Test("50-150 events and 15-60 medication issues per patient")
    func volumes() throws {
        let p = try Self.population()
        let events = Double(p.events) / Double(p.count), meds = Double(p.medications) / Double(p.count)
        #expect(events >= 50 && events <= 150, "events per patient \(events)")
        #expect(meds >= 15 && meds <= 60, "medication issues per patient \(meds)")
    }

    @Test("every event code is in a reference SNOMED list, every dm+d code in a reference dm+d list")
    func codesComeFromReference() throws {
        let p = try Self.population()
        var snomed = Set<UInt64>(), dmd = Set<UInt64>()
        for (name, codes) in Self.lists {
            if name.hasPrefix("dmd/") { dmd.formUnion(codes) } else { snomed.formUnion(codes) }
        }
        #expect(snomed.count > 1000 && dmd.count > 100, "reference lists not read")
        var used = Set<UInt64>()
        for codes in p.eventCodes { used.formUnion(codes) }
        let invented = used.subtracting(snomed)
        #expect(invented.isEmpty, "event codes in no reference list: \(invented.sorted().prefix(10))")
        let inventedDrugs = p.allMedicationCodes.subtracting(dmd)
        #expect(inventedDrugs.isEmpty, "dm+d codes in no reference list: \(inventedDrugs.sorted().prefix(10))")
        #expect(used.count > 200, "suspiciously few distinct event codes: \(used.count)")
    }

    @Test("every practice_code is a North Central London practice")
    func practices() throws {
        let p = try Self.population()
        let known = ReferenceFiles.practiceCodes
        #expect(known.count > 100, "practice table not read")
        let unknown = Set(p.practices).subtracting(known)
        #expect(unknown.isEmpty, "practices not in the reference: \(unknown.sorted().prefix(5))")
        #expect(Set(p.practices).count > known.count / 2, "patients spread over too few practices")
    }

    @Test("eFI deficits are more numerous at 80+ than at 65-79")
    func frailtyRisesWithAge() throws {
        let p = try Self.population()
        let deficits = ReferenceFiles.codeLists(under: "efi")
        #expect(deficits.count == 35, "eFI lists: \(deficits.count)")
        func meanDeficits(_ ages: ClosedRange<Int>) -> Double {
            let people = p.ages.indices.filter { ages.contains(p.ages[$0]) }
            let total = people.map { i in deficits.values.filter { !$0.isDisjoint(with: p.eventCodes[i]) }.count }.reduce(0, +)
            return people.isEmpty ? 0 : Double(total) / Double(people.count)
        }
        let young = meanDeficits(65...79), old = meanDeficits(80...200)
        #expect(old > young, "mean eFI deficits: 65-79 \(young), 80+ \(old)")
        #expect(young > meanDeficits(0...49), "deficits under 50 should be rarer than at 65-79")
    }

    @Test("most people on the COPD register have an MRC dyspnoea grade recorded")
    func copdHasMRCGrades() throws {
        let p = try Self.population()
        let copd = try Self.list("copd_cod")
        // MRC codes that no eFI deficit list also holds, so frailty events cannot stand in for them.
        let efi = ReferenceFiles.codeLists(under: "efi").values.reduce(into: Set<UInt64>()) { $0.formUnion($1) }
        let mrc = try Self.list("mrc_dyspnoea").subtracting(efi)
        let onRegister = p.eventCodes.filter { !$0.isDisjoint(with: copd) }
        let graded = onRegister.filter { !$0.isDisjoint(with: mrc) }.count
        #expect(!onRegister.isEmpty)
        // docs/synth.md: COPD patients get MRC grades (85% of them in the generator).
        #expect(Double(graded) >= 0.5 * Double(onRegister.count), "\(graded) of \(onRegister.count) COPD patients have an MRC code")
    }

    @Test("the generator's catalogue has MRC codes for every grade 1-5")
    func mrcCatalogue() throws {
        let r = Paths.reference
        let catalogue = try SynthCatalogue(reference: ReferenceData(root: r), practicesFile: r + "/practices/north_central_london.csv",
                                           lsoaFile: r + "/practices/north_central_london_lsoa11.txt", imdFile: r + "/imd/imd2019_lsoa11.csv")
        #expect(Set(catalogue.mrcByGrade.filter { !$0.value.isEmpty }.keys) == Set(1...5))
        #expect(catalogue.efiDeficits.count == 35)
    }
}
