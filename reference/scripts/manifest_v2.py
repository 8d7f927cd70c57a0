"""Manifest metadata for the rule-set v2 reference data (rules.md s12-s19; curate_v2.py).

Imported by build_manifest.py, which owns validation and writing. Commits are as
PROVENANCE.md gives them (s12, s13, s1, s6, s9a, s9b of reference-candidates): full where
its manifests give them, else the abbreviation it prints.
"""

OCL = ("repository licence MIT; codelist published on opencodelists.org ({}), no separate licence stated; "
       "SNOMED CT UK / dm+d content")
PCD_LIC = ("OGL v3 (NHS England Primary Care Domain refset content); "
           "SNOMED CT UK Edition, NHS England affiliate licence")
GM_LIC = ("No licence stated in source repository (GM-SDE, University of "
          "Manchester); SNOMED CT UK content (NHS England affiliate licence)")
GM = ("UoM-Data-Science-Platforms/gm-sde", "6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42")
QOFDM = ("opensafely/qof-diabetes", "c2293619c2971493b11dfdc3e47c5978ffb44b4f")
EFI2_LIC = ("BSD-3-Clause (DynAIRx/GCAF_DynAIRx); eFI/eFI2 IP held by the University of Leeds, "
            "code content rights not settled by the repository licence")
BNF_LIC = ("dm+d and BNF codes from the NHSBSA BNF SNOMED mapping (OGL v3); OpenCodelists lists "
           "(kate-mansfield), carrying repository MIT")
PHENOLAB_LIC = ("no licence file in londonaicentre/PhenoLab; content = NHSBSA BNF SNOMED mapping + BNF code "
                "information (OGL v3)")

