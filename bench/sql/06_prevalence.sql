-- 06_prevalence.sql: per-practice numerator and denominator of every measure of
-- reference/measures/prevalence.csv (rules.md s11): denominator = population aged at least the
-- measure's minimum age (and, for core20, with a known IMD decile); numerator = those in the
-- denominator for whom the numerator holds ("value=a|b" for a categorical value).

CREATE TABLE measure_values AS
UNPIVOT (
    SELECT pid, practice_code, age, imd_decile,
           reg_hyp, reg_copd, reg_smi, reg_can, reg_ld, reg_dm, reg_ast, reg_af, reg_chd, reg_hf,
           reg_stia, reg_ckd, reg_dem, reg_ep, reg_pad, reg_ra, reg_ost, reg_dep, reg_pc,
           multimorbid, core20,
           efi_category IN ('moderate', 'severe') AS "efi_category=moderate|severe"
    FROM flags
) ON COLUMNS(* EXCLUDE (pid, practice_code, age, imd_decile)) INTO NAME numerator VALUE holds;

CREATE TABLE prevalence AS
SELECT m.measure, v.practice_code AS practice,
       count(*) FILTER (v.holds) AS numerator,
       count(*) AS denominator
FROM measures m
JOIN measure_values v ON v.numerator = m.numerator
WHERE v.age >= m.min_age AND (m.denominator_known IS NULL OR v.imd_decile IS NOT NULL)
GROUP BY ALL;
