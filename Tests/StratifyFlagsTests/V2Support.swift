import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference

/// Support for the rules.md §12–§19 spec tests: the v2 rule set, codes picked from the curated
/// files by their row rule, and the shipped cohorts of pipelines/nightly.json.
enum V2 {
    static func run(asOf: String, patients: String, events: String = "", medications: String = "",
                    ruleSet: RuleSet = FlagFixture.ruleSetV2) throws -> FlagFixture.Result {
        try FlagFixture.run(asOf: asOf, patients: patients, events: events, medications: medications, ruleSet: ruleSet)
    }

    /// Rows of a curated CSV under reference/ (header dropped), fields split on commas (the files
    /// read here quote nothing that matters to the tests: codes and rule columns come first).
    static func rows(_ rel: String) -> [[String]] {
        let text = try! String(contentsOfFile: FlagFixture.root + "/reference/" + rel, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            var fields: [String] = [], cell = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { fields.append(cell); cell = "" } else { cell.append(ch) }
            }
            fields.append(cell)
            return fields
        }
    }

    /// A code of eFI2 group file `group` whose row has exactly this rule and that is in no other
    /// eFI2 group (so one event exercises one predictor).
    static func efi2Code(_ group: String, window: String = "", minAge: String = "", test: String = "") -> String {
        let others = FlagFixture.allLists.filter { $0.key.hasPrefix("efi2/") && $0.key != "efi2/" + group }
            .values.reduce(into: Set<UInt64>()) { $0.formUnion($1) }
        let row = rows("codelists/efi2/\(group).csv").first { r in
            r[2] == window && r[3] == minAge && r[4] == test && !others.contains(UInt64(r[0])!)
        }
        guard let row else { fatalError("no \(group) row with window '\(window)', age '\(minAge)', test '\(test)'") }
        return row[0]
    }

    /// Patient ids in the shipped cohort `name` (pipelines/nightly.json).
    static func cohort(_ name: String, _ r: FlagFixture.Result) throws -> Set<String> {
        let data = try Data(contentsOf: URL(fileURLWithPath: FlagFixture.root + "/pipelines/nightly.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let cohorts = json["cohorts"] as! [[String: Any]]
        let cohort = cohorts.first { $0["name"] as? String == name }!
        let condition = try CohortCondition(cohort["where"] as! String, file: "nightly.json", ruleSet: r.flags.ruleSet,
                                            externals: r.scores)
        return Set(condition.members(r.flags, externals: r.scores).filter { r.flags.inPopulation[$0] }.map {
            String(decoding: r.flags.patients.index.key($0), as: UTF8.self)
        })
    }
}
