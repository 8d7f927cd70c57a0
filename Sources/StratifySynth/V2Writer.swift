import StratifyCore
import StratifyReference

/// The codes the rule-set v2 additions read (rules.md §12–§19), from `reference/` only.
struct SynthCatalogueV2: Sendable {
    var lists: [String: [[UInt8]]] = [:]
    /// ETH_MAP codes by NHS letter (A–S).
    var ethnicityByLetter: [UInt8: [[UInt8]]] = [:]
    /// Alcohol units per week observables (the eFI2 numeric rows without a daily scale).
    var alcoholWeekly: [[UInt8]] = []
    /// One dm+d code per BNF paragraph (the first code of each paragraph in the map), for
    /// eFI2 polypharmacy.
    var paragraphCodes: [[UInt8]] = []
    /// RESIDE codes that are not LONGRES ("Lives in own home" and the like).
    var ownHome: [[UInt8]] = []

    static let names = ["longres_cod", "shingles_vacc", "covid_vacc", "ethnicity_not_stated", "dmd/doac", "dmd/warfarin",
                        "dmd/statin", "mi_cod", "mildfrail_cod", "modfrail_cod", "sevfrail_cod", "cms/substance_misuse",
                        "cms/parkinsonism", "no_longer_housebound", "hba1c_ifcc"]

    init(reference: ReferenceData) throws(StratifyError) {
        func ascii(_ c: UInt64) -> [UInt8] { Array(String(c).utf8) }
        for name in SynthCatalogueV2.names { lists[name] = try reference.codeList(name).codes.map(ascii) }
        let statins = Set(try reference.codeList("dmd/statin").codes)
        lists["dmd/llt_non_statin"] = try reference.codeList("dmd/llt_bnf0212").codes.filter { !statins.contains($0) }.map(ascii)
        let eth = try reference.codeList("ethnicity_known")
        for code in eth.codes { if let l = eth.extras["letter"]?[code]?.utf8.first { ethnicityByLetter[l, default: []].append(ascii(code)) } }
        let zero = try reference.codeList("efi2/alcohol_zero")
        alcoholWeekly = zero.codes.filter { zero.extras["value_test"]?[$0] == "==0" && (zero.extras["value_scale"]?[$0] ?? "").isEmpty }.map(ascii)
        let map = try reference.codeList("dmd/bnf_paragraph")
        var seen = Set<String>()
        for code in map.codes {
            guard let p = map.extras["paragraph"]?[code], !seen.contains(p) else { continue }
            seen.insert(p)
            paragraphCodes.append(ascii(code))
        }
        let longres = Set(try reference.codeList("longres_cod").codes)
        ownHome = try reference.codeList("reside_cod").codes.filter { !longres.contains($0) }.map(ascii)
        guard !alcoholWeekly.isEmpty, paragraphCodes.count >= 20, !ownHome.isEmpty, ethnicityByLetter.count >= 16 else {
            throw StratifyError(.runFailed, "rule-set v2 reference lists for synth are incomplete")
        }
    }

    func codes(_ name: String) -> [[UInt8]] { lists[name]! }
}

/// Events and issues for the v2 fields, from a random stream of their own (seed, patient), so
/// every v1 row is drawn exactly as before and v2 rows are added after them.
struct V2Writer {
    let person: PatientGenerator.Person
    let asOf: Day
    let catalogue: SynthCatalogueV2
    var events: RowBuffer
    var medications: RowBuffer

    func day(_ rng: inout SeededRandom, from: Day, to: Day) -> Day {
        let lo = max(from.rawValue, person.dob.rawValue)
        let hi = min(to.rawValue, person.lastContact.rawValue)
        if hi <= lo { return Day(rawValue: max(lo, min(hi, lo))) }
        return Day(rawValue: lo + Int32(rng.below(Int(hi - lo) + 1)))
    }

    func yearsAgo(_ y: Double) -> Day { asOf.plusDays(-Int(y * 365.25)) }

    mutating func event(_ codes: [[UInt8]], _ d: Day, _ rng: inout SeededRandom, value: Double? = nil) {
        events.append(person.id); events.comma()
        events.append(day: d); events.comma()
        events.append(codes[rng.below(codes.count)]); events.comma()
        if let value { events.append(tenths: value) }
        events.newline()
    }

