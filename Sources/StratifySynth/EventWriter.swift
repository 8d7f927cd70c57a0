import StratifyCore

/// Clinical events for one synthetic patient: diagnoses, resolutions, observations with values,
/// screening, vaccinations and frailty deficits, at rates that make every rule in rules.md fire.
struct EventWriter {
    let person: PatientGenerator.Person
    let asOf: Day
    let catalogue: SynthCatalogue
    var out: RowBuffer

    /// A day uniformly in [from, to], clamped to the patient's life and last contact.
    func day(_ rng: inout SeededRandom, from: Day, to: Day) -> Day {
        let lo = max(from.rawValue, person.dob.rawValue)
        let hi = min(to.rawValue, person.lastContact.rawValue)
        if hi <= lo { return Day(rawValue: max(lo, min(hi, lo))) }
        return Day(rawValue: lo + Int32(rng.below(Int(hi - lo) + 1)))
    }

    func yearsAgo(_ y: Double) -> Day { asOf.plusDays(-Int(y * 365.25)) }

    mutating func event(_ list: String, _ d: Day, _ rng: inout SeededRandom, value: Double? = nil) {
        let codes = catalogue.codes(list)
        event(codes[rng.below(codes.count)], d, value: value)
    }

    mutating func event(_ code: [UInt8], _ d: Day, value: Double? = nil) {
        out.append(person.id); out.comma()
        out.append(day: d); out.comma()
        out.append(code); out.comma()
        if let value { out.append(tenths: value) }
        out.newline()
    }

    mutating func write(conditions: [ConditionModel], rng: inout SeededRandom) {
        let age = person.age
        let lifeYears = Double(age) + 0.5
        for c in conditions where person.has.contains(c.name) {
            // Diagnosis at some point in adult life (or childhood for early-onset conditions).
            let earliest = max(0, Double(c.minAge))
            let onsetAgo = lifeYears - earliest > 0 ? rng.unit() * min(25, lifeYears - earliest) : 0
            let diagnosed = day(&rng, from: yearsAgo(onsetAgo + 0.01), to: yearsAgo(onsetAgo))
            event(c.list, diagnosed, &rng)
            if let res = c.resolution, rng.chance(c.resolvedShare) {
                event(res, day(&rng, from: diagnosed, to: asOf), &rng)
            }
            if c.name == "smi" && rng.chance(0.1) { event("smi_remission", day(&rng, from: diagnosed, to: asOf), &rng) }
        }
        observations(&rng)
        screening(&rng)
        vaccinations(&rng)
        if person.has.contains("copd") { copd(&rng) }
        if person.has.contains("smi") { smiChecks(&rng) }
        social(&rng)
        frailty(&rng)
        outOfScope(&rng)
    }

    /// A few valid rows that are out of scope (future-dated, before birth), as real extracts have,
    /// so the data-quality counts are exercised.
    private mutating func outOfScope(_ rng: inout SeededRandom) {
        if rng.chance(0.002) { event("bmi_value", asOf.plusDays(1 + rng.below(30)), &rng, value: 25) }
        if rng.chance(0.001) { event("smoking_status", person.dob.plusDays(-1 - rng.below(30)), &rng) }
    }

    private mutating func bloodPressure(_ d: Day, _ rng: inout SeededRandom, list: (String, String) = ("sysbp", "diasbp")) {
        if person.noBP { return }
        let d = min(d, person.lastBP)
        let htn = person.has.contains("hypertension")
        // Treated hypertensives: about 60% at target (QOF HYP008/009 achievement is near that);
        // others: a few percent with undiagnosed raised readings, rising with age.
        var sys = htn ? rng.normal(mean: 136, sd: 14) : rng.normal(mean: 116 + 0.28 * Double(max(0, person.age - 30)), sd: 11)
        var dia = rng.normal(mean: htn ? 82 : 75, sd: 8)
        sys = min(max(sys, 80), 240).rounded()
        dia = min(max(dia, 40), 140).rounded()
        // Rarely, a severely raised reading in someone undiagnosed (the case-finding "severe" tier).
        if !htn && person.age >= 40 && rng.chance(0.004) { sys = rng.normal(mean: 186, sd: 6); dia = rng.normal(mean: 104, sd: 8) }
        // A few implausible readings, valid in shape, for the data-quality counts.
        if rng.chance(0.0005) { sys = 350 }
        event(list.0, d, &rng, value: sys)
        event(list.1, d, &rng, value: dia)
        // Sometimes a second, lower reading on the same day (QOF takes the lowest).
        if rng.chance(0.1) {
            event(list.0, d, &rng, value: max(80, sys - 8))
            event(list.1, d, &rng, value: max(40, dia - 4))
        }
    }

