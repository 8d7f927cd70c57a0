import Foundation
import Glibc
@testable import StratifyPipeline
import StratifyCore
import StratifyFlags
import StratifyReference
import Testing

/// Pipeline definitions are checked whole at load (docs/pipelines.md, "Validation"): every rule
/// names the JSON path, and expressions the line and column.
@Suite struct PipelineValidationTests {
    static var base: [String: Any] { [
        "name": "t", "extract": "x", "output_root": "out",
        "cohorts": [["name": "frail", "where": "efi_category == 'severe'", "key_values": ["efi_deficits"]]],
    ] }

    static let ruleSet: RuleSet = {
        let reference = try! ReferenceData(root: Paths.reference)
        return try! FlagsSetup.ruleSet(nil, reference: reference)
    }()

    func json(_ change: [String: Any]) throws -> [UInt8] {
        var p = Self.base
        for (k, v) in change { p[k] = v }
        return [UInt8](try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys]))
    }

    /// The message of the error loading (and, with `ruleSet`, validating) the definition, or nil.
    func error(_ bytes: [UInt8], validate: Bool = false) -> String? {
        do {
            let d = try PipelineDefinition(json: bytes, path: "p.json")
            if validate { try d.validate(ruleSet: Self.ruleSet) }
            return nil
        } catch {
            return error.message
        }
    }

    func error(cohorts: [[String: Any]], validate: Bool = false) throws -> String? {
        error(try json(["cohorts": cohorts]), validate: validate)
    }

    func cohort(_ where: String) -> PipelineDefinition {
        var d = try! PipelineDefinition(json: try! json([:]), path: "p.json")
        d.cohorts[0].condition = `where`
        return d
    }

    // MARK: the file alone

    @Test func aSuppressionThresholdBelowOneIsRefused() throws {
        let m = error(try json(["suppression": ["threshold": 0]]))
        #expect(m == "p.json, $.suppression.threshold: must be at least 1", "\(m ?? "accepted")")
    }

    @Test func aSuppressionMultipleBelowOneIsRefused() throws {
        let m = error(try json(["suppression": ["multiple": 0]]))
        #expect(m == "p.json, $.suppression.multiple: must be at least 1", "\(m ?? "accepted")")
    }

    @Test func aCohortNamedLikeAnotherCohortsLeaversFileIsRefused() throws {
        let m = try error(cohorts: [["name": "frail", "where": "true"], ["name": "frail_leavers", "where": "true"]])
        #expect(m?.hasPrefix("p.json, $.cohorts[1].name: cohort 'frail_leavers' writes a file named like 'frail_leavers.csv'") == true, "\(m ?? "accepted")")
    }

    /// macOS and Windows file systems fold case: `Frail.csv` and `frail.csv` are one file there.
    @Test func cohortFileNamesAreComparedIgnoringCase() throws {
        let m = try error(cohorts: [["name": "frail_LEAVERS", "where": "true"], ["name": "Frail", "where": "true"]])
        #expect(m?.contains("$.cohorts[1].name") == true && m?.contains("ignoring case") == true, "\(m ?? "accepted")")
    }

    @Test func aCohortDefinedTwiceInAnotherCaseIsRefused() throws {
        let m = try error(cohorts: [["name": "frail", "where": "true"], ["name": "FRAIL", "where": "true"]])
        #expect(m == "p.json, $.cohorts[1].name: cohort 'FRAIL' is defined twice (as 'frail' at $.cohorts[0]; names are compared ignoring case)", "\(m ?? "accepted")")
    }

    @Test(arguments: ["", "a/b", "a\\b", ".hidden", "nul\u{0}byte", "tab\tname", "bell\u{7}", "zero\u{200B}width", "a.csv"])
    func aNameThatIsNotAPlainFileNameIsRefused(name: String) throws {
        let m = try error(cohorts: [["name": name, "where": "true"]])
        #expect(m == "p.json, $.cohorts[0].name: use letters, digits, '-' and '_' only (it names files)", "\(m ?? "accepted")")
    }

    @Test func aNameNotInNormalFormCIsRefused() throws {
        let m = try error(cohorts: [["name": "cafe\u{301}", "where": "true"]])
        #expect(m?.contains("$.cohorts[0].name: is not in Unicode normal form C") == true, "\(m ?? "accepted")")
    }

    @Test func aNameInNormalFormCIsAccepted() throws {
        #expect(try error(cohorts: [["name": "caf\u{E9}", "where": "true"]]) == nil)
    }

    @Test func aNameTooLongForItsLeaversFileIsRefused() throws {
        let m = try error(cohorts: [["name": String(repeating: "é", count: 122), "where": "true"]])
        #expect(m?.contains("is 244 bytes long; at most 243") == true, "\(m ?? "accepted")")
    }

    @Test func theLongestNameThatFitsIsAccepted() throws {
        #expect(try error(cohorts: [["name": String(repeating: "a", count: PipelineDefinition.maxCohortNameBytes), "where": "true"]]) == nil)
    }

    @Test func aKeyValueRepeatingABaseColumnIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "true", "key_values": ["imd_decile", "core20"]]])
        #expect(m == "p.json, $.cohorts[0].key_values[1]: 'core20' is already a column of every cohort file; remove it from key_values", "\(m ?? "accepted")")
    }

    @Test func aKeyValueListedTwiceIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "true", "key_values": ["ltc_count", "ltc_count"]]])
        #expect(m == "p.json, $.cohorts[0].key_values[1]: 'ltc_count' is listed twice", "\(m ?? "accepted")")
    }

    @Test func aJSONSyntaxErrorGivesLineAndColumn() {
        let m = error(Array("{\n  \"name\": \"t\",\n  \"extract\" \"x\"\n}".utf8))
        #expect(m?.hasPrefix("p.json, line 3, column 13: not valid JSON: expected ':'") == true, "\(m ?? "accepted")")
    }

    @Test func jsonNestedDeeperThanTheLimitIsRefused() {
        let m = error(Array(("{\"description\": " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}").utf8))
        #expect(m?.contains("not valid JSON: nested more than \(PipelineDefinition.maxDepth) levels deep") == true, "\(m ?? "accepted")")
    }

    @Test func aDefinitionOverTheByteLimitIsRefused() throws {
        let m = error(try json(["description": String(repeating: "x", count: PipelineDefinition.maxBytes)]))
        #expect(m?.contains("a pipeline definition may be at most \(PipelineDefinition.maxBytes) bytes") == true, "\(m ?? "accepted")")
    }

    @Test func aSettingGivenTwiceIsRefused() {
        let m = error(Array(#"{"name": "t", "extract": "x", "output_root": "o", "cohorts": [], "name": "u"}"#.utf8))
        #expect(m == "p.json, $.name: is given twice", "\(m ?? "accepted")")
    }

    // MARK: against the rule set

    @Test(arguments: ["nightly", "demo"])
    func shippedPipelinesValidate(name: String) throws {
        let d = try PipelineDefinition(path: Paths.packageRoot.appendingPathComponent("pipelines/\(name).json").path)
        // Against the rule set the pipeline names (stratify-v2 since issue 15).
        let ruleSet = try FlagsSetup.ruleSet(d.rules, reference: try ReferenceData(root: Paths.reference))
        #expect(throws: Never.self) { try d.validate(ruleSet: ruleSet) }
    }

    @Test func aKeyValueThatIsNoFieldIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "true", "key_values": ["ltc_cuont"]]], validate: true)
        #expect(m?.hasPrefix("p.json, $.cohorts[0].key_values[0]: 'ltc_cuont' is not a value of rule set") == true, "\(m ?? "accepted")")
    }

    func labelsError(_ labels: String) throws -> String? {
        try withTemporaryDirectory("labels") { dir in
            let file = dir.appendingPathComponent("labels.json")
            try Data(labels.utf8).write(to: file)
            return error(try json(["labels": file.path]), validate: true)?.replacingOccurrences(of: file.path, with: "labels.json")
        }
    }

    @Test func aLabelsFieldThatIsNoFieldIsRefused() throws {
        let m = try labelsError(#"{"values": {"efi_categry": {"severe": "severe frailty"}}}"#)
        #expect(m?.hasPrefix("labels.json, $.values.efi_categry: 'efi_categry' is not a value of rule set") == true, "\(m ?? "accepted")")
    }

    @Test func aLabelsPlaceholderThatIsNoFieldIsRefused() throws {
        let m = try labelsError(#"{"values": {"efi_category": {"severe": "severe frailty (eFI {eif})"}}}"#)
        #expect(m?.hasPrefix("labels.json, $.values.efi_category.severe: 'eif' is not a value of rule set") == true, "\(m ?? "accepted")")
    }

    @Test func aLabelsListFieldThatIsNoFieldIsRefused() throws {
        let m = try labelsError(#"{"lists": [{"prefix": "missing: ", "when": "false", "fields": {"smi_bmj": "BMI"}}]}"#)
        #expect(m?.hasPrefix("labels.json, $.lists[0].fields.smi_bmj: 'smi_bmj' is not a value of rule set") == true, "\(m ?? "accepted")")
    }

    @Test func anUnknownLabelsSettingIsRefused() throws {
        let m = try labelsError(#"{"value": {}}"#)
        #expect(m == "labels.json, $.value: unknown setting; known settings are about, lists, values", "\(m ?? "accepted")")
    }

    @Test func theNewCohortColumnsCannotBeKeyValues() throws {
        for column in ["practice_name", "details"] {
            let m = try error(cohorts: [["name": "c", "where": "true", "key_values": [column]]])
            #expect(m == "p.json, $.cohorts[0].key_values[0]: '\(column)' is already a column of every cohort file; remove it from key_values", "\(m ?? "accepted")")
        }
    }

    @Test func anOrderByFieldThatDoesNotExistIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "true", "order_by": [["expr": "age"], ["expr": "efi_deficit"]]]], validate: true)
        #expect(m == "p.json, $.cohorts[0].order_by[1].expr, line 1, column 1: unknown field 'efi_deficit'", "\(m ?? "accepted")")
    }

    @Test func aCategoryLiteralTheFieldNeverTakesIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "age >= 65 and efi_category == 'moderat'"]], validate: true)
        #expect(m == "p.json, $.cohorts[0].where, line 1, column 28: 'moderat' is never a value of this field; it takes 'fit', 'mild', 'moderate', 'severe'",
                "\(m ?? "accepted")")
    }

    /// In stratify-v2 the score columns are `score` statements of the rule set: the check still
    /// knows their categories, and a v2 score column without declared categories is not refused.
    @Test func aCategoryLiteralOfAV2ScoreColumnIsChecked() throws {
        let v2 = try FlagsSetup.ruleSet(Paths.reference + "/rules/stratify-v2.rules", reference: try ReferenceData(root: Paths.reference))
        let typo = cohort("age >= 65 and efi_category == 'moderat'")
        #expect(throws: StratifyError.self) { try typo.validate(ruleSet: v2) }
        let known = cohort("age >= 65 and efi2_category in ['moderate', 'severe'] and efi_category == 'moderate'")
        #expect(throws: Never.self) { try known.validate(ruleSet: v2) }
    }

    @Test func aReasonConditionIsCheckedToo() throws {
        let m = try error(cohorts: [["name": "c", "where": "true", "reasons": [["label": "l", "where": "segment == 'purple'"]]]], validate: true)
        #expect(m?.hasPrefix("p.json, $.cohorts[0].reasons[0].where, line 1, column 9: 'purple' is never a value") == true, "\(m ?? "accepted")")
    }

    @Test func aConditionThatIsNotTrueFalseIsRefused() throws {
        let m = try error(cohorts: [["name": "c", "where": "ltc_count"]], validate: true)
        #expect(m == "p.json, $.cohorts[0].where: a cohort condition must be true/false, found int", "\(m ?? "accepted")")
    }

    @Test func aConditionNested5000DeepIsAnErrorNotACrash() {
        let d = cohort(String(repeating: "(", count: 5_000) + "age > 1" + String(repeating: ")", count: 5_000))
        #expect { try d.validate(ruleSet: Self.ruleSet) } throws: { e in
            (e as? StratifyError)?.message.contains("$.cohorts[0].where, line 1, column \(Parser.maxDepth + 1): an expression may be nested") == true
        }
    }

    @Test func aConditionOf200000AndsIsAnErrorNotACrash() {
        let d = cohort(Array(repeating: "age > 1", count: 200_001).joined(separator: " and "))
        #expect { try d.validate(ruleSet: Self.ruleSet) } throws: { e in
            (e as? StratifyError)?.message.contains("$.cohorts[0].where, line 1, column \(Parser.maxExpressionBytes + 1): an expression may be at most") == true
        }
    }
}