    mutating func issue(_ code: [UInt8], _ d: Day) {
        guard d.rawValue >= person.dob.rawValue, d.rawValue <= person.lastContact.rawValue else { return }
        medications.append(person.id); medications.comma()
        medications.append(day: d); medications.comma()
        medications.append(code)
        medications.newline()
    }

    /// Monthly repeats for `months`, the last within a month of D: repeat prescriptions go on
    /// without a consultation, so a patient with no recent clinical event still has them.
    mutating func repeats(_ codes: [[UInt8]], months: Int, _ rng: inout SeededRandom) {
        let code = codes[rng.below(codes.count)]
        let end = asOf.plusDays(-rng.below(28))
        for k in 0..<months {
            let d = end.minusMonths(k)
            guard d.rawValue >= person.dob.rawValue else { break }
            medications.append(person.id); medications.comma()
            medications.append(day: d); medications.comma()
            medications.append(code)
            medications.newline()
        }
    }

    mutating func write(ethnicityLetter: UInt8?, rng: inout SeededRandom) {
        ethnicity(ethnicityLetter, &rng)
        let careHome = residence(&rng)
        vaccinations(careHome: careHome, &rng)
        cardiovascular(&rng)
        frailty(&rng)
        polypharmacy(&rng)
    }

    /// Ethnicity coded in the record for most patients whose extract value is empty or Z (§14).
    private mutating func ethnicity(_ letter: UInt8?, _ rng: inout SeededRandom) {
        guard let letter else { return }
        let empty = letter == 0, z = letter == UInt8(ascii: "Z")
        guard (empty && rng.chance(0.85)) || (z && rng.chance(0.5)) || rng.chance(0.05) else { return }
        var drawn = PatientGenerator.ethnicCategory(rng.unit())
        if drawn == UInt8(ascii: "Z") { drawn = UInt8(ascii: "A") }
        if rng.chance(0.1) { event(catalogue.codes("ethnicity_not_stated"), day(&rng, from: yearsAgo(15), to: asOf), &rng) }
        if let codes = catalogue.ethnicityByLetter[drawn] { event(codes, day(&rng, from: yearsAgo(20), to: asOf), &rng) }
    }

    /// Care homes: about 3% of people aged 85+ (fewer younger), some who went home again (§15).
    private mutating func residence(_ rng: inout SeededRandom) -> Bool {
        let age = person.age
        let p = age >= 85 ? 0.03 : age >= 75 ? 0.008 : age >= 65 ? 0.002 : 0.0003
        let careHome = rng.chance(p)
        if careHome {
            if rng.chance(0.3) { event(catalogue.ownHome, day(&rng, from: yearsAgo(10), to: yearsAgo(5)), &rng) }
            event(catalogue.codes("longres_cod"), day(&rng, from: yearsAgo(4), to: asOf), &rng)
        } else if age >= 65 && rng.chance(0.004) {
            // Respite or a past stay: a care home code, then back home.
            event(catalogue.codes("longres_cod"), day(&rng, from: yearsAgo(6), to: yearsAgo(4)), &rng)
            event(catalogue.ownHome, day(&rng, from: yearsAgo(3), to: asOf), &rng)
        } else if age >= 65 && rng.chance(0.15) {
            event(catalogue.ownHome, day(&rng, from: yearsAgo(10), to: asOf), &rng)
        }
        if age >= 65 && rng.chance(0.004) {
            event(catalogue.codes("no_longer_housebound"), day(&rng, from: yearsAgo(2), to: asOf), &rng)
        }
        return careHome
    }

    /// Shingles (70–79, about half), COVID (75+ and care-home 65+, about 60%, in the 45 days
    /// before D, so a D in a campaign's first weeks sees uptake building). A person with no
    /// contact in those 45 days (the 20% without an event in 6 months, docs/synth.md) is not
    /// vaccinated: the record would be their only recent event, dated before the window (the last
    /// contact), and would give them a GP encounter (`gp_encounter_6m`) they do not have.
    private mutating func vaccinations(careHome: Bool, _ rng: inout SeededRandom) {
        let age = person.age
        if age >= 70 && rng.chance(age <= 79 ? 0.5 : 0.4) {
            let at70 = person.dob.minusMonths(-12 * 70)
            event(catalogue.codes("shingles_vacc"), day(&rng, from: at70, to: asOf), &rng)
        }
        if (age >= 75 || (careHome && age >= 65)) && rng.chance(0.6) {
            let codes = catalogue.codes("covid_vacc"), from = asOf.plusDays(-45)
            if person.lastContact >= from {
                event(codes, day(&rng, from: from, to: asOf), &rng)
            } else {
                // The draw the code pick made, so the rest of the extract is as before.
                _ = rng.below(codes.count)
            }
        }
    }

