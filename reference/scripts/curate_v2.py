#!/usr/bin/env python3
"""Curate the rule-set v2 reference data (rules.md sections 12-19) from the candidates.

Called by ``curate.py`` (or alone: ``python3 reference/scripts/curate_v2.py``).
Writes, under ``reference/``:

* ``codelists/efi2/*.csv``  eFI2 (Best et al. 2025) rows, one file per predictor group
  or level, with the row rule of rules.md s12 as columns
  ``window_years,min_age,value_test,value_scale`` (docs/rules-format.md "Row rules")
* ``scores/efi2-predictors.csv``, ``scores/efi2-parameters.csv``  coefficients and cut-offs,
  copied as decimal text from the candidate files
* ``codelists/dmd/bnf_paragraph.csv``  dm+d -> BNF paragraph (BNF_MAP of s12), chapters 01-15
* ``codelists/dmd/{statin,doac,warfarin,llt_bnf0212}.csv``  s17 drug lists
* ``codelists/ethnicity_known.csv`` (letter A-S) and ``codelists/ethnicity_not_stated.csv`` (Z)
* vaccination, residence, frailty, HbA1c, MI, PARK and SUBST lists of s12-s19

Every code is copied from a candidate file; the only typed-in codes are the three varicella
exclusions that rules.md s12 names (SHINGLES) and the 3 BMI codes s12 names (BMIVAL_COD).
Python 3 standard library only; deterministic.
"""

import csv
import re
import sys
from collections import OrderedDict
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import verhoeff_ok  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
REF = REPO_ROOT / "reference"
SRC = REPO_ROOT / ".." / "shared" / "reference-candidates"

EFI2_LIST = "efi/efi2/efi2_baseline2_snomed_codelist.csv"
EFI2_BETA = "efi/efi2/efi2_coefficients.csv"
EFI2_PARAMS = "efi/efi2/efi2_model_parameters.csv"
BNF_MAP_A = "medications/dmd_bnf_map_opencodelists_kate_mansfield_ch01-13.csv"
BNF_MAP_B = "medications/nhsbsa-bnf-snomed-mapping-phenolab-2020-2025.csv"

ROW_HEADER = ["code", "term", "window_years", "min_age", "value_test", "value_scale"]

# rules.md s12 "Row rule": the instruction texts that are numeric tests.
NUMERIC_TESTS = {
    "Equal to or less than 18": "<=18",
    "If greater than 0": ">0",
    "Code if greater than 0": ">0",
    "Code if >0": ">0",
    "If equal to or greater than 8": ">=8",
    "If equal to or greater than 1": ">=1",
    "If less than 0.95": "<0.95",
    "Any value": "any",
}
# Instruction texts that are not tests (hierarchy, smoking and BMI notes, the fracture age
# note already carried by AgeLimit): the row matches on its code alone.
NOT_TESTS = {
    "Removed if dementia code added", "Removed if cognitive impairment or dementia code added",
    "Cannot be current and ex smoker", "Cannot be ex and current smoker",
    "Exclude all fracture codes if recorded when age<55",
    "BMI 30+ = obesity, BMI <18.5 Underweight",
}
ALCOHOL_BANDS = {  # instruction -> band (s12 Alcohol)
    "Zero alcohol": "zero", "Lower risk drinking": "lower", "Higher risk drinking": "higher",
    "Harmful drinking": "harmful", "Previous higher risk/harmful drinking": "previous",
}
# Numeric alcohol rows: units per week (daily x 7); source bands 0 / 1-20 / 21-48 / 49+,
# fractions between them as rules.md s12 chooses.
ALCOHOL_NUMERIC = {"zero": "==0", "lower": ">0 <21", "higher": ">=21 <49", "harmful": ">=49"}
HYPO_READINGS = {"3 readings less than 90 EVER": ("hypotension_sys_lt90", "<90"),
                 "3 readings less than 60 EVER": ("hypotension_dia_lt60", "<60")}
HYPO_COMBINED = "3 readings less than 90 systolic or 60 diastolic EVER"
BMI_CODES = ["60621009", "301331008", "846931000000101"]  # BMIVAL_COD, named in rules.md s12
VARICELLA = {"737081007", "4639911000001104", "7990711000001108"}  # named in rules.md s12

COUNTS = OrderedDict()
NOTES = []