    private mutating func observations(_ rng: inout SeededRandom) {
        let age = person.age
        guard age >= 16 else {
            if rng.chance(0.5) { event("bmi_value", day(&rng, from: yearsAgo(3), to: asOf), &rng, value: rng.normal(mean: 18, sd: 3)) }
            return
        }
        let chronic = person.has.count
        // Annual reviews for the chronically ill, occasional checks for everyone else.
        let visits = chronic > 0 ? 3 + rng.below(4) * min(chronic, 3) : (age >= 40 ? 1 + rng.below(4) : rng.below(3))
        for v in 0..<visits {
            let d = day(&rng, from: yearsAgo(Double(v) + 1), to: yearsAgo(Double(v)))
            bloodPressure(d, &rng)
            if rng.chance(0.7) { event("bmi_value", d, &rng, value: max(14, rng.normal(mean: 27.5, sd: 5))) }
            if rng.chance(0.6) { event("smoking_status", d, &rng) }
            if age >= 40 && rng.chance(0.5) { event("cholesterol", d, &rng, value: max(2, rng.normal(mean: 5, sd: 1))) }
            if age >= 50 || chronic > 0, rng.chance(0.6) {
                let ckd = person.has.contains("ckd")
                event("egfr", d, &rng, value: max(5, rng.normal(mean: ckd ? 45 : 85, sd: ckd ? 10 : 14)))
            }
            if person.has.contains("diabetes") || (age >= 40 && rng.chance(0.15)) {
                event("hba1c", d, &rng, value: max(20, rng.normal(mean: person.has.contains("diabetes") ? 58 : 38, sd: 8)))
            }
            if rng.chance(0.3) { event("alcohol", d, &rng) }
        }
        if person.has.contains("hypertension") && rng.chance(0.08) {
            bloodPressure(day(&rng, from: yearsAgo(1), to: asOf), &rng, list: ("home_sysbp", "home_diasbp"))
        }
        // Background contacts: BP checks and weights, the bulk of a real record's events.
        let background = age >= 40 ? 30 + rng.below(70) : 5 + rng.below(30)
        for _ in 0..<background {
            let d = day(&rng, from: yearsAgo(12), to: asOf)
            if rng.chance(0.5) { bloodPressure(d, &rng) } else { event("bmi_value", d, &rng, value: max(14, rng.normal(mean: 27, sd: 5))) }
        }
    }

    private mutating func screening(_ rng: inout SeededRandom) {
        let age = person.age
        if age >= 50 && age <= 74 {
            let recent = rng.chance(0.68)
            event("bowel_screen", recent ? day(&rng, from: asOf.minusMonths(29), to: asOf) : day(&rng, from: yearsAgo(8), to: asOf.minusMonths(31)), &rng)
        }
        if person.female && age >= 50 && age <= 70 {
            let recent = rng.chance(0.66)
            event("breast_screen", recent ? day(&rng, from: asOf.minusMonths(35), to: asOf) : day(&rng, from: yearsAgo(8), to: asOf.minusMonths(37)), &rng)
        }
        if person.female && age >= 25 && age <= 64 {
            let window = age < 50 ? 42 : 66
            let recent = rng.chance(0.7)
            event("cervical_screen", recent ? day(&rng, from: asOf.minusMonths(window - 1), to: asOf) : day(&rng, from: yearsAgo(10), to: asOf.minusMonths(window + 1)), &rng)
        }
        if age >= 40 && rng.chance(0.006) { event("cancer_referral", day(&rng, from: asOf.minusMonths(5), to: asOf), &rng) }
    }

