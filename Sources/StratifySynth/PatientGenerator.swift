import StratifyCore

/// Writes one synthetic patient's rows. Every patient draws from its own random stream (seed,
/// patient number), so blocks of patients can be generated in parallel and the bytes are the same
/// whatever the number of threads.
struct PatientGenerator {
    let catalogue: SynthCatalogue
    /// The v2 lists (rules.md §12–§19); nil writes the v1 extract only.
    var catalogueV2: SynthCatalogueV2? = nil
    let conditions: [ConditionModel]
    let asOf: Day
    let seed: UInt64
    var practiceMix: PracticeMix? = nil

    struct Output {
        var patients = RowBuffer()
        var events = RowBuffer()
        var medications = RowBuffer()
    }

    /// Facts about the patient that event generation needs.
    struct Person {
        var id: [UInt8]
        var age: Int
        var female: Bool
        var dob: Day
        var quintile: Int
        var has: Set<String> = []
        /// Events fall on or before this day (some people have had no recent contact).
        var lastContact: Day
        /// Blood pressure readings fall on or before this day (some hypertensives are overdue).
        var lastBP: Day
        /// Some adults never have their blood pressure checked (QOF BP002's gap).
        var noBP = false
        /// The IMD quintile of the patient's LSOA (0 when unknown), for uptake gradients.
        var imdQuintile = 0
    }

    static func patientID(_ n: Int) -> [UInt8] {
        var b = RowBuffer()
        b.append("P")
        b.digits(n, 8)
        return b.bytes
    }

    func generate(patient n: Int, into out: inout Output) -> Person {
        var rng = SeededRandom(seed: seed, stream: UInt64(n))
        let age = AgeStructure.draw(rng.unit())
        let female = rng.chance(0.505)
        let birthday = asOf.minusMonths(age * 12).plusDays(-rng.below(365))
        let deprived = rng.chance(0.2)
        let lsoaPool = rng.chance(0.003) ? catalogue.unmatchedLSOAs : deprived ? catalogue.deprivedLSOAs : catalogue.otherLSOAs
        let lsoa = lsoaPool[rng.below(lsoaPool.count)]
        // Quintile only shapes prevalence here; the pipeline looks up the real IMD decile.
        let quintile = deprived ? 1 : 2 + rng.below(4)
        let recentContact = rng.chance(0.8)
        var person = Person(id: PatientGenerator.patientID(n), age: age, female: female, dob: birthday,
                            quintile: quintile, lastContact: recentContact ? asOf : asOf.minusMonths(7),
                            lastBP: asOf)
        person.imdQuintile = catalogue.quintileOf[lsoa] ?? 0
        // v2 rows draw from their own stream, so the v1 rows are drawn exactly as before.
        var rng2 = SeededRandom(seed: seed ^ 0x7632_7632_7632_7632, stream: UInt64(n))
        let letter = writePatientRow(&person, lsoa: lsoa, rng: &rng, v2: catalogueV2 != nil, rng2: &rng2, into: &out.patients)
        for c in conditions where rng.chance(c.probability(age: age, female: female, quintile: quintile)) {
            person.has.insert(c.name)
        }
        if person.has.contains("hypertension") && rng.chance(0.08) { person.lastBP = asOf.minusMonths(13) }
        if person.has.isEmpty && rng.chance(0.12) { person.noBP = true }
        var events = EventWriter(person: person, asOf: asOf, catalogue: catalogue, out: out.events)
        events.write(conditions: conditions, rng: &rng)
        out.events = events.out
        var meds = MedicationWriter(person: person, asOf: asOf, catalogue: catalogue, out: out.medications)
        meds.write(rng: &rng)
        out.medications = meds.out
        if let v2 = catalogueV2 {
            var w = V2Writer(person: person, asOf: asOf, catalogue: v2, events: out.events, medications: out.medications)
            w.write(ethnicityLetter: letter, rng: &rng2)
            out.events = w.events
            out.medications = w.medications
        }
        return person
    }

    /// Returns the extract's ethnic category letter, 0 when written empty.
    private func writePatientRow(_ p: inout Person, lsoa: String, rng: inout SeededRandom, v2: Bool, rng2: inout SeededRandom,
                                 into b: inout RowBuffer) -> UInt8 {
        b.append(p.id); b.comma()
        b.append(PatientGenerator.nhsNumber(&rng)); b.comma()
        // ehrQL rounds dates of birth to the month; a share of rows carry the month form.
        if rng.chance(0.2) { b.append(month: p.dob); p.dob = Day(year: p.dob.civil.year, month: p.dob.civil.month, day: 1)! }
        else { b.append(day: p.dob) }
        b.comma()
        let u = rng.unit()
        b.append(u < 0.001 ? "unknown" : (p.female ? "female" : "male")); b.comma()
        // About 0.5% died before the as-of date (still in the extract; out of the population).
        if rng.chance(0.005) { b.append(day: asOf.plusDays(-1 - rng.below(700))) }
        b.comma()
        b.append(practiceMix?.pick(&rng) ?? Array(catalogue.practices[rng.below(catalogue.practices.count)].utf8)); b.comma()
        if rng.chance(0.003) { b.append(day: asOf.plusDays(1 + rng.below(60))) }
        else if rng.chance(0.95) {
            let earliest = max(Int(p.dob.rawValue), Int(asOf.rawValue) - 365 * 30)
            b.append(day: Day(rawValue: Int32(earliest + rng.below(Int(asOf.rawValue) - earliest + 1))))
        }
        b.comma()
        if !rng.chance(0.02) { b.append(Array(lsoa.utf8)) }
        b.comma()
        let letter = PatientGenerator.ethnicCategory(rng.unit())
        // v2: about 8% of extracts leave ethnicity empty (coded in the record instead, §14).
        if v2 && rng2.chance(0.08) {
            b.newline()
            return 0
        }
        b.append([letter])
        b.newline()
        return letter
    }

    /// Synthetic NHS numbers use the 999 prefix reserved for test data, with a valid check digit.
    static func nhsNumber(_ rng: inout SeededRandom) -> [UInt8] {
        while true {
            var d = [9, 9, 9] + (0..<6).map { _ in rng.below(10) }
            var sum = 0
            for i in 0..<9 { sum += d[i] * (10 - i) }
            var check = 11 - sum % 11
            if check == 11 { check = 0 }
            if check == 10 { continue }
            d.append(check)
            return d.map { UInt8(48 + $0) }
        }
    }

    /// England's 2021 census ethnic mix, coarsely, over the NHS Data Dictionary letters.
    static func ethnicCategory(_ u: Double) -> UInt8 {
        let table: [(Double, Character)] = [
            (0.73, "A"), (0.74, "B"), (0.80, "C"), (0.81, "D"), (0.815, "E"), (0.82, "F"), (0.83, "G"),
            (0.86, "H"), (0.88, "J"), (0.89, "K"), (0.91, "L"), (0.93, "M"), (0.95, "N"), (0.955, "P"),
            (0.96, "R"), (0.98, "S"), (1.0, "Z"),
        ]
        for (edge, ch) in table where u < edge { return ch.asciiValue! }
        return Character("Z").asciiValue!
    }
}