def slug(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def rows_of(rel):
    with open(SRC / rel, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def txt_codes(rel):
    out = []
    with open(SRC / rel, encoding="utf-8-sig") as fh:
        for line in fh:
            if line.strip():
                parts = line.rstrip("\r\n").split("\t")
                out.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
    return out


def csv_codes(rel, code="code", term="term"):
    return [(r[code].strip(), (r.get(term) or "").strip()) for r in rows_of(rel) if (r.get(code) or "").strip()]


def write(out_rel, header, rows):
    """rows: list of lists whose first cell is a code; sorted by code as a number, unique."""
    seen = {}
    for r in rows:
        c = r[0]
        if not verhoeff_ok(c):
            raise SystemExit(f"{out_rel}: code {c} fails Verhoeff")
        if c in seen:
            if seen[c][2:] != r[2:]:
                raise SystemExit(f"{out_rel}: code {c} has two different rows: {seen[c]} / {r}")
            continue
        seen[c] = r
    path = REF / out_rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for c in sorted(seen, key=int):
            w.writerow(seen[c])
    COUNTS[out_rel] = len(seen)


def codelist(out_rel, *sources, minus=()):
    merged = OrderedDict()
    for src in sources:
        for c, t in src:
            if c.isdigit() and c not in merged:
                merged[c] = t
    for c in minus:
        if c not in merged:
            raise SystemExit(f"{out_rel}: exclusion {c} not in the sources")
        del merged[c]
    write(out_rel, ["code", "term"], [[c, t] for c, t in merged.items()])


# --------------------------------------------------------------------------
# eFI2 (s12)
# --------------------------------------------------------------------------

def efi2():
    rows = [r for r in rows_of(EFI2_LIST) if r["efi2_final_model_predictor"].strip()]
    groups = OrderedDict()
    repaired = 0
    for r in rows:
        code = r["sctid_repaired"].strip() or r["SNOMEDCT_CONCEPTID"].strip()
        repaired += bool(r["sctid_repaired"].strip())
        deficit = r["Deficit"].strip()
        ins = r["Otherinstructions"].strip()
        window = r["TimeConstraintyears"].strip()
        age = r["AgeLimit"].strip()
        term = r["Codedescription"].strip()
        scale = ""
        if deficit == "Alcohol":
            if ins in ALCOHOL_BANDS:
                groups.setdefault("alcohol_" + ALCOHOL_BANDS[ins], []).append([code, term, window, age, "", ""])
            elif ins.startswith("Alcohol - numeric"):
                scale = "7" if "Multiply by 7" in ins else ""
                for band, test in ALCOHOL_NUMERIC.items():
                    groups.setdefault("alcohol_" + band, []).append([code, term, window, age, test, scale])
            else:
                raise SystemExit(f"alcohol instruction not understood: {ins!r}")
            continue
        if deficit in ("Body mass index", "Obesity"):
            continue  # BMI readings: bmi.csv below (s12 BMI)
        if deficit == "Hypotension / syncope" and ins:
            if ins in HYPO_READINGS:
                name, test = HYPO_READINGS[ins]
                groups.setdefault(name, []).append([code, term, window, age, test, ""])
            elif ins != HYPO_COMBINED:
                raise SystemExit(f"hypotension instruction not understood: {ins!r}")
            continue  # "3 readings" rows never match alone; combined rows are not used
        if ins in NUMERIC_TESTS:
            test = NUMERIC_TESTS[ins]
        elif ins in NOT_TESTS or not ins:
            test = ""
        else:
            raise SystemExit(f"{deficit}: instruction not understood: {ins!r}")
        groups.setdefault(slug(deficit), []).append([code, term, window, age, test, scale])
    # BMI: the three BMIVAL_COD codes with value > 0 in the "Body mass index" row's window.
    bmi_rows = {(r["sctid_repaired"].strip() or r["SNOMEDCT_CONCEPTID"].strip()): r for r in rows
                if r["Deficit"] in ("Body mass index", "Obesity")}
    window = next(r["TimeConstraintyears"] for r in rows if r["Deficit"] == "Body mass index")
    groups["bmi"] = [[c, bmi_rows[c]["Codedescription"].strip(), window, "", ">0", ""] for c in BMI_CODES]
    for name, grows in groups.items():
        write(f"codelists/efi2/{name}.csv", ROW_HEADER, grows)
    NOTES.append(f"eFI2: {len(rows)} final-model rows, {repaired} with sctid_repaired used")

    # Coefficients, copied as decimal text; value = the rule-set let that says "present".
    out = []
    for r in rows_of(EFI2_BETA):
        pred, level = r["predictor"].strip(), r["level"].strip()
        if level == "present":
            value = f"efi2_{pred}"
        else:
            value = "efi2_" + pred + "_" + {"harmful intake": "harmful", "missing (no alcohol record)": "missing",
                                            "previous harmful/higher risk": "previous",
                                            "missing (no BMI value)": "missing",
                                            "underweight (BMI < 18.5)": "underweight",
                                            "5-9 (count >= 5 and < 10)": "5_9",
                                            "10+ (count >= 10)": "10_plus"}[level]
        out.append([value, pred, level, r["beta"].strip()])
    write_table("scores/efi2-predictors.csv", ["value", "predictor", "level", "beta"], out)
    params = {r["parameter"]: r for r in rows_of(EFI2_PARAMS)}
    table = [
        ["minimum_age", "65"],
        ["scale", params["scaling_constant_sum_of_max_betas"]["value_or_lower"].strip()],
        ["robust_max", params["category_robust"]["upper"].strip()],
        ["mild_max", params["category_mild"]["upper"].strip()],
        ["moderate_max", params["category_moderate"]["upper"].strip()],
        ["decimals", "4"],
    ]
    write_table("scores/efi2-parameters.csv", ["parameter", "value"], table)


def write_table(out_rel, header, rows):
    path = REF / out_rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    COUNTS[out_rel] = len(rows)


# --------------------------------------------------------------------------
# dm+d -> BNF paragraph (s12 BNF_MAP) and s17 drug lists
# --------------------------------------------------------------------------

def bnf_map():
    primary = {}
    for r in rows_of(BNF_MAP_A):
        primary.setdefault(r["dmd_code"].strip(), []).append(r["bnf_code"].strip())
    fallback = {}
    for r in rows_of(BNF_MAP_B):
        if r["code_exact"].strip().lower() != "true":
            continue  # ids damaged by float rounding: never used (rules.md s12)
        fallback.setdefault(r["dmd_code_published"].strip(), []).append(r["bnf_code"].strip())
    out = []
    for code in set(primary) | set(fallback):
        bnfs = primary.get(code) or fallback[code]
        # Drug chapters 01-15 only (rules.md s12 choice); two paragraphs: the first in BNF order.
        bnfs = sorted(b for b in bnfs if b[:2].isdigit() and 1 <= int(b[:2]) <= 15)
        if bnfs:
            out.append([code, bnfs[0], bnfs[0][:6]])
    write("codelists/dmd/bnf_paragraph.csv", ["code", "term", "paragraph"], out)
    write("codelists/dmd/llt_bnf0212.csv", ["code", "term"],
          [[c, b] for c, b, p in out if p.startswith("0212")])


def main(argv=None):
    global SRC
    if argv:
        SRC = Path(argv[0]).resolve()
    efi2()
    bnf_map()
    codelist("codelists/dmd/statin.csv", csv_codes("medications/opensafely-statin-medication.csv"))
    codelist("codelists/dmd/doac.csv", csv_codes("medications/opensafely-direct-acting-oral-anticoagulants-doac.csv"))
    codelist("codelists/dmd/warfarin.csv", csv_codes("medications/opensafely-warfarin.csv"))

    # Ethnicity (s14): WNL letters (digit codes only), then BHF codes WNL lacks with T->C, W->S.
    letters = OrderedDict()
    for r in rows_of("codelists/ethnicity/wnl-ethnicity_snomed_ONS_NHS.csv"):
        c = r["SNOMED_CODE"].strip()
        if c.isdigit() and c not in letters:
            letters[c] = (r["SNOMED_TERM"].strip(), r["BK_ETHNICITY_CODE"].strip())
    bridge = {"T": "C", "W": "S"}
    for r in rows_of("codelists/ethnicity/bhfdsc-ethnicity_categories_snomed_mapping.csv"):
        c = r["code"].strip()
        if c not in letters:
            letter = r["ethnic_category"].strip()
            letters[c] = (r["description"].strip(), bridge.get(letter, letter))
    write("codelists/ethnicity_known.csv", ["code", "term", "letter"],
          [[c, t, l] for c, (t, l) in letters.items() if l != "Z"])
    write("codelists/ethnicity_not_stated.csv", ["code", "term"],
          [[c, t] for c, (t, l) in letters.items() if l == "Z"])

    pcd = "codelists/nhsd-primary-care-domain-refsets-{}.csv"
    codelist("codelists/reside_cod.csv", csv_codes("codelists/primis-covid19-vacc-uptake-reside_cod.csv"))
    codelist("codelists/longres_cod.csv", csv_codes("codelists/primis-covid19-vacc-uptake-longres.csv"))
    codelist("codelists/no_longer_housebound.csv", csv_codes("codelists/opensafely-no-longer-housebound.csv"))
    for c in ("mildfrail", "modfrail", "sevfrail", "mi", "dmmax", "bldtestdec", "serfruc"):
        codelist(f"codelists/{c}_cod.csv", csv_codes(pcd.format(c + "_cod")))
    codelist("codelists/hba1c_ifcc.csv", csv_codes(pcd.format("ifcchbam_cod")))
    codelist("codelists/shingles_vacc.csv",
             csv_codes("prevention/nhsd-primary-care-domain-refsets-shvacgp_cod.csv"),
             txt_codes("prevention/gm-sde/shingles-vaccination.snomed.txt"), minus=sorted(VARICELLA))
    codelist("codelists/covid_vacc.csv",
             *[csv_codes(f"prevention/primis-covid19-vacc-uptake-{n}.csv")
               for n in ("covadm1", "covadm2", "covadm3_cod", "covadm4_cod", "covadm5_cod", "covrx")],
             txt_codes("prevention/gm-sde/covid-vaccination.snomed.txt"))
    codelist("codelists/cms/parkinsonism.csv", csv_codes("cms/bristol-cambridge-multimorbidity-score-parkinsonism.csv"))
    codelist("codelists/cms/substance_misuse.csv", csv_codes("cms/bristol-cambridge-multimorbidity-score-substance-misuse.csv"))
    for path, n in COUNTS.items():
        print(f"{n:>7}  {path}")
    for note in NOTES:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
