import Foundation
import Testing

/// `stratify flags` and `stratify rules check`, run as a user would.
@Suite struct FlagsCommandTests {
    @Test func rulesCheckAcceptsTheShippedRuleSet() throws {
        let r = try stratify(["rules", "check", Paths.reference + "/rules/stratify-v1.rules", "--reference", Paths.reference])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("is valid"))
    }

    @Test func rulesCheckRejectsABrokenRuleSetWithLineAndColumn() throws {
        try withTemporaryDirectory("rules") { dir in
            let file = dir.appendingPathComponent("broken.rules").path
            try "ruleset \"b\" version \"1\"\nfield x = ever(NOT_A_LIST)\n".write(toFile: file, atomically: true, encoding: .utf8)
            let r = try stratify(["rules", "check", file, "--reference", Paths.reference])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("broken.rules, line 2, column 16: unknown list 'NOT_A_LIST'"), "\(r)")
        }
    }

    @Test func rulesWithUnknownActionIsBadInvocation() throws {
        let r = try stratify(["rules", "lint", "x.rules"])
        #expect(r.status == 64, "\(r)")
    }

    @Test func flagsWritesPatientsCSVWithModeAndColumns() throws {
        try withTemporaryDirectory("flags") { dir in
            let out = dir.appendingPathComponent("run").path
            let r = try stratify(["flags", Paths.golden.appendingPathComponent("small-extract").path, "--as-of", "2025-03-31",
                                  "--out", out, "--max-quarantine", "1", "--reference", Paths.reference])
            #expect(r.status == 0, "\(r)")
            let csv = try String(contentsOfFile: out + "/patients.csv", encoding: .utf8)
            let header = csv.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.hasPrefix("patient_id,practice_code,age,sex,imd_decile,imd_quintile,reg_hyp,"))
            #expect(header.contains("htn_case_finding_tier") && header.contains("cancer_referral_recent"))
            #expect(try mode(out + "/patients.csv") == 0o600)
            let manifest = try readJSON(URL(fileURLWithPath: out + "/manifest.json"))
            #expect(string(manifest, "rules", "name") == "stratify-v1")
            #expect((string(manifest, "rules", "sha256") ?? "").count == 64)
            #expect(int(manifest, "flags", "population") ?? 0 > 0)
        }
    }

    @Test func flagsWithUnknownIMDVersionIsBadInvocation() throws {
        let r = try stratify(["flags", "x", "--out", "y", "--imd", "2015"])
        #expect(r.status == 64, "\(r)")
    }
}
