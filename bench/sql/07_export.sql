-- 07_export.sql: write the results (what Stratify writes as patients.csv and the prevalence
-- files) and the ingest counts. Placeholder: ${OUT}.

COPY (
    SELECT f.patient_id, f.practice_code, f.age, f.sex, f.imd_decile, f.core20,
           f.reg_hyp, f.reg_copd, f.reg_smi, f.reg_can, f.reg_ld, f.reg_dm, f.reg_ast, f.reg_af, f.reg_chd,
           f.reg_hf, f.reg_stia, f.reg_ckd, f.reg_dem, f.reg_ep, f.reg_pad, f.reg_ra, f.reg_ost, f.reg_dep,
           f.reg_pc, f.ltc_count, f.multimorbid, f.complex_multimorbid,
           f.bp_sys, f.bp_dia, f.bp_date, f.htn_controlled, f.htn_uncontrolled, f.htn_no_recent_bp,
           f.htn_case_finding, f.htn_case_finding_tier, f.bp_check_gap,
           f.efi_deficits, f.efi, f.efi_category, c.cms_score, c.cms_conditions
    FROM flags f JOIN cms c USING (pid) ORDER BY f.patient_id
) TO '${OUT}/patients.csv' (HEADER, DELIMITER ',');

COPY (SELECT * FROM prevalence ORDER BY measure, practice) TO '${OUT}/prevalence.csv' (HEADER, DELIMITER ',');

-- Rows read, accepted and quarantined by reason, per table. The reader's rejects are records
-- (distinct lines): INVALID ENCODING is invalid_utf8, every other reject is field_count; a
-- newline inside a quoted field is added to field_count by the SQL. Blank lines are skipped by
-- DuckDB's reader without a reject, so rows_read and field_count miss them (docs/peer-comparison.md).
CREATE MACRO rejects(t, utf8) AS TABLE
    SELECT count(DISTINCT line) FILTER ((error_type = 'INVALID ENCODING') = utf8) AS n FROM query_table(t);

CREATE MACRO n_reason(t, r) AS (SELECT coalesce(sum(n), 0) FROM query_table(t) WHERE reason IS NOT DISTINCT FROM r);

COPY (
    SELECT 'patients' AS "table",
           (SELECT count(*) FROM pat_final) + (SELECT n FROM rejects('rej_patients', false))
             + (SELECT n FROM rejects('rej_patients', true)) AS rows_read,
           (SELECT count(*) FROM pat_final WHERE final_reason IS NULL) AS rows_accepted,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'field_count')
             + (SELECT n FROM rejects('rej_patients', false)) AS field_count,
           (SELECT n FROM rejects('rej_patients', true)) AS invalid_utf8,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'missing_required') AS missing_required,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'invalid_value') AS invalid_value,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'invalid_nhs_number') AS invalid_nhs_number,
           0 AS invalid_snomed_check_digit,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'duplicate_patient_id') AS duplicate_patient_id,
           0 AS unknown_patient_id
    UNION ALL
    SELECT 'clinical_events',
           (SELECT sum(n) FROM ev_counts) + (SELECT n FROM rejects('rej_events', false))
             + (SELECT n FROM rejects('rej_events', true)),
           n_reason('ev_counts', NULL),
           n_reason('ev_counts', 1) + (SELECT n FROM rejects('rej_events', false)),
           (SELECT n FROM rejects('rej_events', true)),
           n_reason('ev_counts', 3), n_reason('ev_counts', 4), 0, n_reason('ev_counts', 6), 0,
           n_reason('ev_counts', 8)
    UNION ALL
    SELECT 'medications',
           (SELECT sum(n) FROM rx_counts) + (SELECT n FROM rejects('rej_medications', false))
             + (SELECT n FROM rejects('rej_medications', true)),
           n_reason('rx_counts', NULL),
           n_reason('rx_counts', 1) + (SELECT n FROM rejects('rej_medications', false)),
           (SELECT n FROM rejects('rej_medications', true)),
           n_reason('rx_counts', 3), n_reason('rx_counts', 4), 0, 0, 0, n_reason('rx_counts', 8)
) TO '${OUT}/counts.csv' (HEADER, DELIMITER ',');
