-- 03_events.sql: clinical_events.csv, read once. Each row is validated (contract reasons 1 for a
-- malformed quote, 3, 4, 6, 8; the reader's rejects give 1 and 2), joined to its
-- accepted patient and to the code lists, and kept in compact columns; then aggregated per patient
-- into what the rules need. Only "used" events count: accepted, date of birth <= date <= D.
-- Placeholders: ${EVENTS}, ${EVENTS_COLUMNS}, ${AS_OF}.

-- The patients' file order (first valid duplicate wins) is settled; DuckDB may reorder from here.
SET preserve_insertion_order = false;
-- DuckDB cannot estimate a CSV file's rows before reading it, and otherwise builds its hash joins on
-- the event stream (memory growing with events, out of memory at 1.2M patients) instead of on the
-- small patient and code tables. Keep each join's build side as written: the right-hand table.
SET disabled_optimizers = 'build_side_probe_side';

CREATE MACRO m_ago(n) AS CAST(DATE '${AS_OF}' - to_months(n) AS DATE);   -- D - n months, clamped

-- One row per record. reason: the contract's reason number (1 field_count, 3 missing_required,
-- 4 invalid_value, 6 invalid_snomed_check_digit, 8 unknown_patient_id), NULL when accepted.
-- pid, d, v and code_id are kept only for used events whose code is in a list the SQL needs.
--
-- Read as 02_patients.sql reads: quoting off (a record is its line), values as they stand. A row
-- whose id joined to an accepted patient needs no id shape check, and a code that joined to a
-- reference list no code shape check (their shapes were checked once, in 02 and 01); only the
-- date (and a value, when present) is checked on every row. A row with a value that fails its
-- raw shape (rare: a defect, or a value the contract would trim or unquote) keeps its raw text
-- and is decided by ev_rare below, as the contract reads it.
CREATE TABLE ev AS
WITH raw AS (
    SELECT patient_id AS pid_s, date AS d_s, snomedct_code AS c_s, numeric_value AS v_s
    FROM read_csv('${EVENTS}', header = true, auto_detect = false, columns = ${EVENTS_COLUMNS}, delim = ',', quote = '', escape = '',
                  strict_mode = true, ignore_errors = true, store_rejects = true,
                  rejects_table = 'rej_events', rejects_scan = 'rej_scan_events')
), j AS (
    SELECT p.pid, p.dob, c.code_id, r.*, TRY_CAST(r.d_s AS DATE) AS d,
        -- every value has its contract shape as it stands
        (p.pid IS NOT NULL OR regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}'))
          AND regexp_full_match(r.d_s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
          AND (c.code_s IS NOT NULL OR regexp_full_match(r.c_s, '[1-9][0-9]{5,17}'))
          AND (r.v_s IS NULL OR regexp_full_match(r.v_s, '-?[0-9]+(\.[0-9]+)?')) AS shaped,
        c.check_ok
    FROM raw r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN ev_codes c ON c.code_s = r.c_s
), k AS (
    SELECT *,
        CASE
            WHEN NOT coalesce(shaped, false) THEN 0     -- decided in ev_rare
            WHEN d IS NULL THEN 4                       -- a date of the right shape that does not exist
            -- reference codes carry a cached check; any other code is checked here
            WHEN NOT CASE WHEN code_id IS NOT NULL OR check_ok IS NOT NULL THEN check_ok ELSE verhoeff_ok(c_s) END THEN 6
            WHEN pid IS NULL THEN 8
        END AS reason
    FROM j
)
SELECT CAST(reason AS TINYINT) AS reason,
       CASE WHEN keep THEN pid END AS pid, CASE WHEN keep THEN d END AS d,
       CASE WHEN keep THEN CAST(v_s AS DOUBLE) END AS v, CASE WHEN keep THEN code_id END AS code_id,
       CASE WHEN reason = 0 THEN pid_s END AS pid_s, CASE WHEN reason = 0 THEN d_s END AS d_s,
       CASE WHEN reason = 0 THEN c_s END AS c_s, CASE WHEN reason = 0 THEN v_s END AS v_s
FROM (SELECT *, reason IS NULL AND code_id IS NOT NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS keep FROM k);

-- The rare rows, read as the contract reads them: spaces trimmed, quoting removed (reason 1 for
-- a malformed quote), every check in the contract's order, joined again on the clean values.
CREATE TABLE ev_rare AS
WITH r AS (
    SELECT cell(pid_s) AS pid_s, cell(d_s) AS d_s, real_date(cell(d_s)) AS d, cell(c_s) AS c_s, cell(v_s) AS v_s,
           bad_cell(pid_s) OR bad_cell(d_s) OR bad_cell(c_s) OR bad_cell(v_s) AS malformed
    FROM ev WHERE reason = 0
), j AS (
    SELECT p.pid, p.dob, c.code_id, r.d, r.v_s,
        CASE
            WHEN r.malformed THEN 1
            WHEN r.pid_s IS NULL OR r.d_s IS NULL OR r.c_s IS NULL THEN 3
            WHEN NOT regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}') OR r.d IS NULL
              OR NOT regexp_full_match(r.c_s, '[1-9][0-9]{5,17}')
              OR (r.v_s IS NOT NULL AND NOT regexp_full_match(r.v_s, '-?[0-9]+(\.[0-9]+)?'))
                THEN 4
            WHEN NOT CASE WHEN c.code_s IS NOT NULL THEN c.check_ok ELSE verhoeff_ok(r.c_s) END THEN 6
            WHEN p.pid IS NULL THEN 8
        END AS reason
    FROM r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN ev_codes c ON c.code_s = r.c_s
)
SELECT CAST(reason AS TINYINT) AS reason,
       CASE WHEN keep THEN pid END AS pid, CASE WHEN keep THEN d END AS d,
       CASE WHEN keep THEN TRY_CAST(v_s AS DOUBLE) END AS v, CASE WHEN keep THEN code_id END AS code_id
