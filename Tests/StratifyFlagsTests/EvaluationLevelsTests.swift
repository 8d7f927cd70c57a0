import StratifyFlags
import Testing

/// `FlagEngine.finish` evaluates values wave by wave, side by side within a wave: each value must
/// come in a later wave than everything it reads, and every value exactly once.
@Suite struct EvaluationLevelsTests {
    func check(_ r: RuleSet) {
        let levels = r.evaluationLevels
        var wave = [Int](repeating: -1, count: r.values.count)
        for (k, l) in levels.enumerated() { for i in l { #expect(wave[i] == -1); wave[i] = k } }
        #expect(!wave.contains(-1), "every value is in a wave")
        for i in r.values.indices {
            for j in r.values[i].expr.valueReferences { #expect(wave[j] < wave[i], "\(r.values[i].name) reads \(r.values[j].name)") }
        }
    }

    @Test func aChainTakesOneWaveAValue() throws {
        let r = try RuleSetCompiler.compile(source: """
            ruleset "t" version "1"
            let a = age >= 18
            let b = a and age < 65
            field c = b or a
            field d = age > 80
            """, file: "t.rules", reference: FlagFixture.reference)
        check(r)
        let name = { (i: Int) in r.values[i].name }
        #expect(r.evaluationLevels.map { $0.map(name).sorted() } == [["a", "d"], ["b"], ["c"]])
    }

    @Test(arguments: [1, 2]) func shippedRuleSetsWaveAfterWhatTheyRead(version: Int) {
        check(version == 1 ? FlagFixture.ruleSet : FlagFixture.ruleSetV2)
    }
}
