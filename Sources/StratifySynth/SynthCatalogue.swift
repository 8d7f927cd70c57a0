import StratifyCore
import StratifyIngest
import StratifyReference

/// The real codes the generator may write, by role, taken only from `reference/` (it never makes
/// up a clinical code). Codes are kept as ASCII bytes, ready to append to a row.
struct SynthCatalogue: Sendable {
    var lists: [String: [[UInt8]]] = [:]
    var mrcByGrade: [Int: [[UInt8]]] = [:]
    var efiDeficits: [[[UInt8]]] = []
    let practices: [String]
    let deprivedLSOAs: [String]
    let otherLSOAs: [String]
    /// Real LSOA 2021 codes absent from the 2011-based IMD 2019 table: a few patients carry them,
    /// as extracts that mix vintages do, so the "LSOA not in the IMD table" count is exercised.
    let unmatchedLSOAs: [String]
    /// IMD 2019 quintile of each LSOA the generator draws from (flu uptake's deprivation gradient).
    let quintileOf: [String: Int]
    /// Share of the ICB's own LSOAs in deciles 1–2 (reported in the synth manifest).
    let icbCore20Share: Double

    static let eventLists = [
        "hyp_cod", "hypres_cod", "copd_cod", "copdres_cod", "mh_cod", "smi_remission", "cancer", "ld_cod", "dm_cod",
        "dmres_cod", "ast_cod", "astres_cod", "afib_cod", "chd_cod", "hf_cod", "hfres_cod", "strk_cod", "tia_cod",
        "ckd_cod", "ckd1and2_cod", "dem_cod", "epil_cod", "epilres_cod", "pad_cod", "rarth_cod", "osteo_cod", "depr_cod",
        "depres_cod", "palcare_cod", "autism", "homeless", "carer", "not_carer", "sysbp", "diasbp", "home_bp", "bp_cod",
        "bmi_value", "egfr", "hba1c", "cholesterol", "smoking_status", "alcohol", "flu_vacc", "pneumo_vacc",
        "bowel_screen", "breast_screen", "cervical_screen", "cancer_referral", "copd_exacerbation", "lrti", "home_oxygen", "mrc_dyspnoea",
        "cms/anxiety_depression", "cms/hearing_loss", "cms/ibs", "cms/alcohol_problems", "home_sysbp", "home_diasbp",
    ]
    static let medicationLists = [
        "dmd/bnf_analgesics", "dmd/bnf_antidepressants", "dmd/bnf_anxiolytics_hypnotics", "dmd/bnf_laxatives",
        "dmd/bnf_antispasmodics", "dmd/bnf_antiepileptics", "dmd/bnf_asthma", "dmd/lithium", "dmd/flu_vaccine",
    ]

    init(reference: ReferenceData, practicesFile: String, lsoaFile: String, imdFile: String) throws(StratifyError) {
        func ascii(_ c: UInt64) -> [UInt8] { Array(String(c).utf8) }
        for name in SynthCatalogue.eventLists + SynthCatalogue.medicationLists {
            let list = try reference.codeList(name)
            guard !list.codes.isEmpty else { throw StratifyError(.runFailed, "\(list.path) has no codes") }
            lists[name] = list.codes.map(ascii)
            if name == "mrc_dyspnoea", let grades = list.extras["grade"] {
                for code in list.codes { if let g = Int(grades[code] ?? "") { mrcByGrade[g, default: []].append(ascii(code)) } }
            }
        }
        // Draw each list's codes from those in no *other* register list where possible, so that a
        // depression code does not also put the patient on the SMI register, or an eFI deficit on
        // the dementia register: prevalence then follows the condition model. (The lists do
        // overlap in reality: docs/synth.md.)
        var codeSets: [String: Set<UInt64>] = [:]
        for name in SynthCatalogue.eventLists { codeSets[name] = Set(try reference.codeList(name).codes) }
        let registers = Set(Conditions.all.map(\.list) + Conditions.all.compactMap(\.resolution) + ["smi_remission"])
        func exclusive(_ codes: [UInt64], except own: String) -> [UInt64] {
            let others = registers.filter { $0 != own }.reduce(into: Set<UInt64>()) { $0.formUnion(codeSets[$1] ?? []) }
            let kept = codes.filter { !others.contains($0) }
            return kept.isEmpty ? codes : kept
        }
        for name in SynthCatalogue.eventLists {
            var codes = exclusive(Array(codeSets[name]!).sorted(), except: name)
            // Clinic readings use clinic codes: home readings have their own lists.
            if name == "sysbp" || name == "diasbp" {
                let home = codeSets["home_bp"]!
                codes = codes.filter { !home.contains($0) }
            }
            lists[name] = codes.map(ascii)
        }
        // Residence codes in the eFI deficit lists ("Lives in nursing home" under care
        // requirement) would put a frail patient in a care home by chance: care homes are drawn
        // on their own (V2Writer), so deficits use their other codes.
        let residence = Set(try reference.codeList("reside_cod").codes)
        for name in reference.codeListNames(in: "efi") {
            let codes = exclusive(try reference.codeList(name).codes, except: name)
            let kept = codes.filter { !residence.contains($0) }
            efiDeficits.append((kept.isEmpty ? codes : kept).map(ascii))
        }
        practices = try PracticeTable(path: practicesFile).practices.map(\.code)
        let imd = try IMDTable(path: imdFile)
        let lsoas = try FileSystem.readAll(lsoaFile).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            .filter { $0.hasPrefix("E01") }
        let decileOf: (String) -> UInt8? = { imd.decile[Int32($0.dropFirst(3)) ?? -1] }
        var deprived = lsoas.filter { (decileOf($0) ?? 10) <= 2 }
        icbCore20Share = lsoas.isEmpty ? 0 : Double(deprived.count) / Double(lsoas.count)
        // Core20 is a national measure: if the ICB has too few deprived LSOAs to draw 20% from,
        // top up from the national table so every Core20 rule has members.
        if deprived.count < 50 {
            deprived += imd.decile.filter { $0.value <= 2 }.keys.sorted().prefix(500).compactMap { PatientTable.lsoaCode($0) }
        }
        deprivedLSOAs = deprived
        let lsoa21 = try IMDTable(path: reference.root + "/imd/imd2025_lsoa21.csv")
        unmatchedLSOAs = lsoa21.decile.keys.filter { imd.decile[$0] == nil }.sorted().prefix(200).compactMap { PatientTable.lsoaCode($0) }
        otherLSOAs = lsoas.filter { (decileOf($0) ?? 0) > 2 }
        var quintiles: [String: Int] = [:]
        for l in deprivedLSOAs + otherLSOAs { if let d = decileOf(l) { quintiles[l] = (Int(d) + 1) / 2 } }
        quintileOf = quintiles
        guard !practices.isEmpty, !otherLSOAs.isEmpty, !unmatchedLSOAs.isEmpty else {
            throw StratifyError(.runFailed, "practice or LSOA reference files are empty")
        }
    }

    func codes(_ name: String) -> [[UInt8]] { lists[name]! }
}
