#!/usr/bin/env python3
"""Regenerate every curated file under reference/ from the reference candidates.

Reads ``../shared/reference-candidates`` (relative to the repository root;
override with ``--source``) and rewrites:

* ``reference/codelists/*.csv``       SNOMED CT clinical code lists
* ``reference/codelists/efi/*.csv``   the 35 eFI deficit lists
* ``reference/codelists/cms/*.csv``   Cambridge Multimorbidity Score lists
* ``reference/codelists/dmd/*.csv``   dm+d medication lists (BNF-section lists
                                      via derive_bnf_sections.py)
* ``reference/imd/*.csv``             IMD 2019 (LSOA 2011), IMD 2025 (LSOA 2021)
* ``reference/practices/*``           one ICB's practices and its LSOA 2011 codes

Every code is copied verbatim from a candidate file; nothing is typed in
here except explicit *exclusions* (each with a reason). Code lists are
written as UTF-8, LF, header ``code,term`` (``mrc_dyspnoea.csv`` adds
``grade``), sorted by code as a number, de-duplicated (the first source in
the listed order supplies the term), terms stripped of surrounding
whitespace. Codes that fail the SNOMED CT Verhoeff check digit are dropped
and reported.

Run ``python3 reference/scripts/build_manifest.py`` afterwards.
Python 3 standard library only.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep reference/scripts free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
import derive_bnf_sections  # noqa: E402  (same directory)

verhoeff_ok = derive_bnf_sections.verhoeff_ok

REPO_ROOT = Path(__file__).resolve().parents[2]
REF = REPO_ROOT / "reference"
SRC = REPO_ROOT / ".." / "shared" / "reference-candidates"

PCD = "codelists/nhsd-primary-care-domain-refsets-{}.csv"

# Chosen ICB (see docs/reference-data.md): NHS North Central London ICB.
ICB_ODS = "QMJ"
ICB_FILE = "north_central_london"

DROPPED = {}   # output path -> codes dropped for failing Verhoeff
EXCLUDED = {}  # output path -> [(code, term, reason)] deliberate exclusions


# --------------------------------------------------------------------------
# Reading candidate files
# --------------------------------------------------------------------------

def read(rel, code="code", term="term"):
    """Return [(code, term, row)] in file order.

    ``.txt`` files are GM-SDE code sets: tab-separated, no header,
    ``code<TAB>description``. Everything else is CSV with a header row.
    """
    path = SRC / rel
    out = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        if rel.endswith(".txt"):
            for line in fh:
                if not line.strip():
                    continue
                parts = line.rstrip("\r\n").split("\t")
                out.append((parts[0].strip(), parts[1].strip(), {}))
        else:
            for row in csv.DictReader(fh):
                c = (row.get(code) or "").strip()
                if not c:
                    continue
                t = (row.get(term) or "").strip() if term else ""
                out.append((c, t, row))
    return out


def union(*sources):
    """Merge [(code, term, row)] lists; the first occurrence of a code wins."""
    merged = {}
    for src in sources:
        for c, t, _row in src:
            if c not in merged:
                merged[c] = [t]
            elif not merged[c][0] and t:
                merged[c][0] = t
    return merged


def exclude(out_rel, merged, reasons):
    """Remove codes listed in ``reasons`` ({code: reason}) and record them."""
    for c, reason in reasons.items():
        if c not in merged:
            raise SystemExit(f"{out_rel}: exclusion {c} not present in the source")
        EXCLUDED.setdefault(out_rel, []).append((c, merged[c][0], reason))
        del merged[c]
    return merged


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

def write_codelist(out_rel, merged, header=("code", "term")):
    """Write {code: [term, *extra]} sorted by code as a number."""
    dropped = [c for c in merged if not verhoeff_ok(c)]
    if dropped:
        DROPPED[out_rel] = sorted(dropped)
    rows = [(c, v) for c, v in merged.items() if c not in dropped]
    rows.sort(key=lambda cv: int(cv[0]))
    path = REF / out_rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for c, v in rows:
            w.writerow([c, *v])
    return len(rows)


def write_table(out_rel, header, rows):
    path = REF / out_rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------
# SNOMED CT code lists
# --------------------------------------------------------------------------

# QOF / PCD clusters named in rules.md, copied as they are.
PCD_COPIES = [
    "hyp_cod", "hypres_cod", "copd_cod", "copdres_cod", "mh_cod", "ld_cod",
    "dm_cod", "dmres_cod", "ast_cod", "astres_cod", "afib_cod", "chd_cod",
    "hf_cod", "hfres_cod", "strk_cod", "tia_cod", "ckd_cod", "ckd1and2_cod",
    "ckdres_cod", "dem_cod", "epil_cod", "epilres_cod", "pad_cod",
    "rarth_cod", "osteo_cod", "depr_cod", "depres_cod", "palcare_cod",
    "palcareni_cod", "bp_cod",
]

# PCD clusters written under the descriptive names the pipeline uses.
PCD_RENAMED = {
    "autism.csv": "autism_cod",
    "sysbp.csv": "sysbp_cod",
    "home_bp.csv": "homebp_cod",
    "bmi_value.csv": "bmival_cod",
}

# Non-melanoma skin cancer (basal cell / cutaneous squamous cell carcinoma)
# inside the GM-SDE cancer set. Matched on the term, listed in the docs.
NMSC_RE = re.compile(
    r"basal cell carcinoma|basosquamous|squamous (cell )?carcinoma of (the )?skin",
    re.IGNORECASE)

# Bowel screening codes that record an *uncompleted* test.
BOWEL_EXCLUDE = {
    "375121000000106": "kit spoilt: no completed test",
    "375151000000101": "technical failure: no result",
    "375181000000107": "result unclear: test to be repeated",
    "384241000000100": "incomplete participation: no completed test",
    "1101381000000107": "technical failure: no result",
    "1101391000000109": "sample rejected: no result",
}

# Cervical-smear codes that are not evidence of a screening test done.
CERVICAL_EXCLUDE = {
    "1104621000000103": "offer only",
    "1104671000000104": "not offered",
    "1109911000000100": "QOF exception (non-response), not a test",
    "1110801000000101": "QOF exception reporting, not a test",
    "112241000119107": "declined",
    "736595007": "declined",
    "4461000175108": "not done",
    "809431000000109": "indicated but not done",
    "171156000": "not attended / non-responder",
    "268542002": "not attended",
    "275982002": "non-responder",
    "512121000000106": "never had a smear",
    "171163000": "status unknown",
    "308418005": "status only",
    "171164006": "due (recall state)",
    "390930009": "overdue (recall state)",
    "804681000000109": "due date (recall state)",
    "416480007": "recall suspended",
    "416755008": "recall schedule, not a test",
    "494911000000104": "recall schedule, not a test",
    "416419004": "recall schedule after hysterectomy, not a test",
    "413812009": "not indicated",
    "416099005": "no uterus (exclusion state, not a test)",
    "10738891000119107": "hysterectomy history, not a test",
    "185625009": "disclaimer (opt-out) received",
    "198351000000105": "disclaimer (opt-out) sent",
    "200511000000101": "information leaflet",
    "838031000000102": "information provision",
    "851141000000101": "information provision",
    "206231000000105": "consent only",
    "310788006": "screening *excluding* cervical",
    "2081000000105": "generic histopathology report, not cervical-specific",
    "439956007": "undated history code",
    "883351000000105": "undated history code",
    "168402006": "inadequate specimen: test to be repeated",
    "1128121000000109": "technical failure: no result",
    "252991009": "CIN diagnosis, not a screening event",
    "285836003": "CIN diagnosis, not a screening event",
    "285838002": "CIN diagnosis, not a screening event",
}

# GM-SDE smoking-status sub-sets that record the patient's own status
# (the umbrella set also holds passive smoking, family history, "unknown"
# and chewing-tobacco details, which are not a smoking status).
SMOKING_SETS = ["current", "currently-not", "ex", "ex-trivial", "never", "trivial"]
ALCOHOL_SETS = ["heavy-drinker", "moderate-drinker", "light-drinker",
                "non-drinker", "weekly-intake"]

from common import EFI_DEFICITS  # noqa: E402  (same directory)

CMS_LISTS = {
    "alcohol_problems": "cms/bristol-cambridge-multimorbidity-score-alcohol-problems.csv",
    "anxiety_depression": "cms/bristol-cambridge-multimorbidity-score-anxiety-or-depression.csv",
    "connective_tissue_disorder": "cms/bristol-multimorbidity_connective-tissue-disorder.csv",
    "hearing_loss": "cms/bristol-multimorbidity_hearing-loss.csv",
    "ibs": "cms/bristol-multimorbidity_irritable-bowel-syndrome.csv",
}

NHLI = "codelists/nhli-uncontrolled-copd/"


def nhli(rel, keep=lambda row: True):
    """NHLI CPRD Aurum list: one row per medcode, concept id in snomedctconceptid."""
    return [(c, t, r) for c, t, r in read(NHLI + rel, code="snomedctconceptid")
            if keep(r)]


def mrc_grade(row):
    """MRC dyspnoea grade 1-5 from the NHLI scale columns, or None.

    MRC grade n -> n; mMRC grade n -> n + 1 (mMRC 0-4 = MRC 1-5);
    eMRC 1-4 -> same, eMRC 5a/5b -> 5. Scale-only codes (no grade) -> None.
    """
    if row["mrc_dyspnoea_scale"]:
        return int(row["mrc_dyspnoea_scale"])
    if row["mmrc_dyspnoea_scale"]:
        return int(row["mmrc_dyspnoea_scale"]) + 1
    if row["emrc_dyspnoea_scale"]:
        return int(row["emrc_dyspnoea_scale"][0])
    return None


def build_snomed():
    counts = {}

    def put(out_rel, merged, **kw):
        counts[out_rel] = write_codelist(out_rel, merged, **kw)

    for cluster in PCD_COPIES:
        put(f"codelists/{cluster}.csv", union(read(PCD.format(cluster))))
    for name, cluster in PCD_RENAMED.items():
        put(f"codelists/{name}", union(read(PCD.format(cluster))))

    # --- section 1: cancer register (CAN_COD proxy) ---
    cancer = union(read("codelists/gm-sde/cancer.snomed.txt"))
    nmsc = {c: "non-melanoma skin cancer (BCC / cutaneous SCC)"
            for c, (t,) in cancer.items() if NMSC_RE.search(t)
            and "to skin" not in t.lower()}
    put("codelists/cancer.csv", exclude("codelists/cancer.csv", cancer, nmsc))

    # --- section 2: PLUS groups ---
    put("codelists/homeless.csv", union(read("codelists/primis-covid19-vacc-uptake-homeless_cod.csv")))
    put("codelists/carer.csv", union(read("codelists/primis-covid19-vacc-uptake-carer.csv")))
    put("codelists/not_carer.csv", union(read("codelists/primis-covid19-vacc-uptake-notcarer.csv")))

    # --- section 3: blood pressure ---
    # Home readings split by what they measure, so home systolic and diastolic values can be paired
    # like clinic ones (rules.md s3 reports them as home_bp_*). Selected by the published term.
    homebp = union(read(PCD.format("homebp_cod")))
    put("codelists/home_sysbp.csv", {c: v for c, v in homebp.items() if "systolic" in v[0].lower()})
    put("codelists/home_diasbp.csv", {c: v for c, v in homebp.items() if "diastolic" in v[0].lower()})
    put("codelists/diasbp.csv", union(read("codelists/user-milanwiedemann-diastolic-blood-pressure-qof.csv")))

    # --- section 4: COPD ---
    put("codelists/flu_vacc.csv", union(
        read("prevention/nhsd-primary-care-domain-refsets-flu_cod.csv"),
        read("prevention/gm-sde/flu-vaccination.snomed.txt")))
    put("codelists/pneumo_vacc.csv", union(read("prevention/gm-sde/pneumococcal-vaccination.snomed.txt")))

    mrc = {}
    for c, t, row in nhli("MRC_grade.csv"):
        g = mrc_grade(row)
        if g is None:
            EXCLUDED.setdefault("codelists/mrc_dyspnoea.csv", [])
            if c not in [e[0] for e in EXCLUDED["codelists/mrc_dyspnoea.csv"]]:
                EXCLUDED["codelists/mrc_dyspnoea.csv"].append(
                    (c, t, "scale code without a grade (grade would be in the value)"))
            continue
        if c in mrc:
            if mrc[c][1] != str(g):
                raise SystemExit(f"MRC concept {c} has conflicting grades")
            continue
        mrc[c] = [t, str(g)]
    put("codelists/mrc_dyspnoea.csv", mrc, header=("code", "term", "grade"))

    put("codelists/copd_exacerbation.csv", union(
        read("codelists/bristol-copd-exacerbations-snomed.csv"),
        nhli("AECOPD_moderate.csv", keep=lambda r: r["aecopd"] == "1")))
    put("codelists/lrti.csv", union(nhli("LRTI.csv", keep=lambda r: r["lrti"] == "1")))
    put("codelists/home_oxygen.csv", union(nhli(
        "oxygen_medcode.csv",
        keep=lambda r: r["ltot"] == "1" or "home oxygen" in r["term"].lower())))

    # --- section 5: SMI physical health check ---
    put("codelists/bmi.csv", union(
        read("codelists/primis-covid19-vacc-uptake-bmi.csv"),
        read("codelists/primis-covid19-vacc-uptake-bmi_stage.csv"),
        read("codelists/primis-covid19-vacc-uptake-sev_obesity.csv")))
    put("codelists/cholesterol.csv", union(
        read(PCD.format("chol2_cod")),
        read("codelists/opensafely-cholesterol-tests.csv"),
        read("codelists/opensafely-cholesterol-tests-numerical-value.csv"),
        read("codelists/bristol-hdl-cholesterol.csv")))
    put("codelists/hba1c.csv", union(
        read(PCD.format("ifcchbam_cod")),
        read("codelists/opensafely-glycated-haemoglobin-hba1c-tests.csv"),
        read("codelists/opensafely-glycated-haemoglobin-hba1c-tests-numerical-value.csv"),
        read(PCD.format("serfruc_cod"))))
    put("codelists/alcohol.csv", union(
        *[read(f"codelists/gm-sde/alcohol-{s}.snomed.txt") for s in ALCOHOL_SETS],
        read(PCD.format("excessalc_cod"))))
    put("codelists/smoking_status.csv", union(
        read(PCD.format("lsmok_cod")),
        read(PCD.format("exsmok_cod")),
        *[read(f"codelists/gm-sde/smoking-status-{s}.snomed.txt") for s in SMOKING_SETS]))
    put("codelists/smi_remission.csv", union(read("codelists/primis-covid19-vacc-uptake-smhres.csv")))

    # --- section 6: screening and referral ---
    put("codelists/bowel_screen.csv", exclude(
        "codelists/bowel_screen.csv",
        union(read("prevention/gm-sde/colorectal-cancer-screening.snomed.txt")),
        BOWEL_EXCLUDE))
    put("codelists/breast_screen.csv", union(read("prevention/gm-sde/breast-cancer-screening.snomed.txt")))
    put("codelists/cervical_screen.csv", exclude(
        "codelists/cervical_screen.csv",
        union(read("prevention/gm-sde/cervical-smear.snomed.txt")),
        CERVICAL_EXCLUDE))
    put("codelists/cancer_referral.csv", union(
        read("prevention/gm-sde/cancer-referral.snomed.txt"),
        read("prevention/phc-2ww-referral-colorectal.csv")))

    # --- section 8: CMS CKD (eGFR) ---
    put("codelists/egfr.csv", union(
        read("codelists/ukrr-egfr-tests.csv"),
        read("codelists/ukrr-egfr-tests-level.csv")))

    # --- section 7: eFI deficits ---
    for deficit in EFI_DEFICITS:
        put(f"codelists/efi/{deficit.replace('-', '_')}.csv",
            union(read(f"efi/efi-{deficit}.snomed.txt")))

    # --- section 8: CMS conditions without a QOF cluster ---
    for name, rel in CMS_LISTS.items():
        put(f"codelists/cms/{name}.csv", union(read(rel)))
    return counts


# --------------------------------------------------------------------------
# dm+d medication lists
# --------------------------------------------------------------------------

def dmd_term_index():
    """code -> first term seen across the dm+d candidate files (sorted by name)."""
    index = {}
    for path in sorted((SRC / "medications").glob("*.csv")):
        if "manifest" in path.name:
            continue
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                code = (row.get("code") or row.get("dmd_id") or row.get("id") or "").strip()
                term = (row.get("term") or row.get("dmd_name") or "").strip()
                if code and term and code not in index:
                    index[code] = term
    return index


def build_dmd():
    counts = {}

    def put(out_rel, merged):
        counts[out_rel] = write_codelist(out_rel, merged)

    put("codelists/dmd/flu_vaccine.csv", union(
        read("prevention/nhs-drug-refsets-fludrug_cod.csv"),
        read("prevention/opensafely-influenza-vaccination.csv")))
    put("codelists/dmd/lithium.csv", union(
        read("medications/pincer-lith.csv", code="id"),
        read("medications/gm-sde/lithium.snomed.txt")))
    # QOF asthma-register drug rule; the source has no term column, so terms
    # are looked up in the other dm+d candidate files (blank when absent).
    asthma = union(read("medications/opensafely-asthma-related-drug-treatment-codes.csv",
                        term=None))
    index = dmd_term_index()
    for c in asthma:
        asthma[c][0] = index.get(c, "")
    put("codelists/dmd/asthma_treatment_qof.csv", asthma)

    derived = derive_bnf_sections.derive(SRC, REF / "codelists" / "dmd")
    for name, (rows, dropped) in derived.items():
        counts[f"codelists/dmd/{name}.csv"] = rows
        if dropped:
            DROPPED[f"codelists/dmd/{name}.csv"] = dropped
    return counts


# --------------------------------------------------------------------------
# IMD, practices, LSOAs
# --------------------------------------------------------------------------

def build_imd():
    counts = {}
    for out, rel, col in [
            ("imd/imd2019_lsoa11.csv", "imd/imd2019_england_lsoa11.csv", "lsoa11_code"),
            ("imd/imd2025_lsoa21.csv", "imd/imd2025_england_lsoa21.csv", "lsoa21_code")]:
        with open(SRC / rel, newline="", encoding="utf-8-sig") as fh:
            rows = [(r[col].strip(), int(r["IMD_decile"]), int(r["IMD_rank"]))
                    for r in csv.DictReader(fh)]
        if len({r[0] for r in rows}) != len(rows):
            raise SystemExit(f"{rel}: duplicate LSOA codes")
        rows.sort()
        write_table(out, ["lsoa_code", "imd_decile", "imd_rank"], rows)
        counts[out] = len(rows)
    # ONS LSOA 2011 -> 2021 best fit (v2), England only: lets either IMD table answer either
    # vintage's codes (docs/reference-data.md, "LSOA vintages").
    rel = "imd/lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.csv"
    with open(SRC / rel, newline="", encoding="utf-8-sig") as fh:
        rows = sorted({(r["LSOA11CD"].strip(), r["LSOA21CD"].strip()) for r in csv.DictReader(fh)
                       if r["LSOA11CD"].startswith("E01")})
    if len({r[0] for r in rows}) != len(rows) or not all(r[1].startswith("E01") for r in rows):
        raise SystemExit(f"{rel}: an English LSOA 2011 code maps to two or to a non-English 2021 code")
    write_table("imd/lsoa11_to_lsoa21.csv", ["lsoa11_code", "lsoa21_code"], rows)
    counts["imd/lsoa11_to_lsoa21.csv"] = len(rows)
    return counts


def build_practices():
    with open(SRC / "practices/structures_2023_2024.csv", newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ICB_ODS_CODE"] == ICB_ODS]
    if not rows:
        raise SystemExit(f"no practices for ICB {ICB_ODS}")
    out_rows = sorted(
        (r["PRACTICE_CODE"], r["PRACTICE_NAME"], r["PCN_ODS_CODE"], r["PCN_NAME"],
         r["PCN_NAME"],  # neighbourhood (INT) = PCN: no INT grouping in the source
         r["SUB_ICB_ODS_CODE"], r["ICB_ODS_CODE"], r["ICB_NAME"])
        for r in rows)
    write_table(f"practices/{ICB_FILE}.csv",
                ["practice_code", "practice_name", "pcn_code", "pcn_name",
                 "neighbourhood", "sub_icb_code", "icb_code", "icb_name"], out_rows)

    sub_icb_ons = {r["SUB_ICB_ONS_CODE"] for r in rows}
    with open(SRC / "imd/regions_lsoa_ew.csv", newline="", encoding="utf-8-sig") as fh:
        lsoas = sorted(r["lsoa_code"] for r in csv.DictReader(fh)
                       if r["region_code"] in sub_icb_ons)
    with open(SRC / "imd/imd2019_england_lsoa11.csv", newline="", encoding="utf-8-sig") as fh:
        imd19 = {r["lsoa11_code"]: int(r["IMD_decile"]) for r in csv.DictReader(fh)}
    missing = [l for l in lsoas if l not in imd19]
    if missing:
        raise SystemExit(f"LSOAs not in the LSOA 2011 IMD table: {missing[:5]}")
    path = REF / f"practices/{ICB_FILE}_lsoa11.txt"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("".join(f"{l}\n" for l in lsoas))
    core20 = sum(imd19[l] in (1, 2) for l in lsoas)
    return {f"practices/{ICB_FILE}.csv": len(out_rows),
            f"practices/{ICB_FILE}_lsoa11.txt": len(lsoas)}, {
        "practices": len(out_rows),
        "pcns": len({r[2] for r in out_rows}),
        "lsoa11": len(lsoas),
        "core20_lsoas": core20,
        "core20_share": round(core20 / len(lsoas), 4),
    }


def main(argv=None):
    global SRC
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SRC,
                        help="reference-candidates directory (default ../shared/reference-candidates)")
    args = parser.parse_args(argv)
    SRC = args.source.resolve()
    if not SRC.is_dir():
        raise SystemExit(f"source directory not found: {SRC}")

    counts = {}
    counts.update(build_snomed())
    counts.update(build_dmd())
    counts.update(build_imd())
    practice_counts, icb = build_practices()
    counts.update(practice_counts)

    for path in sorted(counts):
        print(f"{counts[path]:>7}  {path}")
    import curate_v2  # noqa: E402  (same directory)
    curate_v2.main([str(SRC)])
    print(f"ICB {ICB_ODS}: {icb}")
    for path, items in sorted(EXCLUDED.items()):
        print(f"excluded from {path}: {len(items)}")
        for c, t, reason in items:
            print(f"    {c}  {t}  -- {reason}")
    if DROPPED:
        for path, codes in sorted(DROPPED.items()):
            print(f"Verhoeff failures dropped from {path}: {codes}")
    else:
        print("Verhoeff: every written code passes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
