"""The polars peer of bench/duckdb-compare: ingest and aggregate only (docs/peer-comparison.md).

What it computes, from the same extract files, with the input contract's validation:
- patients.csv validated (reasons 3-7 in the contract's order: missing required, invalid value,
  invalid NHS number, duplicate id with the first otherwise-valid row winning); the population of
  rules.md s0 (registered by D, alive after D) and each member's age on D;
- clinical_events.csv and medications.csv validated (reasons 3, 4, 6, 8), only used rows (date of
  birth <= date <= D) feeding the aggregates;
- the 19 registers of rules.md s1 per patient, and per practice their numerator and denominator
  (reference/measures/prevalence.csv: reg_hyp ... reg_pc with their denominator ages);
- rows accepted and quarantined by reason 3-8 per table.

Not covered: malformed records (reasons 1-2: it reads lines with quoting off and is checked on
extracts without defects only), hypertension, eFI, CMS, multimorbidity, core20 and every other
output. Benchmarking only: polars is installed in bench/.venv from bench/requirements.txt and is
never a dependency of the Swift package.
"""

import calendar
import csv
import datetime as dt
from pathlib import Path

import polars as pl

# Rule set lists needed by the registers (stratify-v1.rules), as in bench/sql/01_reference.sql.
EVENT_LISTS = {
    "hyp": ["hyp_cod"], "hypres": ["hypres_cod"], "copd": ["copd_cod"], "copdres": ["copdres_cod"],
    "mh": ["mh_cod"], "can": ["cancer"], "ld": ["ld_cod"], "dm": ["dm_cod"], "dmres": ["dmres_cod"],
    "ast": ["ast_cod"], "astres": ["astres_cod"], "afib": ["afib_cod"], "chd": ["chd_cod"],
    "hf": ["hf_cod"], "hfres": ["hfres_cod"], "stia": ["strk_cod", "tia_cod"], "ckd": ["ckd_cod"],
    "ckdres": ["ckd1and2_cod", "ckdres_cod"], "dem": ["dem_cod"], "epil": ["epil_cod"],
    "epilres": ["epilres_cod"], "pad": ["pad_cod"], "rarth": ["rarth_cod"], "osteo": ["osteo_cod"],
    "depr": ["depr_cod"], "depres": ["depres_cod"], "palcare": ["palcare_cod"], "palcareni": ["palcareni_cod"],
}
DRUG_LISTS = {"asthma_rx": ["asthma_treatment_qof"], "antiepileptic_rx": ["bnf_antiepileptics"]}
# Aggregate per list: latest date (dx/res), earliest (cancer), or ever.
LATEST = ["hyp", "hypres", "copd", "copdres", "dm", "dmres", "ast", "astres", "hf", "hfres", "ckd", "ckdres",
          "epil", "epilres", "depr", "depres", "palcare", "palcareni"]
EVER = ["mh", "ld", "afib", "chd", "stia", "dem", "pad", "rarth", "osteo"]

_D = [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],
      [4,0,1,2,3,9,5,6,7,8],[5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],
      [8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]]
_P = [[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],
      [9,4,5,3,1,2,6,8,7,0],[4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]]


def verhoeff_ok(s):
    c = 0
    for i, ch in enumerate(reversed(s)):
        c = _D[c][_P[i % 8][ord(ch) - 48]]
    return c == 0


def months_ago(d, n):
    """D - n months, clamped to the month's end (rules.md)."""
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def load_lists(ref, lists, folder):
    rows = []
    for name, files in lists.items():
        for f in files:
            with open(Path(ref) / "codelists" / folder / f"{f}.csv", newline="") as fh:
                for r in csv.DictReader(fh):
                    rows.append((r["code"].strip(), name))
    return rows


def read(path, columns):
    # Quoting off: a record never spans lines (extract-format.md), and this side is checked on
    # extracts without malformed records. Every named column is text; empty fields are null.
    with open(path, "rb") as f:
        header = [h.strip() for h in f.readline().decode("utf-8-sig").rstrip("\r\n").split(",")]
    return pl.scan_csv(path, has_header=True, quote_char=None, infer_schema=False,
                       schema={h: pl.String for h in header}).select(columns)


def is_real_date(col):
    return pl.col(col).str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$") & pl.col(col).str.to_date("%Y-%m-%d", strict=False).is_not_null()