SOURCES = {
    "efi/efi2/efi2_baseline2_snomed_codelist.csv": (
        "DynAIRx/GCAF_DynAIRx", "34b12339c3eeb9804052713bb957cf2fb8390172",
        "Input/Baselines/Baseline2_Codelist.csv (file last changed 9a1df1fb 2024-09-18); "
        "columns sctid_repaired and efi2_final_model_predictor added in reference-candidates (PROVENANCE s12.1)",
        EFI2_LIC),
    "efi/efi2/efi2_coefficients.csv": (
        "OHDSI/OmopIndices", "f5b11f054ac0f064ecb88e45b5e971ba94a286f1",
        "data-raw/internalData.R (eFI2 Cox coefficients of Best et al. 2025)",
        "Apache-2.0 (OmopIndices); numbers = published coefficients of Best et al. 2025"),
    "efi/efi2/efi2_model_parameters.csv": (
        "OHDSI/OmopIndices; albbaous/GWAS_PhenoAge-Frailty", "f5b11f05 / 6cde5277; 15eeed10",
        "scaling constant 8.429 and cut-offs 0.0857/0.1624/0.2392 (R/addElectronicFrailtyIndex2.R; README.md)",
        "OmopIndices Apache-2.0; albbaous: no licence stated (numbers are published facts)"),
    "medications/dmd_bnf_map_opencodelists_kate_mansfield_ch01-13.csv": (
        "opensafely/openprompt_health_utilisation", "d63b451e7c53b17cd59b5c006bd1e06d7c4a76da",
        "the 13 kate-mansfield BNF-chapter lists (OpenCodelists, downloaded 2023-06-15) as one map "
        "(NHSBSA mapping of about January 2023; PROVENANCE s13.2)", BNF_LIC),
    "medications/nhsbsa-bnf-snomed-mapping-phenolab-2020-2025.csv": (
        "londonaicentre/PhenoLab", "dde5db0ae90c32a986e1c57cd75b0f7b10900e51",
        "processed_bnf_data.parquet: NHSBSA BNF SNOMED mapping releases 2020-08-18, 2023-02-20, 2025-01-20 "
        "(PROVENANCE s13.3); only code_exact = true rows used", PHENOLAB_LIC),
    "medications/opensafely-statin-medication.csv": (
        "opensafely/statins-covid", "f96cca33", "opensafely/statin-medication/2bf2b2ef (downloaded 2025-07-18)",
        OCL.format("opensafely")),
    "medications/opensafely-direct-acting-oral-anticoagulants-doac.csv": (
        "opensafely/metfin_covid", "be89a44d",
        "opensafely/direct-acting-oral-anticoagulants-doac/2020-10-05 (downloaded 2024-09-19)", OCL.format("opensafely")),
    "medications/opensafely-warfarin.csv": (
        "opensafely/metfin_covid", "be89a44d", "opensafely/warfarin/2020-10-05 (downloaded 2024-09-19)",
        OCL.format("opensafely")),
    "codelists/ethnicity/wnl-ethnicity_snomed_ONS_NHS.csv": (
        "wnl-icb-analytics/dbt-analytics", "213ca0542d527cc1d0c4e4fe2a5877bd8049a6ca",
        "seeds/ethnicity_snomed_ONS_NHS.csv (file last changed 7df21bd3 2026-04-12)", "OGL v3 / MIT (repository dual licence)"),
    "codelists/ethnicity/bhfdsc-ethnicity_categories_snomed_mapping.csv": (
        "bhfdschds/hds_jf_pipeline_dev", "ceb00bd4dc4a75bc7026cda8fabac46fcd30d969",
        "hds_reference_data/ethnicity_mapping/ethnicity_categories_snomed_mapping.csv (file last changed 5e4c7bfa 2024-06-11)",
        "no licence file in repository; content derived from NHS Data Dictionary / SNOMED CT UK"),
    "codelists/primis-covid19-vacc-uptake-reside_cod.csv": (
        "opensafely/covid-vaccine-history", "a3520e82", "primis-covid19-vacc-uptake/reside_cod/v2.5 (downloaded 2026-01-07)",
        OCL.format("primis-covid19-vacc-uptake")),
    "codelists/primis-covid19-vacc-uptake-longres.csv": (
        "opensafely/covid-vaccine-history", "a3520e82", "primis-covid19-vacc-uptake/longres/v2.5 (downloaded 2025-09-26)",
        OCL.format("primis-covid19-vacc-uptake")),
    "codelists/opensafely-no-longer-housebound.csv": (
        "opensafely/ckd-coverage-ve", "76034505", "opensafely/no-longer-housebound/29a88ca6 (downloaded 2022-03-02)",
        OCL.format("opensafely")),
    "codelists/nhsd-primary-care-domain-refsets-mi_cod.csv": (
        "opensafely/polypharmacy-deprescribing-dementia", "c12109c5926f3ea4a426bce99a2f79623076866f",
        "nhsd-primary-care-domain-refsets/mi_cod/3b4271c9", PCD_LIC),
    "prevention/nhsd-primary-care-domain-refsets-shvacgp_cod.csv": (
        "opensafely/zostavax-dementia", "82d1ae23fa3720c4dec456f7859353c62c8472b5",
        "nhsd-primary-care-domain-refsets/shvacgp_cod/20260630 (downloaded 2026-10-07)", PCD_LIC),
    "prevention/gm-sde/shingles-vaccination.snomed.txt": (
        GM[0], GM[1], "gm-sde procedures/shingles-vaccination v1 (file last changed b73dc4c3 2024-05-08)", GM_LIC),
    "prevention/gm-sde/covid-vaccination.snomed.txt": (
        GM[0], GM[1], "gm-sde procedures/covid-vaccination v1 (file last changed f5df9abe 2024-03-01)", GM_LIC),
    "prevention/primis-covid19-vacc-uptake-covrx.csv": (
        "opensafely/FLUCATS", "b4499eae", "primis-covid19-vacc-uptake/covrx/v.1.5.3 (downloaded 2022-07-06)",
        OCL.format("primis-covid19-vacc-uptake")),
    "cms/bristol-cambridge-multimorbidity-score-parkinsonism.csv": (
        "opensafely/NeurodegenerativeDiseaseBurden", "7d580508",
        "bristol/cambridge-multimorbidity-score-parkinsonism/61bde9a0 (downloaded 2026-10-07)", OCL.format("bristol")),
    "cms/bristol-cambridge-multimorbidity-score-substance-misuse.csv": (
        "opensafely/NeurodegenerativeDiseaseBurden", "6ce9d827",
        "bristol/cambridge-multimorbidity-score-substance-misuse/56e980cb (downloaded 2026-10-07)", OCL.format("bristol")),
}
for _n in ("covadm1", "covadm2"):
    SOURCES[f"prevention/primis-covid19-vacc-uptake-{_n}.csv"] = (
        "opensafely/FLUCATS", "b4499eae", f"primis-covid19-vacc-uptake/{_n}/v1 (downloaded 2023-08-18)",
        OCL.format("primis-covid19-vacc-uptake"))
