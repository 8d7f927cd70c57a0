import Foundation
import StratifyCore
import StratifyFlags
import StratifyIngest
import StratifyPipeline
import StratifyReference
import StratifyScores
import StratifySynth
import Testing

/// Issue 15: at 10,000 patients the synthetic extract populates every rules.md §12–§19 field,
/// at realistic rates (docs/synth.md records the measured rates).
@Suite struct V2CoverageTests {
    struct Run {
        let flags: FlagResult
        func column(_ name: String) -> Column {
            flags.column(named: name) ?? flags.attributes[PatientAttribute(rawValue: name)!]!
        }
        func text(_ name: String, _ p: Int) -> String { column(name).text(at: p) }
        var members: [Int] { flags.inPopulation.indices.filter { flags.inPopulation[$0] } }
        func share(_ where: (Int) -> Bool, _ holds: (Int) -> Bool) -> Double {
            let s = members.filter(`where`)
            return Double(s.filter(holds).count) / Double(max(1, s.count))
        }
    }

    static let run: Result<Run, FixtureError> = {
        do {
            let dir = try makeTemporaryDirectory("v2-coverage")
            defer { try? FileManager.default.removeItem(at: dir) }
            let reference = try ReferenceData(root: Paths.reference)
            var options = SynthOptions(patients: 10_000, seed: 15, outputDirectory: dir.path)
            options.defectRate = 0
            _ = try SyntheticExtract(options: options, reference: reference).write()
            let rules = try FlagsSetup.ruleSet(Paths.reference + "/rules/stratify-v2.rules", reference: reference)
            var engine = FlagEngine(ruleSet: rules, asOf: SynthOptions.defaultAsOf)
            var quarantine = CollectingQuarantine()
            let ingest = try ExtractReader(directory: dir.path, options: IngestOptions(asOf: SynthOptions.defaultAsOf))
                .read(sink: &engine, quarantine: &quarantine)
            let flags = engine.finish(patients: ingest.patients, imd: try FlagsSetup.imd(.imd2019, reference: reference))
            let scores = try ScoreStage.run(flags, try FlagsSetup.scores(reference: reference))
            return .success(Run(flags: try flags.completing(scores: scores)))
        } catch {
            return .failure(FixtureError(description: "\(error)"))
        }
    }()

    static let v2Fields = ["efi2", "efi2_category", "comorbidity_count", "gp_encounter_6m", "ethnicity", "ethnicity_source",
                           "ethnic_group_5", "care_home", "housebound", "plus_care_home", "plus_housebound", "vacc_flu_65",
                           "vacc_pneumo_65", "vacc_shingles_70_79", "af_cha2ds2vasc", "af_anticoag_gap", "llt_gap",
                           "statin_gap", "hba1c_latest", "hba1c_date", "dm_hba1c_controlled", "dm_hba1c_excluded",
                           "seg_ltc_count", "segment8", "complex_lives_count"]

    @Test func everyV2FieldHasValuesAndEveryFlagHasMembers() throws {
        let r = try Self.run.get()
        for name in Self.v2Fields {
            let c = r.column(name)
            #expect(r.members.contains { !c.isNull(at: $0) }, "\(name) is always empty")
            if case .bool(let v) = c {
                #expect(r.members.contains { v[$0] == 1 }, "\(name) is never true")
                #expect(r.members.contains { v[$0] == 0 }, "\(name) is never false")
            }
        }
        for (name, values) in [("efi2_category", ["robust", "mild", "moderate", "severe"]),
                               ("ethnicity_source", ["extract", "snomed", "none"]),
                               ("segment8", ["1-child-healthy", "2-child-ltc", "4-adult-healthy", "5-adult-single-ltc",
                                             "6-adult-multi-ltc", "7-adult-complex", "8-end-of-life"])] {
            let seen = Set(r.members.map { r.text(name, $0) })
            for v in values { #expect(seen.contains(v), "\(name) has no '\(v)'") }
        }
    }

    /// docs/synth.md: 20% of patients have no event in 6 months, the older ones included. A COVID
    /// record dated at the last contact of a person without contact gave most of those aged 75+
    /// a GP encounter (8% were left without one).
    @Test func peopleAged75PlusKeepTheirShareWithoutAGPEncounter() throws {
        let r = try Self.run.get()
        let none = r.share({ Int(r.text("age", $0))! >= 75 }, { r.text("gp_encounter_6m", $0) == "false" })
        #expect(none > 0.15 && none < 0.25, "\(none)")
    }

    @Test func ratesAreRealistic() throws {
        let r = try Self.run.get()
        let age = { (p: Int) in Int(r.flags.attributes[.age]!.text(at: p))! }
        let careHome85 = r.share({ age($0) >= 85 }, { r.text("care_home", $0) == "true" })
        #expect(careHome85 > 0.01 && careHome85 < 0.06, "care home 85+: \(careHome85)")
        let flu = r.share({ r.text("vacc_flu_65", $0) != "" }, { r.text("vacc_flu_65", $0) == "true" })
        #expect(flu > 0.68 && flu < 0.82, "flu 65+: \(flu)")
        let fluQ1 = r.share({ r.text("vacc_flu_65", $0) != "" && r.text("imd_quintile", $0) == "1" }, { r.text("vacc_flu_65", $0) == "true" })
        let fluQ5 = r.share({ r.text("vacc_flu_65", $0) != "" && ["4", "5"].contains(r.text("imd_quintile", $0)) }, { r.text("vacc_flu_65", $0) == "true" })
        #expect(fluQ1 < fluQ5, "flu deprivation gradient: \(fluQ1) vs \(fluQ5)")
        let anticoag = r.share({ r.text("af_anticoag_gap", $0) != "" }, { r.text("af_anticoag_gap", $0) == "false" })
        #expect(anticoag > 0.8 && anticoag < 0.97, "AF anticoagulation: \(anticoag)")
        let severeOld = r.share({ age($0) >= 85 }, { ["moderate", "severe"].contains(r.text("efi2_category", $0)) })
        let severeYoung = r.share({ age($0) >= 65 && age($0) < 75 }, { ["moderate", "severe"].contains(r.text("efi2_category", $0)) })
        #expect(severeOld > 2 * severeYoung, "eFI2 moderate+severe by age: \(severeYoung) at 65-74, \(severeOld) at 85+")
        let snomedEthnicity = r.members.filter { r.text("ethnicity_source", $0) == "snomed" }.count
        #expect(snomedEthnicity > 200, "ethnicity from SNOMED: \(snomedEthnicity)")
    }

    @Test func bothPolypharmacyLevelsArePopulatedAmong65Plus() throws {
        let r = try Self.run.get()
        let age = { (p: Int) in Int(r.flags.attributes[.age]!.text(at: p))! }
        let fiveToNine = r.share({ age($0) >= 65 }, { r.text("efi2_polypharmacy_5_9", $0) == "true" })
        let tenPlus = r.share({ age($0) >= 65 }, { r.text("efi2_polypharmacy_10_plus", $0) == "true" })
        #expect(fiveToNine > 0.25, "5-9 paragraphs: \(fiveToNine)")
        #expect(tenPlus > 0.05, "10+ paragraphs: \(tenPlus)")
    }
}
