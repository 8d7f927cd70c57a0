-- 03_events.sql: clinical_events.csv in one streaming pass: each row validated (contract
-- reasons 3, 4, 6, 8), joined to its accepted patient and to the code lists, and aggregated per
-- patient into what the rules need. Only "used" events count (date of birth <= date <= D).
-- Placeholders: ${EVENTS}, ${AS_OF}.

CREATE MACRO m_ago(n) AS CAST(DATE '${AS_OF}' - to_months(n) AS DATE);   -- D - n months, clamped

CREATE TEMP TABLE ev_feat AS
WITH raw AS (
    SELECT regexp_matches(concat_ws(',', patient_id, date, snomedct_code, numeric_value), '[\r\n]') AS nl,
           nullif(trim(patient_id), '') AS pid_s, nullif(trim(date), '') AS d_s,
           real_date(nullif(trim(date), '')) AS d,
           nullif(trim(snomedct_code), '') AS c_s, nullif(trim(numeric_value), '') AS v_s
    FROM read_csv('${EVENTS}', header = true, auto_detect = false, columns = ${EVENTS_COLUMNS}, delim = ',', quote = '"', escape = '"',
                  strict_mode = true, ignore_errors = true, store_rejects = true,
                  rejects_table = 'rej_events', rejects_scan = 'rej_scan_events')
), j AS (
    SELECT p.pid, p.dob, c.*, TRY_CAST(r.v_s AS DOUBLE) AS v, r.d,
        CASE
            WHEN r.nl THEN 'field_count'    -- a newline inside a quoted field
            WHEN r.pid_s IS NULL OR r.d_s IS NULL OR r.c_s IS NULL THEN 'missing_required'
            WHEN NOT regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}') OR r.d IS NULL
              OR NOT regexp_full_match(r.c_s, '[1-9][0-9]{5,17}')
              OR (r.v_s IS NOT NULL AND NOT regexp_full_match(r.v_s, '-?[0-9]+(\.[0-9]+)?'))
                THEN 'invalid_value'
            -- reference codes carry a cached check; any other code is checked here
            WHEN NOT CASE WHEN c.code_s IS NOT NULL THEN c.check_ok ELSE verhoeff_ok(r.c_s) END
                THEN 'invalid_snomed_check_digit'
            WHEN p.pid IS NULL THEN 'unknown_patient_id'
        END AS reason
    FROM raw r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN ev_codes c ON c.code_s = r.c_s
), u AS (
    SELECT *, reason IS NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS used FROM j
)
SELECT pid,
    count(*) AS n_rows,
    count(*) FILTER (reason = 'field_count') AS n_field_count,
    count(*) FILTER (reason = 'missing_required') AS n_missing_required,
    count(*) FILTER (reason = 'invalid_value') AS n_invalid_value,
    count(*) FILTER (reason = 'invalid_snomed_check_digit') AS n_invalid_snomed_check_digit,
    count(*) FILTER (reason = 'unknown_patient_id') AS n_unknown_patient_id,
    -- registers (rules.md s1)
    max(d) FILTER (used AND hyp) AS hyp_dx,        max(d) FILTER (used AND hypres) AS hyp_res,
    max(d) FILTER (used AND copd) AS copd_dx,      max(d) FILTER (used AND copdres) AS copd_res,
    bool_or(used AND mh) AS mh_ever,
    min(d) FILTER (used AND can) AS can_first,
    bool_or(used AND ld) AS ld_ever,
    max(d) FILTER (used AND dm) AS dm_dx,          max(d) FILTER (used AND dmres) AS dm_res,
    max(d) FILTER (used AND ast) AS ast_dx,        max(d) FILTER (used AND astres) AS ast_res,
    bool_or(used AND afib) AS afib_ever,
    bool_or(used AND chd) AS chd_ever,
    max(d) FILTER (used AND hf) AS hf_dx,          max(d) FILTER (used AND hfres) AS hf_res,
    bool_or(used AND stia) AS stia_ever,
    max(d) FILTER (used AND ckd) AS ckd_dx,        max(d) FILTER (used AND ckdres) AS ckd_res,
    bool_or(used AND dem) AS dem_ever,
    max(d) FILTER (used AND epil) AS ep_dx,        max(d) FILTER (used AND epilres) AS ep_res,
    bool_or(used AND pad) AS pad_ever,
    bool_or(used AND rarth) AS rarth_ever,
    bool_or(used AND osteo) AS osteo_ever,
    max(d) FILTER (used AND depr) AS dep_dx,       max(d) FILTER (used AND depres) AS dep_res,
    max(d) FILTER (used AND palcare) AS pc_dx,     max(d) FILTER (used AND palcareni) AS pc_res,
    -- clinic blood pressure (s3): readings with a value in range, as (date, value) lists
    list({'d': d, 'v': v}) FILTER (used AND clinic_sys AND v BETWEEN 40 AND 300) AS sys_list,
    list({'d': d, 'v': v}) FILTER (used AND clinic_dia AND v BETWEEN 20 AND 200) AS dia_list,
    -- eFI (s7): the 35 code-list deficits as one bit mask
    bit_or(efi_mask) FILTER (used) AS efi_mask,
    -- CMS (s8)
    list({'d': d, 'v': v}) FILTER (used AND egfr AND v IS NOT NULL) AS egfr_list,
    bool_or(used AND alc) AS alc_ever,
    bool_or(used AND anxdep AND d > m_ago(12)) AS anxdep_12m,
    bool_or(used AND ctd) AS ctd_ever,
    bool_or(used AND hearing) AS hearing_ever,
    bool_or(used AND ibs) AS ibs_ever
FROM u
GROUP BY pid;