for _n in ("covadm3_cod", "covadm4_cod", "covadm5_cod"):
    SOURCES[f"prevention/primis-covid19-vacc-uptake-{_n}.csv"] = (
        "opensafely/openprompt_health_utilisation", "1051dd9b",
        f"primis-covid19-vacc-uptake/{_n}/v.1.5.3 (downloaded 2023-03-13)", OCL.format("primis-covid19-vacc-uptake"))
for _c in ("mildfrail", "modfrail", "sevfrail", "dmmax", "bldtestdec", "serfruc"):
    SOURCES[f"codelists/nhsd-primary-care-domain-refsets-{_c}_cod.csv"] = (
        QOFDM[0], QOFDM[1], f"nhsd-primary-care-domain-refsets/{_c}_cod/20200812", PCD_LIC)

ROW_RULES = ("rows carry the rules.md s12 row rule (window_years, min_age, value_test, value_scale; "
             "docs/rules-format.md 'Row rules'), translated from TimeConstraintyears, AgeLimit and Otherinstructions")
EFI2_SRC = ["efi/efi2/efi2_baseline2_snomed_codelist.csv"]


def register(add, efi2_groups, exists=lambda path: True):
    """Add FILES entries through build_manifest.add."""
    for g in efi2_groups:
        add(f"codelists/efi2/{g}.csv", f"EFI2_{g.upper()}", "snomed",
            f"eFI2 predictor group/level '{g}' (s12)", EFI2_SRC, ROW_RULES)
    add("scores/efi2-predictors.csv", "eFI2 predictors", "score",
        "eFI2 Cox coefficients (beta, decimal text) per rule-set value (s12)", ["efi/efi2/efi2_coefficients.csv"],
        "Best et al. 2025 Age Ageing 54(4):afaf077; integer points = beta x 100000 (s12)")
    add("scores/efi2-parameters.csv", "eFI2 parameters", "score",
        "eFI2 scale 8.429, category cut-offs, minimum age, decimals (s12)", ["efi/efi2/efi2_model_parameters.csv"])
    add("codelists/dmd/bnf_paragraph.csv", "BNF_MAP", "dmd",
        "eFI2 polypharmacy: dm+d -> BNF paragraph (first 6 characters), chapters 01-15 (s12)",
        ["medications/dmd_bnf_map_opencodelists_kate_mansfield_ch01-13.csv",
         "medications/nhsbsa-bnf-snomed-mapping-phenolab-2020-2025.csv"],
        "primary map first; fallback rows with code_exact = true only; two paragraphs -> the first in BNF order")
    add("codelists/dmd/llt_bnf0212.csv", "LLT_BNF0212", "dmd",
        "LLT: the BNF_MAP codes of BNF 2.12 lipid-regulating drugs (s17)",
        ["medications/dmd_bnf_map_opencodelists_kate_mansfield_ch01-13.csv",
         "medications/nhsbsa-bnf-snomed-mapping-phenolab-2020-2025.csv"])
    add("codelists/dmd/statin.csv", "STATIN", "dmd", "statin_gap, LLT (s17)", ["medications/opensafely-statin-medication.csv"])
    add("codelists/dmd/doac.csv", "DOAC", "dmd", "af_anticoag_gap (s17)",
        ["medications/opensafely-direct-acting-oral-anticoagulants-doac.csv"])
    add("codelists/dmd/warfarin.csv", "WARF", "dmd", "af_anticoag_gap (s17)", ["medications/opensafely-warfarin.csv"])
    eth = ["codelists/ethnicity/wnl-ethnicity_snomed_ONS_NHS.csv",
           "codelists/ethnicity/bhfdsc-ethnicity_categories_snomed_mapping.csv"]
    add("codelists/ethnicity_known.csv", "ETH_MAP (A-S)", "snomed", "ethnicity from SNOMED: letter per code (s14)", eth,
        "WNL digit codes first; BHF codes WNL lacks with T->C, W->S")
    add("codelists/ethnicity_not_stated.csv", "ETH_MAP (Z)", "snomed", "ethnicity from SNOMED: not stated (s14)", eth)
    add("codelists/reside_cod.csv", "RESIDE", "snomed", "care_home: residence codes (s15)",
        ["codelists/primis-covid19-vacc-uptake-reside_cod.csv"])
    add("codelists/longres_cod.csv", "LONGRES", "snomed", "care_home: long-stay residential care (s15)",
        ["codelists/primis-covid19-vacc-uptake-longres.csv"])
    add("codelists/no_longer_housebound.csv", "NOHB", "snomed", "housebound ends (s15)",
        ["codelists/opensafely-no-longer-housebound.csv"])
    for c, p in [("mildfrail", "segment8 complexity: coded frailty (s18)"), ("modfrail", "segment8 complexity (s18)"),
                 ("sevfrail", "segment8 complexity (s18)"), ("mi", "af_cha2ds2vasc V (s17)"),
                 ("dmmax", "dm_hba1c_excluded (s17)"), ("bldtestdec", "dm_hba1c_excluded (s17)"),
                 ("serfruc", "dm_hba1c_excluded (s17)")]:
        add(f"codelists/{c}_cod.csv", f"{c.upper()}_COD", "snomed", p,
            [f"codelists/nhsd-primary-care-domain-refsets-{c}_cod.csv"])
    add("codelists/hba1c_ifcc.csv", "HBA1C_IFCC", "snomed", "hba1c_latest, dm_hba1c_controlled (s17)",
        ["codelists/nhsd-primary-care-domain-refsets-ifcchbam_cod.csv"])
    add("codelists/shingles_vacc.csv", "SHINGLES", "snomed", "vacc_shingles_70_79 (s16); also matched as dm+d",
        ["prevention/nhsd-primary-care-domain-refsets-shvacgp_cod.csv", "prevention/gm-sde/shingles-vaccination.snomed.txt"],
        "varicella codes 737081007, 4639911000001104, 7990711000001108 removed (rules.md s12 SHINGLES)")
    add("codelists/covid_vacc.csv", "COVID", "snomed", "vacc_covid (s16); also matched as dm+d",
        [f"prevention/primis-covid19-vacc-uptake-{n}.csv" for n in
         ("covadm1", "covadm2", "covadm3_cod", "covadm4_cod", "covadm5_cod", "covrx")]
        + ["prevention/gm-sde/covid-vaccination.snomed.txt"])
    add("codelists/cms/parkinsonism.csv", "PARK", "snomed", "seg_ltc_count PD register (s18)",
        ["cms/bristol-cambridge-multimorbidity-score-parkinsonism.csv"])
    add("codelists/cms/substance_misuse.csv", "SUBST", "snomed", "segment8 complexity; complex_lives_count (s18, s19)",
        ["cms/bristol-cambridge-multimorbidity-score-substance-misuse.csv"])
    if exists("rules/stratify-v2.rules"):
        add("rules/stratify-v2.rules", "stratify-v2", "rules",
            "the v2 rule set: v1 plus rules.md s12-s19 fields and inputs (docs/rules.md, docs/rules-format.md)", [])
    if exists("scores/comorbidity-conditions.csv"):
        add("scores/comorbidity-conditions.csv", "comorbidity conditions", "score",
            "the 23 conditions of comorbidity_count: rule-set value per condition (s13)", [])