/// `doctor` and `run` refuse a bad definition the same way (exit 64) and before any row is read.
@Suite struct PipelineValidationCLITests {
    func deepPipeline(_ dir: URL) throws -> String {
        let p: [String: Any] = [
            "name": "t", "extract": dir.appendingPathComponent("no-extract").path, "as_of": "2026-03-31", "reference": Paths.reference,
            "output_root": dir.appendingPathComponent("root").path,
            "cohorts": [["name": "deep", "where": String(repeating: "(", count: 5_000) + "age > 1" + String(repeating: ")", count: 5_000)]],
        ]
        let url = dir.appendingPathComponent("p.json")
        try JSONSerialization.data(withJSONObject: p).write(to: url)
        return url.path
    }

    @Test func doctorRefusesACohortNested5000DeepWithExit64() throws {
        try withTemporaryDirectory("validate-doctor") { dir in
            let r = try stratify(["doctor", "--pipeline", try deepPipeline(dir)])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.cohorts[0].where, line 1, column 65: an expression may be nested at most 64 levels"), "\(r)")
        }
    }

    /// The extract does not exist, so a run that read anything would fail with 65 (bad input);
    /// 64 with the cohort's path shows the definition was refused first, and nothing was written.
    @Test func runRefusesACohortNested5000DeepBeforeReadingTheExtract() throws {
        try withTemporaryDirectory("validate-run") { dir in
            let r = try stratify(["run", try deepPipeline(dir)])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.cohorts[0].where, line 1, column 65"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("root").path), "no output root created")
        }
    }

