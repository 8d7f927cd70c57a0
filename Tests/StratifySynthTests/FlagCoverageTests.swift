import Foundation
import StratifyCore
import StratifyFlags
import StratifyIngest
import StratifyPipeline
import StratifyReference
import StratifySynth
import Testing

/// rules.md needs members for every register and flag: the synthetic data must produce them.
@Suite struct FlagCoverageTests {
    @Test("at 10,000 patients every boolean v1 field and every tier and priority value has members")
    func everyFlagHasMembers() throws {
        let dir = try makeTemporaryDirectory("coverage")
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try ReferenceData(root: Paths.reference)
        var options = SynthOptions(patients: 10_000, seed: 11, outputDirectory: dir.path)
        options.defectRate = 0
        _ = try SyntheticExtract(options: options, reference: reference).write()
        let rules = try FlagsSetup.ruleSet(nil, reference: reference)
        var engine = FlagEngine(ruleSet: rules, asOf: SynthOptions.defaultAsOf)
        var quarantine = CollectingQuarantine()
        let ingest = try ExtractReader(directory: dir.path, options: IngestOptions(asOf: SynthOptions.defaultAsOf))
            .read(sink: &engine, quarantine: &quarantine)
        let flags = engine.finish(patients: ingest.patients, imd: try FlagsSetup.imd(.imd2019, reference: reference))
        for i in rules.fields {
            let name = rules.values[i].name
            switch flags.values[i] {
            case .bool(let v):
                let members = v.indices.filter { flags.inPopulation[$0] && v[$0] == 1 }.count
                #expect(members > 0, "\(name) has no members")
            case .string(let idx, let table) where name == "htn_case_finding_tier" || name == "copd_priority":
                let seen = Set(idx.indices.filter { flags.inPopulation[$0] && idx[$0] >= 0 }.map { table[Int(idx[$0])] })
                let expected: Set<String> = name == "copd_priority" ? ["PG1", "PG2", "PG3", "PG4"] : ["severe", "stage2", "stage1"]
                #expect(seen == expected, "\(name): \(seen.sorted())")
            default:
                continue
            }
        }
    }
}