def run(extract, out, as_of, ref, table_file):
    D = dt.date.fromisoformat(as_of)
    out = Path(out)

    # patients.csv
    pat = read(table_file(extract, "patients"),
               ["patient_id", "nhs_number", "date_of_birth", "sex", "date_of_death", "practice_code",
                "registration_start_date", "lsoa_code", "ethnic_category"]).with_row_index("line").collect()
    dob_s = (pl.when(pl.col("date_of_birth").str.contains(r"^[0-9]{4}-[0-9]{2}$"))
             .then(pl.col("date_of_birth") + "-01").otherwise(pl.col("date_of_birth")))
    pat = pat.with_columns(dob_s.alias("dob_s"), pl.col("nhs_number").str.replace_all(" ", "").alias("nhs"))
    pat = pat.with_columns(
        pl.when(pl.col("dob_s").str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
          .then(pl.col("dob_s").str.to_date("%Y-%m-%d", strict=False)).alias("dob"))
    nhs_sum = sum(pl.col("nhs").str.slice(i, 1).cast(pl.Int32, strict=False) * (10 - i) for i in range(9))
    nhs_check = (11 - nhs_sum % 11) % 11
    opt_date = lambda c: pl.col(c).is_null() | is_real_date(c)  # noqa: E731
    invalid = (~pl.col("patient_id").str.contains(r"^[A-Za-z0-9_-]{1,64}$")
               | (pl.col("nhs_number").is_not_null() & ~pl.col("nhs_number").str.contains(r"^(?:[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4})$"))
               | pl.col("dob").is_null() | (pl.col("dob") > D) | (pl.col("dob") < dt.date(1900, 1, 1))
               | ~pl.col("sex").str.to_lowercase().is_in(["female", "male", "intersex", "unknown", "f", "m", "i", "u"])
               | ~opt_date("date_of_death")
               | ~pl.col("practice_code").str.contains(r"^[A-Z][A-Z0-9]{5}$")
               | ~opt_date("registration_start_date")
               | (pl.col("lsoa_code").is_not_null() & ~pl.col("lsoa_code").str.contains(r"^E01[0-9]{6}$"))
               | (pl.col("ethnic_category").is_not_null() & ~pl.col("ethnic_category").str.contains(r"^[ABCDEFGHJKLMNPRSZ]$")))
    reason = (pl.when(pl.col("patient_id").is_null() | pl.col("date_of_birth").is_null() | pl.col("sex").is_null()
                      | pl.col("practice_code").is_null()).then(3)
              .when(invalid.fill_null(True)).then(4)
              .when(pl.col("nhs_number").is_not_null() & (nhs_check != pl.col("nhs").str.slice(9, 1).cast(pl.Int32, strict=False))).then(5))
    pat = pat.with_columns(reason.alias("reason"))
    dup = (pl.col("reason").is_null() & (pl.col("line").rank("ordinal").over(["patient_id"]) > 1))
    # rank within the otherwise-valid rows of each id
    ok = pat.filter(pl.col("reason").is_null())
    ok = ok.with_columns((pl.col("line").rank("ordinal").over("patient_id") > 1).alias("dup"))
    n_dup = ok["dup"].sum()
    del dup
    ok = ok.filter(~pl.col("dup"))
    pat_counts = {3: 0, 4: 0, 5: 0, 6: 0, 7: int(n_dup), 8: 0}
    for r, n in pat.group_by("reason").len().iter_rows():
        if r is not None:
            pat_counts[r] = n
    pat_counts["accepted"] = ok.height

    ok = ok.select("patient_id", "practice_code", "dob",
                   pl.col("date_of_death").str.to_date("%Y-%m-%d", strict=False).alias("dod"),
                   pl.col("registration_start_date").str.to_date("%Y-%m-%d", strict=False).alias("reg_start"))
    ok = ok.with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("pid"))
    md = D.month * 100 + D.day
    age = (D.year - pl.col("dob").dt.year()
           - ((pl.col("dob").dt.month().cast(pl.Int32) * 100 + pl.col("dob").dt.day().cast(pl.Int32)) > md).cast(pl.Int32))
    pop = ok.filter((pl.col("reg_start").is_null() | (pl.col("reg_start") <= D))
                    & (pl.col("dod").is_null() | (pl.col("dod") > D))).with_columns(age.alias("age"))
    idx = ok.select("patient_id", "pid", "dob").lazy()

    # Code lists.
    ev_rows = load_lists(ref, EVENT_LISTS, "")
    codes = pl.DataFrame(ev_rows, schema={"code": pl.String, "list": pl.String}, orient="row")
    codes = codes.filter(pl.col("code").str.contains(r"^[1-9][0-9]{5,17}$")).unique()
    flags = codes.with_columns(pl.lit(True).alias("v")).pivot(on="list", index="code", values="v")
    flags = flags.with_columns([pl.col(c).fill_null(False) for c in EVENT_LISTS if c in flags.columns])
    flags = flags.with_columns(pl.Series("check_ok", [verhoeff_ok(c) for c in flags["code"]]), pl.lit(True).alias("listed"))
    rx_rows = load_lists(ref, DRUG_LISTS, "dmd")
    rx = (pl.DataFrame(rx_rows, schema={"code": pl.String, "list": pl.String}, orient="row").unique()
          .with_columns(pl.lit(True).alias("v")).pivot(on="list", index="code", values="v").fill_null(False))

    # clinical_events.csv: a row joined to an accepted patient and a listed code needs no id or
    # code shape check (accepted ids and listed codes have the contract's shapes).
    ev = read(table_file(extract, "clinical_events"), ["patient_id", "date", "snomedct_code", "numeric_value"])
    ev = (ev.join(idx, on="patient_id", how="left")
            .join(flags.lazy(), left_on="snomedct_code", right_on="code", how="left")
            .with_columns(pl.col("date").str.to_date("%Y-%m-%d", strict=False).alias("d")))
    date_ok = pl.col("d").is_not_null() & (pl.col("date").str.len_bytes() == 10) & pl.col("date").str.contains(r"^[0-9]{4}-")
    value_ok = pl.col("numeric_value").is_null() | pl.col("numeric_value").str.contains(r"^-?[0-9]+(?:\.[0-9]+)?$")
    fast = pl.col("pid").is_not_null() & pl.col("listed").fill_null(False) & pl.col("check_ok").fill_null(False) & date_ok & value_ok
    shape_reason = (pl.when(pl.col("patient_id").is_null() | pl.col("date").is_null() | pl.col("snomedct_code").is_null()).then(3)
                    .when(~pl.col("patient_id").str.contains(r"^[A-Za-z0-9_-]{1,64}$") | ~date_ok
                          | ~pl.col("snomedct_code").str.contains(r"^[1-9][0-9]{5,17}$") | ~value_ok).then(4))
    ev = ev.with_columns(pl.when(fast).then(None).otherwise(shape_reason).alias("shape_reason"),
                         fast.alias("fast")).collect()
    # The Verhoeff check of codes in no list: once per distinct code, not per row.
    unlisted = ev.filter(~pl.col("fast") & pl.col("shape_reason").is_null() & pl.col("listed").is_null())["snomedct_code"].unique()
    checks = pl.DataFrame({"snomedct_code": unlisted, "other_ok": [verhoeff_ok(c) for c in unlisted]},
                          schema={"snomedct_code": pl.String, "other_ok": pl.Boolean})
    ev = ev.join(checks, on="snomedct_code", how="left")
    ev = ev.with_columns(pl.when(pl.col("fast")).then(None)
                         .when(pl.col("shape_reason").is_not_null()).then(pl.col("shape_reason"))
                         .when(~pl.coalesce("check_ok", "other_ok")).then(6)
                         .when(pl.col("pid").is_null()).then(8).alias("reason"))
    ev_counts = dict(ev.group_by("reason").len().iter_rows())
    used = ev.filter(pl.col("reason").is_null() & pl.col("listed").fill_null(False)
                     & (pl.col("d") >= pl.col("dob")) & (pl.col("d") <= D))
    aggs = ([pl.col("d").filter(pl.col(c)).max().alias(c) for c in LATEST]
            + [pl.col("d").filter(pl.col("can")).min().alias("can")]
            + [pl.col(c).any().alias(c) for c in EVER])
    feat = used.group_by("pid").agg(aggs)
    del ev, used

    # medications.csv
    med = read(table_file(extract, "medications"), ["patient_id", "date", "dmd_code"])
    med = (med.join(idx, on="patient_id", how="left")
              .join(rx.lazy().with_columns(pl.lit(True).alias("listed")), left_on="dmd_code", right_on="code", how="left")
              .with_columns(pl.col("date").str.to_date("%Y-%m-%d", strict=False).alias("d")))
    med_reason = (pl.when(pl.col("patient_id").is_null() | pl.col("date").is_null() | pl.col("dmd_code").is_null()).then(3)
                  .when(~pl.col("patient_id").str.contains(r"^[A-Za-z0-9_-]{1,64}$") | ~date_ok
                        | ~pl.col("dmd_code").str.contains(r"^[1-9][0-9]{5,17}$")).then(4)
                  .when(pl.col("pid").is_null()).then(8))
    # The fast path still checks the dm+d shape: a joined patient says nothing about the code.
    med = med.with_columns(pl.when(pl.col("pid").is_not_null() & date_ok
                                   & (pl.col("listed").is_not_null() | pl.col("dmd_code").str.contains(r"^[1-9][0-9]{5,17}$")))
                           .then(None).otherwise(med_reason).alias("reason")).collect()
    med_counts = dict(med.group_by("reason").len().iter_rows())
    m12, m6 = months_ago(D, 12), months_ago(D, 6)
    rxf = (med.filter(pl.col("reason").is_null() & pl.col("listed").fill_null(False)
                      & (pl.col("d") >= pl.col("dob")) & (pl.col("d") <= D))
              .group_by("pid").agg((pl.col("asthma_rx") & (pl.col("d") > m12)).any().alias("asthma_rx_12m"),
                                   (pl.col("antiepileptic_rx") & (pl.col("d") > m6)).any().alias("antiepileptic_rx_6m")))
    del med

    # Registers (rules.md s1), as in bench/sql/05_flags.sql.
    f = pop.join(feat, on="pid", how="left").join(rxf, on="pid", how="left")
    keeps = lambda dx, res: pl.col(dx).is_not_null() & (pl.col(res).is_null() | (pl.col(dx) >= pl.col(res)))  # noqa: E731
    strict = lambda dx, res: pl.col(dx).is_not_null() & (pl.col(res).is_null() | (pl.col(dx) > pl.col(res)))  # noqa: E731
    ever = lambda c: pl.col(c).fill_null(False)  # noqa: E731
    a = pl.col("age")
    regs = {
        "reg_hyp": keeps("hyp", "hypres"), "reg_copd": keeps("copd", "copdres"), "reg_smi": ever("mh"),
        "reg_can": (pl.col("can") >= dt.date(2003, 4, 1)).fill_null(False), "reg_ld": ever("ld"),
        "reg_dm": (a >= 17) & keeps("dm", "dmres"),
        "reg_ast": (a >= 6) & ever("asthma_rx_12m") & strict("ast", "astres"),
        "reg_af": ever("afib"), "reg_chd": ever("chd"), "reg_hf": keeps("hf", "hfres"), "reg_stia": ever("stia"),
        "reg_ckd": (a >= 18) & keeps("ckd", "ckdres"), "reg_dem": ever("dem"),
        "reg_ep": (a >= 18) & ever("antiepileptic_rx_6m") & strict("epil", "epilres"),
        "reg_pad": ever("pad"), "reg_ra": (a >= 16) & ever("rarth"), "reg_ost": (a >= 50) & ever("osteo"),
        "reg_dep": (a >= 18) & (pl.col("depr") >= dt.date(2006, 4, 1)).fill_null(False) & strict("depr", "depres"),
        "reg_pc": (pl.col("palcare") >= dt.date(2008, 4, 1)).fill_null(False) & keeps("palcare", "palcareni"),
    }
    f = f.select("practice_code", "age", **regs)
    min_age = {}
    with open(Path(ref) / "measures" / "prevalence.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["measure"] in regs:
                min_age[r["measure"]] = int(r["denominator_min_age"])
    frames = []
    for m, age_min in min_age.items():
        frames.append(f.filter(pl.col("age") >= age_min).group_by("practice_code")
                      .agg(pl.col(m).sum().alias("numerator"), pl.len().alias("denominator"))
                      .select(pl.lit(m).alias("measure"), pl.col("practice_code").alias("practice"),
                              "numerator", "denominator"))
    pl.concat(frames).sort("measure", "practice").write_csv(out / "prevalence.csv")

    def row(name, counts, accepted):
        return [name, accepted] + [counts.get(r, 0) for r in (3, 4, 5, 6, 7, 8)]

    with open(out / "counts.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["table", "rows_accepted", "missing_required", "invalid_value", "invalid_nhs_number",
                    "invalid_snomed_check_digit", "duplicate_patient_id", "unknown_patient_id"])
        w.writerow(row("patients", pat_counts, pat_counts["accepted"]))
        w.writerow(row("clinical_events", ev_counts, ev_counts.get(None, 0)))
        w.writerow(row("medications", med_counts, med_counts.get(None, 0)))