    @Test func doctorRefusesInvalidJSONWithExit64() throws {
        try withTemporaryDirectory("validate-json") { dir in
            let url = dir.appendingPathComponent("p.json")
            try Data("{\n  \"name\": \"t\",,\n}".utf8).write(to: url)
            let r = try stratify(["doctor", "--pipeline", url.path])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("p.json, line 2, column 15: not valid JSON"), "\(r)")
        }
    }
}

/// The pseudonym key: a regular file, 0600, with 32 bytes that are not whitespace; messages
/// never echo key bytes.
@Suite struct PseudonymKeyTests {
    func definition(keyFile: String? = nil, keyEnv: String? = nil) throws -> PipelineDefinition {
        var p: [String: Any] = ["name": "t", "extract": "x", "output_root": "o", "identifiers": "pseudonym", "cohorts": [[String: Any]]()]
        if let keyFile { p["pseudonym_key_file"] = keyFile }
        if let keyEnv { p["pseudonym_key_env"] = keyEnv }
        return try PipelineDefinition(json: [UInt8](try JSONSerialization.data(withJSONObject: p)), path: "p.json")
    }

    func write(_ text: String, _ url: URL, mode: mode_t = 0o600) throws {
        try Data(text.utf8).write(to: url)
        #expect(chmod(url.path, mode) == 0)
    }

