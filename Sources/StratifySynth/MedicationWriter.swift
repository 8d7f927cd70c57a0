import StratifyCore

/// Prescription issues: repeat prescriptions for chronic conditions (monthly, over up to three
/// years), acute courses, and flu vaccines, from the dm+d lists in reference/.
struct MedicationWriter {
    let person: PatientGenerator.Person
    let asOf: Day
    let catalogue: SynthCatalogue
    var out: RowBuffer

    mutating func issue(_ code: [UInt8], _ d: Day) {
        guard d.rawValue >= person.dob.rawValue, d.rawValue <= max(person.lastContact.rawValue, d > asOf ? d.rawValue : 0) else { return }
        out.append(person.id); out.comma()
        out.append(day: d); out.comma()
        out.append(code)
        out.newline()
    }

    /// Monthly repeats of one product for `months`, ending near the as-of date.
    mutating func repeats(_ list: String, months: Int, _ rng: inout SeededRandom) {
        let codes = catalogue.codes(list)
        let code = codes[rng.below(codes.count)]
        let end = person.lastContact.plusDays(-rng.below(28))
        for k in 0..<months { issue(code, end.minusMonths(k)) }
    }

    mutating func write(rng: inout SeededRandom) {
        let has = person.has
        let age = person.age
        if has.contains("depression") && rng.chance(0.7) { repeats("dmd/bnf_antidepressants", months: 6 + rng.below(30), &rng) }
        if has.contains("epilepsy") && rng.chance(0.9) { repeats("dmd/bnf_antiepileptics", months: 12 + rng.below(24), &rng) }
        if has.contains("asthma") && rng.chance(0.85) { repeats("dmd/bnf_asthma", months: 3 + rng.below(12), &rng) }
        if has.contains("smi") && rng.chance(0.2) { repeats("dmd/lithium", months: 12 + rng.below(24), &rng) }
        if has.contains("ibs") && rng.chance(0.5) { repeats("dmd/bnf_antispasmodics", months: 2 + rng.below(6), &rng) }
        let older = Double(max(0, age - 40)) / 50
        if rng.chance(0.15 + 0.4 * older) { repeats("dmd/bnf_analgesics", months: 12 + rng.below(36), &rng) }
        if rng.chance(0.05 + 0.2 * older) { repeats("dmd/bnf_laxatives", months: 2 + rng.below(24), &rng) }
        if rng.chance(0.06) { repeats("dmd/bnf_anxiolytics_hypnotics", months: 1 + rng.below(12), &rng) }
        if rng.chance(0.08) { repeats("dmd/bnf_antidepressants", months: 3 + rng.below(24), &rng) }
        if rng.chance(0.02) { repeats("dmd/bnf_antiepileptics", months: 3 + rng.below(9), &rng) }
        // Polypharmacy in later life: several distinct products in the last year.
        if age >= 65 {
            let extra = rng.below(max(1, (age - 55) / 6))
            let classes = ["dmd/bnf_analgesics", "dmd/bnf_laxatives", "dmd/bnf_antidepressants", "dmd/bnf_anxiolytics_hypnotics"]
            for _ in 0..<extra { repeats(classes[rng.below(classes.count)], months: 3 + rng.below(24), &rng) }
        }
        if (age >= 65 || has.contains("copd")) && rng.chance(0.15) {
            let flu = catalogue.codes("dmd/flu_vaccine")
            issue(flu[rng.below(flu.count)], person.lastContact.plusDays(-rng.below(120)))
        }
        if rng.chance(0.001) { issue(catalogue.codes("dmd/bnf_analgesics")[0], asOf.plusDays(1 + rng.below(30))) }
        // Acute courses for anyone.
        for _ in 0..<rng.below(16) {
            let codes = catalogue.codes("dmd/bnf_analgesics")
            issue(codes[rng.below(codes.count)], asOf.plusDays(-rng.below(3650)))
        }
    }
}
