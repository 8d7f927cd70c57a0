#!/usr/bin/env python3
"""Derive BNF-section dm+d medication lists from whole-BNF-chapter dm+d lists.

The Cambridge Multimorbidity Score (rules.md section 8) counts prescriptions
by BNF section. reference-candidates/medications/ holds whole-chapter dm+d
lists (OpenCodelists user/kate-mansfield/bnf-<chapter>-dmd, 2023-06-15
download) with columns ``dmd_type,dmd_id,dmd_name,bnf_code``. Each VMP/AMP
row carries its 15-character BNF presentation code, whose first 4/6
characters are the BNF section/paragraph (``0106`` = 1.6, ``040801`` =
4.8.1). A row belongs to a list when its bnf_code starts with one of the
list's ``include`` prefixes and with none of its ``exclude`` prefixes.

Output: ``<out>/<name>.csv`` with header ``code,term`` (dm+d id, dm+d name),
UTF-8, LF, sorted by code as a number, no duplicates. Codes failing the
SNOMED CT / dm+d Verhoeff check digit are dropped and reported on stderr.

Usage (from the repository root)::

    python3 reference/scripts/derive_bnf_sections.py \
        [--source ../shared/reference-candidates] \
        [--out reference/codelists/dmd]

Python 3 standard library only.
"""

import argparse
import csv
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "reference-candidates"
DEFAULT_OUT = REPO_ROOT / "reference" / "codelists" / "dmd"

CHAPTER_FILES = {
    "1": "medications/user-kate-mansfield-bnf-1-gastro-intestinal-system-dmd.csv",
    "3": "medications/user-kate-mansfield-bnf-3-respiratory-system-dmd.csv",
    "4": "medications/user-kate-mansfield-bnf-4-central-nervous-system-dmd.csv",
}

# name -> (chapter, include prefixes, exclude prefixes, description)
SECTIONS = {
    "bnf_laxatives": ("1", ["0106"], [], "BNF 1.6 laxatives"),
    "bnf_antispasmodics": ("1", ["0102"], [],
                           "BNF 1.2 antispasmodics and other drugs altering gut motility"),
    "bnf_asthma": ("3", ["0301", "0302"], [],
                   "BNF 3.1 bronchodilators + 3.2 corticosteroids (respiratory)"),
    "bnf_anxiolytics_hypnotics": ("4", ["0401"], [], "BNF 4.1 hypnotics and anxiolytics"),
    "bnf_antidepressants": ("4", ["0403"], [], "BNF 4.3 antidepressant drugs"),
    "bnf_analgesics": ("4", ["0407"], ["040704"],
                       "BNF 4.7 analgesics excluding 4.7.4 antimigraine drugs"),
    "bnf_antiepileptics": ("4", ["040801"], [], "BNF 4.8.1 control of the epilepsies"),
}

from common import verhoeff_ok  # noqa: E402  (same directory)


def derive(source, out):
    """Write every list in SECTIONS; return {name: (rows, dropped_codes)}."""
    chapters = {}
    for chapter, rel in CHAPTER_FILES.items():
        with open(source / rel, newline="", encoding="utf-8-sig") as fh:
            chapters[chapter] = list(csv.DictReader(fh))
    out.mkdir(parents=True, exist_ok=True)
    result = {}
    for name, (chapter, include, exclude, _desc) in SECTIONS.items():
        picked = {}
        dropped = []
        for row in chapters[chapter]:
            bnf = row["bnf_code"].strip()
            if not any(bnf.startswith(p) for p in include):
                continue
            if any(bnf.startswith(p) for p in exclude):
                continue
            code = row["dmd_id"].strip()
            if not verhoeff_ok(code):
                dropped.append(code)
                continue
            picked.setdefault(code, row["dmd_name"].strip())
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["code", "term"])
            for code in sorted(picked, key=int):
                writer.writerow([code, picked[code]])
        if dropped:
            print(f"{name}: dropped {len(dropped)} codes failing Verhoeff: {dropped}",
                  file=sys.stderr)
        result[name] = (len(picked), dropped)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="reference-candidates directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory for the dm+d lists")
    args = parser.parse_args(argv)
    for name, (rows, _dropped) in derive(args.source.resolve(), args.out).items():
        print(f"{name}: {rows} codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