    func message(_ d: PipelineDefinition) -> String? {
        do { _ = try PseudonymKey.key(for: d); return nil } catch { return error.message + " " + (error.help ?? "") }
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        try withTemporaryDirectory("key-fifo") { dir in
            let fifo = dir.appendingPathComponent("key").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let m = message(try definition(keyFile: fifo))
            #expect(m?.contains("is not a regular file") == true, "\(m ?? "accepted")")
        }
    }

    @Test func aLinkToAFIFOIsRefused() throws {
        try withTemporaryDirectory("key-fifo-link") { dir in
            let fifo = dir.appendingPathComponent("fifo").path, link = dir.appendingPathComponent("key").path
            #expect(mkfifo(fifo, 0o600) == 0)
            #expect(symlink(fifo, link) == 0)
            let m = message(try definition(keyFile: link))
            #expect(m?.contains("is not a regular file") == true, "\(m ?? "accepted")")
        }
    }

    /// Secrets mounts (Kubernetes, systemd credentials) present keys through links.
    @Test func aLinkToAPrivateRegularFileIsAccepted() throws {
        try withTemporaryDirectory("key-link") { dir in
            let target = dir.appendingPathComponent("target"), link = dir.appendingPathComponent("key").path
            try write(String(repeating: "k", count: 32) + "\n", target)
            #expect(symlink(target.path, link) == 0)
            #expect(message(try definition(keyFile: link)) == nil)
        }
    }

    @Test func aKeyFileGroupCanReadIsRefused() throws {
        try withTemporaryDirectory("key-mode") { dir in
            let url = dir.appendingPathComponent("key")
            try write(String(repeating: "k", count: 40), url, mode: 0o640)
            let m = message(try definition(keyFile: url.path))
            #expect(m?.contains("can be read by other users") == true, "\(m ?? "accepted")")
        }
    }

