-- 05_flags.sql: per population member, the registers (rules.md s1), hypertension (s3), eFI (s7)
-- and CMS (s8), as stratify-v1.rules defines them. Placeholder: ${AS_OF}.

CREATE MACRO y_ago(n) AS m_ago(12 * n);
-- in_last(date, window start): after the start and not after D (null date: false)
CREATE MACRO in_last(dt, start) AS coalesce(dt > start AND dt <= DATE '${AS_OF}', false);
-- register with resolution: "keeps" (tie keeps membership, >=) or "strict" (>)
CREATE MACRO reg_keeps(dx, res) AS dx IS NOT NULL AND (res IS NULL OR dx >= res);
CREATE MACRO reg_strict(dx, res) AS dx IS NOT NULL AND (res IS NULL OR dx > res);

CREATE TABLE flags AS
WITH bp AS (
    SELECT p.pid, p.patient_id, p.practice_code, p.age, p.sex, p.imd_decile,
           e.* EXCLUDE (pid), r.* EXCLUDE (pid), x.distinct_rx_12m,
           b.bp_date, b.bp_sys, b.bp_dia, g.egfr_1, g.egfr_2
    FROM pop p
    LEFT JOIN ev_feat e ON e.pid = p.pid
    LEFT JOIN rx_feat r ON r.pid = p.pid
    LEFT JOIN rx_distinct x ON x.pid = p.pid
    LEFT JOIN bp b ON b.pid = p.pid
    LEFT JOIN egfr g ON g.pid = p.pid
), reg AS (
    SELECT *,
        reg_keeps(hyp_dx, hyp_res) AS reg_hyp,
        reg_keeps(copd_dx, copd_res) AS reg_copd,
        coalesce(mh_ever, false) AS reg_smi,
        coalesce(can_first >= DATE '2003-04-01', false) AS reg_can,
        coalesce(ld_ever, false) AS reg_ld,
        age >= 17 AND reg_keeps(dm_dx, dm_res) AS reg_dm,
        age >= 6 AND coalesce(asthma_rx_12m, false) AND reg_strict(ast_dx, ast_res) AS reg_ast,
        coalesce(afib_ever, false) AS reg_af,
        coalesce(chd_ever, false) AS reg_chd,
        reg_keeps(hf_dx, hf_res) AS reg_hf,
        coalesce(stia_ever, false) AS reg_stia,
        age >= 18 AND reg_keeps(ckd_dx, ckd_res) AS reg_ckd,
        coalesce(dem_ever, false) AS reg_dem,
        age >= 18 AND coalesce(antiepileptic_rx_6m, false) AND reg_strict(ep_dx, ep_res) AS reg_ep,
        coalesce(pad_ever, false) AS reg_pad,
        age >= 16 AND coalesce(rarth_ever, false) AS reg_ra,
        age >= 50 AND coalesce(osteo_ever, false) AS reg_ost,
        age >= 18 AND coalesce(dep_dx >= DATE '2006-04-01', false) AND reg_strict(dep_dx, dep_res) AS reg_dep,
        coalesce(pc_dx >= DATE '2008-04-01', false) AND reg_keeps(pc_dx, pc_res) AS reg_pc,
        in_last(can_first, y_ago(5)) AS can_5y,
        in_last(bp_date, m_ago(12)) AS bp_12m,
        in_last(bp_date, y_ago(5)) AS bp_5y
    FROM bp
), f AS (
    SELECT *,
        CAST(reg_hyp AS INTEGER) + CAST(reg_copd AS INTEGER) + CAST(reg_smi AS INTEGER)
          + CAST(reg_can AND can_5y AS INTEGER) + CAST(reg_ld AS INTEGER) + CAST(reg_dm AS INTEGER)
          + CAST(reg_ast AS INTEGER) + CAST(reg_af AS INTEGER) + CAST(reg_chd AS INTEGER)
          + CAST(reg_hf AS INTEGER) + CAST(reg_stia AS INTEGER) + CAST(reg_ckd AS INTEGER)
          + CAST(reg_dem AS INTEGER) + CAST(reg_ep AS INTEGER) + CAST(reg_pad AS INTEGER)
          + CAST(reg_ra AS INTEGER) + CAST(reg_ost AS INTEGER) + CAST(reg_dep AS INTEGER) AS ltc_count,
        CASE WHEN imd_decile IS NOT NULL THEN imd_decile <= 2 END AS core20,
        -- hypertension (s3): 140/90 under 80, 150/90 at 80 and over
        coalesce(CASE WHEN age < 80 THEN bp_sys <= 140 AND bp_dia <= 90
                      ELSE bp_sys <= 150 AND bp_dia <= 90 END, false) AS bp_at_target,
        coalesce(CASE WHEN age < 80 THEN bp_sys >= 140 OR bp_dia >= 90
                      ELSE bp_sys >= 150 OR bp_dia >= 90 END, false) AS bp_raised,
        -- eFI deficits: 35 code lists ever, plus polypharmacy (>= 5 distinct dm+d codes in 12 months)
        bit_count(coalesce(efi_mask, 0)) + CAST(coalesce(distinct_rx_12m, 0) >= 5 AS INTEGER) AS efi_count,
        -- CMS conditions (s8), one column each, named as in reference/scores/cms-weights.csv
        coalesce(dem_ever, false) AS cms_c_dementia,
        can_5y AS cms_c_cancer,
        copd_dx IS NOT NULL AS cms_c_copd,
        coalesce(afib_ever, false) AS cms_c_af,
        hf_dx IS NOT NULL AS cms_c_heart_failure,
        coalesce(laxative_rx_n12m, 0) >= 4 AS cms_c_constipation,
        coalesce(analgesic_rx_n12m, 0) >= 4 OR (coalesce(antiepileptic_rx_n12m, 0) >= 4 AND ep_dx IS NULL) AS cms_c_painful,
        ep_dx IS NOT NULL AND coalesce(antiepileptic_rx_n12m, 0) >= 1 AS cms_c_epilepsy,
        coalesce(stia_ever, false) AS cms_c_stroke_tia,
        dm_dx IS NOT NULL AS cms_c_diabetes,
        coalesce(alc_ever, false) AS cms_c_alcohol,
        coalesce(mh_ever, false) OR coalesce(lithium_ever, false) AS cms_c_schizophrenia_bipolar,
        coalesce(egfr_1 < 60 AND egfr_2 < 60, false) AS cms_c_ckd,
        coalesce(anxdep_12m, false) OR coalesce(antidep_anxio_rx_n12m, 0) >= 4 AS cms_c_anxiety_depression,
        coalesce(chd_ever, false) AS cms_c_chd,
        coalesce(rarth_ever, false) OR coalesce(ctd_ever, false) AS cms_c_ra_ctd,
        coalesce(ibs_ever, false) OR coalesce(antispasmodic_rx_n12m, 0) >= 4 AS cms_c_ibs,
        ast_dx IS NOT NULL AND coalesce(cms_asthma_rx_12m, false) AS cms_c_asthma,
        coalesce(hearing_ever, false) AS cms_c_hearing_loss,
        hyp_dx IS NOT NULL AS cms_c_hypertension
    FROM reg
)
SELECT f.*,
    ltc_count >= 2 AS multimorbid,
    ltc_count >= 4 AS complex_multimorbid,
    reg_hyp AND bp_12m AND bp_at_target AS htn_controlled,
    reg_hyp AND bp_12m AND NOT bp_at_target AS htn_uncontrolled,
    reg_hyp AND NOT bp_12m AS htn_no_recent_bp,
    age >= 18 AND hyp_dx IS NULL AND hyp_res IS NULL AND bp_5y AND bp_raised AS htn_case_finding,
    CASE WHEN age >= 18 AND hyp_dx IS NULL AND hyp_res IS NULL AND bp_5y AND bp_raised THEN
        CASE WHEN bp_sys >= 180 OR bp_dia >= 120 THEN 'severe'
             WHEN bp_sys >= 160 OR bp_dia >= 100 THEN 'stage2' ELSE 'stage1' END END AS htn_case_finding_tier,
    age >= 45 AND NOT bp_5y AS bp_check_gap,
    -- eFI: age >= minimum (65); category on the integer count: fit 0-4, mild 5-8, moderate 9-12, severe 13+
    CASE WHEN age >= e.min_age THEN efi_count END AS efi_deficits,
    CASE WHEN age >= e.min_age THEN CAST(efi_count AS DOUBLE) / e.deficits END AS efi,
    CASE WHEN age >= e.min_age THEN
        CASE WHEN efi_count <= 4 THEN 'fit' WHEN efi_count <= 8 THEN 'mild'
             WHEN efi_count <= 12 THEN 'moderate' ELSE 'severe' END END AS efi_category
FROM f, efi_params e;

-- CMS score: the weights (reference/scores/cms-weights.csv, general outcome) of the conditions
-- present, summed exactly (DECIMAL); cms_conditions counts them.
CREATE TABLE cms AS
SELECT pid, sum(CASE WHEN present THEN w.weight ELSE 0 END) AS cms_score,
       count(*) FILTER (present) AS cms_conditions
FROM (UNPIVOT (SELECT pid, COLUMNS('^cms_c_') FROM flags) ON COLUMNS('^cms_c_') INTO NAME value VALUE present) u
JOIN cms_weights w USING (value)
GROUP BY pid;
