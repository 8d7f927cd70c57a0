import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import StratifyScores

public enum IMDVersion: String, Sendable, CaseIterable {
    case imd2019 = "2019"
    case imd2025 = "2025"

    /// IMD 2019 is published on 2011 LSOAs, IMD 2025 on 2021 LSOAs (rules.md §2).
    public var file: String { self == .imd2019 ? "imd/imd2019_lsoa11.csv" : "imd/imd2025_lsoa21.csv" }
    public var vintage: IMDTable.Vintage { self == .imd2019 ? .lsoa2011 : .lsoa2021 }
    public var other: IMDVersion { self == .imd2019 ? .imd2025 : .imd2019 }
    public static let lookupFile = "imd/lsoa11_to_lsoa21.csv"
}

/// Loads the shipped rule set and IMD table from `reference/` unless told otherwise.
public enum FlagsSetup {
    public static let defaultRules = "rules/stratify-v1.rules"

    public static func ruleSet(_ explicit: String?, reference: ReferenceData,
                               overrides: [String: Constant] = [:]) throws(StratifyError) -> RuleSet {
        try RuleSetCompiler.compile(path: explicit ?? reference.root + "/" + defaultRules, reference: reference, overrides: overrides)
    }

    public static func scores(reference: ReferenceData) throws(StratifyError) -> ScoreDefinitions {
        try ScoreDefinitions(reference: reference)
    }

    /// The shipped prevalence measures and the demo ICB's practice structure, with NHS Digital's
    /// default disclosure control (suppress 1–7, round to 5).
    public static func prevalence(reference: ReferenceData) throws(StratifyError)
        -> (measures: [PrevalenceMeasure], practices: PracticeTable, disclosure: DisclosureControl) {
        (try PrevalenceMeasure.load(reference: reference),
         try PracticeTable(path: reference.practicesPath), DisclosureControl())
    }

    /// The chosen IMD table, answering the other LSOA vintage's codes through the best-fit lookup.
    public static func imd(_ version: IMDVersion, reference: ReferenceData) throws(StratifyError) -> IMDTable {
        let table = try IMDTable(path: reference.root + "/" + version.file)
        let lookupPath = reference.root + "/" + IMDVersion.lookupFile
        // A reference folder from before the lookup was curated still works, on one vintage.
        guard FileSystem.exists(lookupPath) else { return table }
        return table.bridged(vintage: version.vintage, other: try IMDTable(path: reference.root + "/" + version.other.file),
                             lookup: try LSOALookup(path: lookupPath))
    }

}