FROM (SELECT *, reason IS NULL AND code_id IS NOT NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS keep FROM j);

CREATE TABLE ev_counts AS
SELECT reason, count(*) AS n FROM (SELECT reason FROM ev WHERE reason IS DISTINCT FROM 0 UNION ALL SELECT reason FROM ev_rare)
GROUP BY reason;

CREATE TABLE ev_used AS
SELECT reason, pid, d, v, code_id FROM ev WHERE pid IS NOT NULL
UNION ALL SELECT * FROM ev_rare WHERE pid IS NOT NULL;
DROP TABLE ev;
DROP TABLE ev_rare;

CREATE TABLE ev_feat AS
SELECT pid,
    -- registers (rules.md s1)
    max(d) FILTER (hyp) AS hyp_dx,        max(d) FILTER (hypres) AS hyp_res,
    max(d) FILTER (copd) AS copd_dx,      max(d) FILTER (copdres) AS copd_res,
    bool_or(mh) AS mh_ever,
    min(d) FILTER (can) AS can_first,
    bool_or(ld) AS ld_ever,
    max(d) FILTER (dm) AS dm_dx,          max(d) FILTER (dmres) AS dm_res,
    max(d) FILTER (ast) AS ast_dx,        max(d) FILTER (astres) AS ast_res,
    bool_or(afib) AS afib_ever,
    bool_or(chd) AS chd_ever,
    max(d) FILTER (hf) AS hf_dx,          max(d) FILTER (hfres) AS hf_res,
    bool_or(stia) AS stia_ever,
    max(d) FILTER (ckd) AS ckd_dx,        max(d) FILTER (ckdres) AS ckd_res,
    bool_or(dem) AS dem_ever,
    max(d) FILTER (epil) AS ep_dx,        max(d) FILTER (epilres) AS ep_res,
    bool_or(pad) AS pad_ever,
    bool_or(rarth) AS rarth_ever,
    bool_or(osteo) AS osteo_ever,
    max(d) FILTER (depr) AS dep_dx,       max(d) FILTER (depres) AS dep_res,
    max(d) FILTER (palcare) AS pc_dx,     max(d) FILTER (palcareni) AS pc_res,
    -- eFI (s7): the 35 code-list deficits as one bit mask
    bit_or(efi_mask) AS efi_mask,
    -- CMS (s8)
    bool_or(alc) AS alc_ever,
    bool_or(anxdep AND d > m_ago(12)) AS anxdep_12m,
    bool_or(ctd) AS ctd_ever,
    bool_or(hearing) AS hearing_ever,
    bool_or(ibs) AS ibs_ever
FROM ev_used JOIN ev_codes USING (code_id)
GROUP BY pid;

-- Clinic blood pressure (s3): per day the lowest systolic and diastolic in range; the latest day
-- with both.
CREATE TABLE bp AS
WITH daily AS (
    SELECT pid, d,
           min(v) FILTER (clinic_sys AND v BETWEEN 40 AND 300) AS s,
           min(v) FILTER (clinic_dia AND v BETWEEN 20 AND 200) AS di
    FROM ev_used JOIN ev_codes USING (code_id)
    WHERE clinic_sys OR clinic_dia
    GROUP BY pid, d
)
SELECT pid, max(d) AS bp_date, arg_max(s, d) AS bp_sys, arg_max(di, d) AS bp_dia
FROM daily WHERE s IS NOT NULL AND di IS NOT NULL
GROUP BY pid;

-- eGFR (CMS CKD): the two most recent values, same date: the lower first.
CREATE TABLE egfr AS
SELECT pid, max(v) FILTER (rn = 1) AS egfr_1, max(v) FILTER (rn = 2) AS egfr_2
FROM (SELECT pid, v, row_number() OVER (PARTITION BY pid ORDER BY d DESC, v ASC) AS rn
      FROM ev_used JOIN ev_codes USING (code_id) WHERE egfr AND v IS NOT NULL)
WHERE rn <= 2
GROUP BY pid;
