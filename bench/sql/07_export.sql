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

-- Rows read, accepted and quarantined by reason, per table. Reasons 1-2 are the reader's rejects.
COPY (
    WITH pr AS (SELECT count(*) AS n FROM rej_patients),
         er AS (SELECT count(*) AS n FROM rej_events),
         mr AS (SELECT count(*) AS n FROM rej_medications)
    SELECT 'patients' AS "table", (SELECT count(*) FROM pat_final) + (SELECT n FROM pr) AS rows_read,
           (SELECT count(*) FROM pat_final WHERE final_reason IS NULL) AS rows_accepted,
           (SELECT n FROM pr) AS reader_rejects,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'missing_required') AS missing_required,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'invalid_value') AS invalid_value,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'invalid_nhs_number') AS invalid_nhs_number,
           0 AS invalid_snomed_check_digit,
           (SELECT count(*) FROM pat_final WHERE final_reason = 'duplicate_patient_id') AS duplicate_patient_id,
           0 AS unknown_patient_id
    UNION ALL
    SELECT 'clinical_events', sum(n_rows) + (SELECT n FROM er),
           sum(n_rows) - sum(n_missing_required + n_invalid_value + n_invalid_snomed_check_digit + n_unknown_patient_id),
           (SELECT n FROM er), sum(n_missing_required), sum(n_invalid_value), 0,
           sum(n_invalid_snomed_check_digit), 0, sum(n_unknown_patient_id)
    FROM ev_feat
    UNION ALL
    SELECT 'medications', sum(n_rows) + (SELECT n FROM mr),
           sum(n_rows) - sum(n_missing_required + n_invalid_value + n_unknown_patient_id),
           (SELECT n FROM mr), sum(n_missing_required), sum(n_invalid_value), 0, 0, 0, sum(n_unknown_patient_id)
    FROM rx_feat
) TO '${OUT}/counts.csv' (HEADER, DELIMITER ',');
