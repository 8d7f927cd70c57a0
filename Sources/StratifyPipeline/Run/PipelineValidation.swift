import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyScores

extension PipelineDefinition {
    /// Checks what needs the rule set, so that `run` and `doctor` refuse a bad definition before
    /// any row is read rather than after an hour of ingest: every cohort condition, reason and
    /// sort key compiles against the rule set's values, the patient attributes and the score
    /// fields; conditions are true/false; key values name a field; and a category field is only
    /// compared with values it can take. Errors name the file, the JSON path, and the line and
    /// column inside the expression.
    public func validate(ruleSet: RuleSet) throws(StratifyError) {
        let scores = ScoreStage.declaredFields
        let externals = scores.map { (name: $0.name, type: $0.type) }
        var categories: [String: [String]] = [:]
        for f in scores { if let v = f.values { categories[f.name] = v } }
        let known = Set(ruleSet.values.map(\.name)).union(PatientAttribute.allCases.map(\.rawValue)).union(scores.map(\.name))

        func condition(_ text: String, _ at: String) throws(StratifyError) {
            let expr = try RuleSetCompiler.compileExpression(text, file: "\(path), \(at)", ruleSet: ruleSet,
                                                             externals: externals, categories: categories)
            guard expr.type == .bool else {
                throw StratifyError(.usage, "\(path), \(at): a cohort condition must be true/false, found \(expr.type.rawValue)",
                                    help: "see docs/pipelines.md")
            }
        }
        for (k, c) in cohorts.enumerated() {
            let at = "$.cohorts[\(k)]"
            try condition(c.condition, at + ".where")
            for (j, r) in c.reasons.enumerated() { try condition(r.condition, "\(at).reasons[\(j)].where") }
            for (j, key) in c.orderBy.enumerated() {
                _ = try RuleSetCompiler.compileExpression(key.expression, file: "\(path), \(at).order_by[\(j)].expr", ruleSet: ruleSet,
                                                          externals: externals, categories: categories)
            }
            for (j, name) in c.keyValues.enumerated() where !known.contains(name) {
                throw StratifyError(.usage, "\(path), \(at).key_values[\(j)]: '\(name)' is not a value of rule set '\(ruleSet.name)', a patient attribute or a score field",
                                    help: "check the spelling against the rule set's let and field names (stratify rules check lists them), or see docs/pipelines.md")
            }
        }
        if let file = labels {
            for (name, at) in try CohortLabels(path: file).fieldReferences where !known.contains(name) {
                throw StratifyError(.usage, "\(file), \(at): '\(name)' is not a value of rule set '\(ruleSet.name)', a patient attribute or a score field",
                                    help: "check the spelling against the rule set (stratify rules check lists its names), or see docs/cohort-files.md")
            }
        }
    }
}