    /// AF anticoagulation about 90% (DOAC 8 in 9, warfarin 1 in 9); lipid-lowering for CHD,
    /// stroke/TIA and PAD about 85% (a few on a non-statin only); MI for some CHD; alcohol units.
    private mutating func cardiovascular(_ rng: inout SeededRandom) {
        let has = person.has
        if has.contains("af") && rng.chance(0.9) {
            repeats(catalogue.codes(rng.chance(0.89) ? "dmd/doac" : "dmd/warfarin"), months: 6 + rng.below(30), &rng)
        }
        if has.contains("chd") && rng.chance(0.3) { event(catalogue.codes("mi_cod"), day(&rng, from: yearsAgo(20), to: asOf), &rng) }
        // IFCC HbA1c in the last 12 months for most people with diabetes, about half at 58 or less.
        if has.contains("diabetes") && rng.chance(0.88) {
            event(catalogue.codes("hba1c_ifcc"), day(&rng, from: asOf.minusMonths(11), to: asOf), &rng,
                  value: max(30, rng.normal(mean: 57, sd: 11).rounded()))
        }
        let cvd = has.contains("chd") || has.contains("stroke") || has.contains("tia") || has.contains("pad")
        if cvd && rng.chance(0.85) {
            repeats(catalogue.codes(rng.chance(0.06) ? "dmd/llt_non_statin" : "dmd/statin"), months: 6 + rng.below(30), &rng)
        } else if (has.contains("diabetes") || has.contains("hypertension")) && person.age >= 40 && rng.chance(0.4) {
            repeats(catalogue.codes("dmd/statin"), months: 6 + rng.below(30), &rng)
        }
        if person.age >= 18 && rng.chance(0.3) {
            let u = rng.unit()
            let units = u < 0.4 ? 0 : u < 0.85 ? Double(1 + rng.below(20)) : u < 0.95 ? Double(21 + rng.below(28)) : Double(49 + rng.below(60))
            event(catalogue.alcoholWeekly, day(&rng, from: yearsAgo(4), to: asOf), &rng, value: units)
        }
        if person.age >= 18 && rng.chance(0.005) {
            event(catalogue.codes("cms/substance_misuse"), day(&rng, from: yearsAgo(10), to: asOf), &rng)
        }
        if person.age >= 60 && rng.chance(0.004) {
            event(catalogue.codes("cms/parkinsonism"), day(&rng, from: yearsAgo(10), to: asOf), &rng)
        }
    }

    /// Coded frailty (mild/moderate/severe) for about a fifth of people aged 65+, worse with age.
    private mutating func frailty(_ rng: inout SeededRandom) {
        guard person.age >= 65, rng.chance(0.2) else { return }
        let u = rng.unit() + Double(person.age - 65) / 60
        let list = u < 0.6 ? "mildfrail_cod" : u < 1.0 ? "modfrail_cod" : "sevfrail_cod"
        event(catalogue.codes(list), day(&rng, from: yearsAgo(3), to: asOf), &rng)
    }

    /// Repeat medicines from distinct BNF paragraphs for people aged 65+, more with age and
    /// conditions, so both eFI2 polypharmacy levels (5–9 and 10+ paragraphs in 90 days) are well
    /// populated.
    private mutating func polypharmacy(_ rng: inout SeededRandom) {
        guard person.age >= 60 else { return }
        let mean = 0.5 + Double(person.age - 60) / 8 + 0.6 * Double(person.has.count)
        let n = min(catalogue.paragraphCodes.count, max(0, Int(rng.normal(mean: mean, sd: 2.5).rounded())))
        var chosen = Set<Int>()
        while chosen.count < n { chosen.insert(rng.below(catalogue.paragraphCodes.count)) }
        for k in chosen.sorted() { repeats([catalogue.paragraphCodes[k]], months: 3 + rng.below(12), &rng) }
    }
}
