import Testing
import StratifyCore
import StratifyFlags

/// `stratify rules check`: the shipped rule set compiles; broken ones fail with line and column.
@Suite struct RuleSetCheckTests {
    func errors(_ source: String) -> String {
        do {
            _ = try RuleSetCompiler.compile(source: source, file: "t.rules", reference: FlagFixture.reference)
            return "no error"
        } catch {
            return error.message
        }
    }

    let header = "ruleset \"t\" version \"1\"\ncodelist HYP = \"codelists/hyp_cod.csv\"\n"

    @Test func shippedRuleSetIsValidAndNamesEveryField() throws {
        let r = FlagFixture.ruleSet
        let names = Set(r.fields.map { r.values[$0].name })
        for f in ["reg_hyp", "reg_pc", "ltc_count", "core20plus", "htn_case_finding_tier", "copd_priority",
                  "smi_check_gap", "cervical_screen_gap", "cancer_referral_recent"] {
            #expect(names.contains(f))
        }
    }

    @Test func unknownListIsReportedAtItsToken() {
        #expect(errors(header + "field x = ever(HYPP)\n") == "t.rules, line 3, column 16: unknown list 'HYPP'")
    }

    @Test func unknownFieldIsReportedAtItsToken() {
        #expect(errors(header + "field x = ever(HYP)\nfield y = x and z\n") == "t.rules, line 4, column 17: unknown field 'z'")
    }

    @Test func typeMismatchIsReported() {
        #expect(errors(header + "field x = latest(HYP) and true\n").contains("line 3, column 23: type mismatch"))
    }

    @Test func cycleIsReported() {
        #expect(errors(header + "let a = b\nlet b = a\n").contains("cycle: a -> b -> a"))
    }

    @Test func missingListFileIsReported() {
        #expect(errors("ruleset \"t\" version \"1\"\ncodelist X = \"codelists/nope.csv\"\n").contains("line 2"))
    }

    @Test func syntaxErrorPointsAtToken() {
        #expect(errors(header + "field x = (ever(HYP)\n").contains("expected ')' to close the '(' at line 3, column 11"))
    }

    /// Found by fuzzing (docs/fuzzing.md): a whole number past Int64.max trapped when compiled.
    @Test func wholeNumberPastInt64IsReportedAtItsToken() {
        #expect(errors(header + "field x = 99999999999999999999 > 1\n")
                == "t.rules, line 3, column 11: a whole number must be less than 2^63 (found '99999999999999999999')")
    }

    /// A window's N became an Int (trapping past Int.max) and a day count (trapping past Int32).
    @Test func windowPastItsLimitIsReportedAtItsToken() {
        #expect(errors(header + "field x = count(HYP, 10001 months) > 1\n")
                == "t.rules, line 3, column 22: a window needs a whole number from 0 to 10000 (found '10001')")
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let e = errors(header + "field x = ever(NOPE)\nfield y = unknown_name\n")
        #expect(e.contains("line 3") && e.contains("line 4"))
    }
}
