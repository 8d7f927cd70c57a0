import Testing
import StratifyCore
import StratifyFlags

/// rules.md §2: IMD deciles, core20 three-valued logic, PLUS groups.
@Suite struct CoreTwentyTests {
    // E01000001 (City of London) is decile 9 in IMD 2019; E01000027 is decile 2 (checked below
    // against the reference table rather than assumed).
    @Test func knownLSOAGivesDecileAndQuintile() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,E01000001")
        #expect(r["a", "imd_decile"] == "9")
        #expect(r["a", "imd_quintile"] == "5")
        #expect(r["a", "core20"] == "false")
    }

    @Test func unknownLSOAGivesEmptyCore20() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,E01999999")
        #expect(r["a", "imd_decile"] == "")
        #expect(r["a", "core20"] == "")
        #expect(r.flags.quality.lsoaNotInIMD == 1)
    }

    @Test func unknownCore20AndNoPlusGroupGivesEmptyCore20Plus() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,,A")
        #expect(r["a", "core20plus"] == "")
    }

    @Test func unknownCore20WithPlusGroupGivesTrueCore20Plus() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,,M")
        #expect(r["a", "plus_ethnic_minority"] == "true")
        #expect(r["a", "core20plus"] == "true")
    }

    @Test func mostDeprivedDecileIsCore20() throws {
        let decile1 = FlagFixture.lsoa(decile: 1)
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,\(decile1),A")
        #expect(r["a", "imd_decile"] == "1")
        #expect(r["a", "core20"] == "true")
        #expect(r["a", "core20plus"] == "true")
    }

    @Test func whiteOrNotStatedIsNotEthnicMinority() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,,A\nb,1980-01-01,male,,Z\nc,1980-01-01,male")
        #expect(r["a", "plus_ethnic_minority"] == "false")
        #expect(r["b", "plus_ethnic_minority"] == "false")
        #expect(r["c", "plus_ethnic_minority"] == "false")
    }

    @Test func carerWithNotCarerOnSameDayIsNotCarer() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,female\nb,1980-01-01,female",
                                    events: "a,2024-01-01,carer\na,2024-01-01,not_carer\nb,2024-01-01,not_carer\nb,2024-01-02,carer")
        #expect(r["a", "plus_carer"] == "false")
        #expect(r["b", "plus_carer"] == "true")
    }
}

extension FlagFixture {
    static func lsoa(decile: Int) -> String {
        let text = try! String(contentsOfFile: root + "/reference/imd/imd2019_lsoa11.csv", encoding: .utf8)
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            if Int(f[1]) == decile { return String(f[0]) }
        }
        fatalError("no LSOA in decile \(decile)")
    }
}

/// A pipeline chooses which PLUS groups count, by overriding the rule set's use_plus_* params.
@Suite struct PlusGroupChoiceTests {
    @Test func excludedGroupDoesNotMakePlusGroup() throws {
        let overrides: [String: Constant] = ["use_plus_ethnic_minority": .bool(false)]
        let rules = try RuleSetCompiler.compile(path: FlagFixture.root + "/reference/rules/stratify-v1.rules",
                                                reference: FlagFixture.reference, overrides: overrides)
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,,M\nb,1980-01-01,male,,A",
                                    events: "b,2024-01-01,carer", ruleSet: rules)
        #expect(r["a", "plus_ethnic_minority"] == "true")
        #expect(r["a", "plus_group"] == "false")
        #expect(r["b", "plus_group"] == "true")
    }

    @Test func overridingAnUnknownParamIsAnError() {
        #expect(throws: StratifyError.self) {
            try RuleSetCompiler.compile(path: FlagFixture.root + "/reference/rules/stratify-v1.rules",
                                        reference: FlagFixture.reference, overrides: ["use_plus_nothing": .bool(true)])
        }
    }
}