    @Test func aKeyOf31BytesIsRefusedWithoutEchoingIt() throws {
        try withTemporaryDirectory("key-short") { dir in
            let url = dir.appendingPathComponent("key"), key = "short-secret-0123456789abcdefgh"
            #expect(key.utf8.count == 31)
            try write(key + "\n", url)
            let m = message(try definition(keyFile: url.path))
            #expect(m?.contains("fewer than 32 bytes that are not spaces or line ends") == true, "\(m ?? "accepted")")
            #expect(m?.contains(key) == false)
        }
    }

    @Test func aKeyPaddedWithWhitespaceTo32BytesIsRefused() throws {
        try withTemporaryDirectory("key-blank") { dir in
            let url = dir.appendingPathComponent("key")
            try write(String(repeating: " ", count: 30) + "abc" + String(repeating: "\t", count: 10), url)
            let m = message(try definition(keyFile: url.path))
            #expect(m?.contains("fewer than 32 bytes") == true, "\(m ?? "accepted")")
        }
    }

    @Test func aShortKeyInTheEnvironmentIsRefused() throws {
        let name = "STRATIFY_TEST_SHORT_KEY_\(getpid())"
        setenv(name, "sixteen-bytes-ok", 1)
        defer { unsetenv(name) }
        let m = message(try definition(keyEnv: name))
        #expect(m?.contains("$\(name) is unset or holds fewer than 32 bytes") == true, "\(m ?? "accepted")")
        #expect(m?.contains("sixteen-bytes-ok") == false)
    }
}

/// A pseudonym run writes the pseudonym and never the extract's patient_id, in cohort files and
/// in leavers files.
@Suite struct PseudonymRunTests {
    @Test func noCohortOrLeaversFileCarriesAPatientID() throws {
        try withTemporaryDirectory("pseudonym-run") { dir in
            let key = dir.appendingPathComponent("key")
            try Data((UUID().uuidString + UUID().uuidString).utf8).write(to: key)
            #expect(chmod(key.path, 0o600) == 0)
            // Everyone is in the cohort as of March and nobody as of June, so the second run's
            // leavers file lists every member of the first.
            let f = try RunFixture(dir, settings: ["identifiers": "pseudonym", "pseudonym_key_file": key.path,
                                                   "cohorts": [["name": "spring", "where": "as_of < date('2026-06-01')"]]])
            #expect(try f.run(["--as-of", "2026-03-31"]).status == 0)
            let first = try #require(f.latest)
            sleep(1)  // run ids have one-second resolution
            #expect(try f.run(["--as-of", "2026-06-30"]).status == 0)
            let second = try #require(f.latest)
            let ids = Set(try String(contentsOfFile: f.extract + "/patients.csv", encoding: .utf8)
                .split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) })
            let cohort = try String(contentsOf: f.root.appendingPathComponent("runs/\(first)/cohorts/spring.csv"), encoding: .utf8)
            let leavers = try String(contentsOf: f.root.appendingPathComponent("runs/\(second)/cohorts/spring_leavers.csv"), encoding: .utf8)
            #expect(cohort.trimmingCharacters(in: ["\u{FEFF}"]).hasPrefix("pseudonym,practice_code,"))
            #expect(leavers.trimmingCharacters(in: ["\u{FEFF}"]).hasPrefix("pseudonym,practice_code,"))
            let cohortRows = cohort.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
            let leaverRows = leavers.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
            #expect(!cohortRows.isEmpty && leaverRows.count == cohortRows.count)
            let cells = (cohortRows + leaverRows).flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: ["'"]) } }
            #expect(!cells.contains { ids.contains($0) }, "a raw patient_id is in a cohort or leavers file")
        }
    }
}

/// `stratify rules check` on a rule file nested 8,000 deep: a located error, not a crash.
@Suite struct RulesCheckLimitsCLITests {
    @Test func aRuleFileNested8000DeepIsALocatedErrorWithExit64() throws {
        try withTemporaryDirectory("rules-deep") { dir in
            let file = dir.appendingPathComponent("deep.rules")
            let text = "ruleset \"t\" version \"1\"\nfield x = " + String(repeating: "(", count: 8_000) + "true" + String(repeating: ")", count: 8_000) + "\n"
            try Data(text.utf8).write(to: file)
            let r = try stratify(["rules", "check", file.path, "--reference", Paths.reference])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("deep.rules, line 2, column 75: an expression may be nested at most 64 levels"), "\(r)")
        }
    }
}