    private mutating func vaccinations(_ rng: inout SeededRandom) {
        let (y, m, _) = asOf.civil
        let seasonStart = Day(year: m >= 9 ? y : y - 1, month: 9, day: 1)!
        let atRisk = person.age >= 65 || person.has.contains("copd") || person.has.contains("diabetes")
        // Uptake falls with deprivation (UKHSA 65+ uptake by IMD quintile runs about 15 points
        // apart); with the dm+d issues below, about 75% of people aged 65+ are vaccinated.
        let uptake = [0.73, 0.63, 0.69, 0.74, 0.78, 0.81][person.imdQuintile]
        if atRisk && rng.chance(uptake) { event("flu_vacc", day(&rng, from: seasonStart, to: asOf), &rng) }
        if atRisk && rng.chance(0.5) { event("flu_vacc", day(&rng, from: seasonStart.minusMonths(12), to: seasonStart.plusDays(-1)), &rng) }
        if (person.age >= 65 || person.has.contains("copd")) && rng.chance(0.7) {
            event("pneumo_vacc", day(&rng, from: yearsAgo(10), to: asOf), &rng)
        }
    }

    private mutating func copd(_ rng: inout SeededRandom) {
        if rng.chance(0.85) {
            let u = rng.unit()
            let grade = u < 0.25 ? 1 : u < 0.6 ? 2 : u < 0.8 ? 3 : u < 0.95 ? 4 : 5
            if let codes = catalogue.mrcByGrade[grade], !codes.isEmpty {
                event(codes[rng.below(codes.count)], day(&rng, from: asOf.minusMonths(23), to: asOf))
            }
        }
        let exacerbations = rng.below(4)
        for _ in 0..<exacerbations {
            let d = day(&rng, from: asOf.minusMonths(12).plusDays(1), to: asOf)
            event(rng.chance(0.7) ? "copd_exacerbation" : "lrti", d, &rng)
            // A follow-up code within the 14-day washout belongs to the same episode.
            if rng.chance(0.3) { event("copd_exacerbation", min(asOf, d.plusDays(rng.below(14) + 1)), &rng) }
        }
        if rng.chance(0.04) { event("home_oxygen", day(&rng, from: asOf.minusMonths(11), to: asOf), &rng) }
    }

    private mutating func smiChecks(_ rng: inout SeededRandom) {
        let from = asOf.minusMonths(12).plusDays(1), to = asOf
        func recent(_ rng: inout SeededRandom) -> Day { day(&rng, from: from, to: to) }
        if rng.chance(0.75) { event("bmi_value", recent(&rng), &rng, value: max(14, rng.normal(mean: 29, sd: 6))) }
        if rng.chance(0.8) { bloodPressure(recent(&rng), &rng) }
        if rng.chance(0.6) { event("cholesterol", recent(&rng), &rng, value: max(2, rng.normal(mean: 5.2, sd: 1))) }
        if rng.chance(0.6) { event("hba1c", recent(&rng), &rng, value: max(20, rng.normal(mean: 40, sd: 6))) }
        if rng.chance(0.65) { event("alcohol", recent(&rng), &rng) }
        if rng.chance(0.75) { event("smoking_status", recent(&rng), &rng) }
    }

    private mutating func social(_ rng: inout SeededRandom) {
        if person.age >= 16 && rng.chance(0.005) { event("homeless", day(&rng, from: yearsAgo(3), to: asOf), &rng) }
        if person.age >= 16 && rng.chance(0.05) {
            let d = day(&rng, from: yearsAgo(6), to: asOf)
            event("carer", d, &rng)
            if rng.chance(0.15) { event("not_carer", day(&rng, from: d, to: asOf), &rng) }
        }
        if person.age >= 18 && rng.chance(0.04) { event("cms/anxiety_depression", day(&rng, from: yearsAgo(2), to: asOf), &rng) }
    }

    /// eFI deficits accumulate with age (Clegg 2016): about 3 at 65, 7 at 80, 10+ past 90, with a
    /// personal frailty factor so some are far frailer than their age.
    private mutating func frailty(_ rng: inout SeededRandom) {
        guard person.age >= 50 else { return }
        let personal = max(0.2, rng.normal(mean: 1, sd: 0.45))
        let p = min(0.7, 0.07 * personal * exp(Double(person.age - 65) / 18))
        for deficit in catalogue.efiDeficits where rng.chance(p) {
            event(deficit[rng.below(deficit.count)], day(&rng, from: yearsAgo(15), to: asOf))
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
