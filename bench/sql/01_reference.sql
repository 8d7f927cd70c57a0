-- 01_reference.sql: the code lists, eFI deficits, CMS weights, IMD deciles and measures, loaded
-- from reference/ exactly as the rule set reference/rules/stratify-v1.rules names them.
-- Placeholders filled by bench/duckdb-compare: ${REF} (reference folder), ${AS_OF}.

-- Verhoeff check digit (SNOMED CT), over a string of digits: the fold of the dihedral-group
-- tables d and p from the last digit back; valid when it ends at 0. Element i*10+digit carries
-- the position i (from the right) and the digit.
CREATE MACRO verhoeff_ok(s) AS list_reduce(
    list_transform(range(length(s)), lambda i: i * 10 + CAST(substr(s, length(s) - i, 1) AS INTEGER)),
    lambda c, x: [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],
                  [4,0,1,2,3,9,5,6,7,8],[5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],
                  [8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]]
        [c + 1][[[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],
                 [9,4,5,3,1,2,6,8,7,0],[4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]]
                [(x // 10) % 8 + 1][x % 10 + 1] + 1],
    0) = 0;

-- Every code list file under reference/codelists (small), with the file it came from.
CREATE TABLE list_rows AS
SELECT replace(filename, '${REF}/', '') AS path, trim(code) AS code, TRY_CAST(trim(grade) AS DOUBLE) AS grade
FROM read_csv('${REF}/codelists/**/*.csv', union_by_name = true, filename = true, all_varchar = true, header = true, delim = ',', quote = '"');

-- The rule set's lists (name = path), as in stratify-v1.rules. kind: event (SNOMED CT) or drug (dm+d).
CREATE TABLE list_files(list VARCHAR, kind VARCHAR, path VARCHAR);
INSERT INTO list_files VALUES
    ('HYP_COD', 'event', 'codelists/hyp_cod.csv'),
    ('HYPRES_COD', 'event', 'codelists/hypres_cod.csv'),
    ('COPD_COD', 'event', 'codelists/copd_cod.csv'),
    ('COPDRES_COD', 'event', 'codelists/copdres_cod.csv'),
    ('MH_COD', 'event', 'codelists/mh_cod.csv'),
    ('CAN_COD', 'event', 'codelists/cancer.csv'),
    ('LD_COD', 'event', 'codelists/ld_cod.csv'),
    ('DM_COD', 'event', 'codelists/dm_cod.csv'),
    ('DMRES_COD', 'event', 'codelists/dmres_cod.csv'),
    ('AST_COD', 'event', 'codelists/ast_cod.csv'),
    ('ASTRES_COD', 'event', 'codelists/astres_cod.csv'),
    ('AFIB_COD', 'event', 'codelists/afib_cod.csv'),
    ('CHD_COD', 'event', 'codelists/chd_cod.csv'),
    ('HF_COD', 'event', 'codelists/hf_cod.csv'),
    ('HFRES_COD', 'event', 'codelists/hfres_cod.csv'),
    ('STIA_COD', 'event', 'codelists/strk_cod.csv'),        -- STIA_COD = STRK_COD | TIA_COD
    ('STIA_COD', 'event', 'codelists/tia_cod.csv'),
    ('CKD_COD', 'event', 'codelists/ckd_cod.csv'),
    ('CKDRES_ALL', 'event', 'codelists/ckd1and2_cod.csv'),  -- CKDRES_ALL = CKD1AND2_COD | CKDRES_COD
    ('CKDRES_ALL', 'event', 'codelists/ckdres_cod.csv'),
    ('DEM_COD', 'event', 'codelists/dem_cod.csv'),
    ('EPIL_COD', 'event', 'codelists/epil_cod.csv'),
    ('EPILRES_COD', 'event', 'codelists/epilres_cod.csv'),
    ('PAD_COD', 'event', 'codelists/pad_cod.csv'),
    ('RARTH_COD', 'event', 'codelists/rarth_cod.csv'),
    ('OSTEO_COD', 'event', 'codelists/osteo_cod.csv'),
    ('DEPR_COD', 'event', 'codelists/depr_cod.csv'),
    ('DEPRES_COD', 'event', 'codelists/depres_cod.csv'),
    ('PALCARE_COD', 'event', 'codelists/palcare_cod.csv'),
    ('PALCARENI_COD', 'event', 'codelists/palcareni_cod.csv'),
    ('SYSBP', 'event', 'codelists/sysbp.csv'),              -- CLINIC_SYS = SYSBP - HOMEBP_COD (below)
    ('DIASBP', 'event', 'codelists/diasbp.csv'),            -- CLINIC_DIA = DIASBP - HOMEBP_COD
    ('HOMEBP_COD', 'event', 'codelists/home_bp.csv'),
    ('EGFR_COD', 'event', 'codelists/egfr.csv'),
    ('ALC_PROBLEMS_COD', 'event', 'codelists/cms/alcohol_problems.csv'),
    ('ANX_DEP_COD', 'event', 'codelists/cms/anxiety_depression.csv'),
    ('CTD_COD', 'event', 'codelists/cms/connective_tissue_disorder.csv'),
    ('HEARING_COD', 'event', 'codelists/cms/hearing_loss.csv'),
    ('IBS_COD', 'event', 'codelists/cms/ibs.csv'),
    ('ASTHMA_RX', 'drug', 'codelists/dmd/asthma_treatment_qof.csv'),
    ('ANTIEPILEPTIC_RX', 'drug', 'codelists/dmd/bnf_antiepileptics.csv'),
    ('LAXATIVE_RX', 'drug', 'codelists/dmd/bnf_laxatives.csv'),
    ('ANALGESIC_RX', 'drug', 'codelists/dmd/bnf_analgesics.csv'),
    ('ANTIDEP_ANXIO_RX', 'drug', 'codelists/dmd/bnf_antidepressants.csv'),   -- union of two files
    ('ANTIDEP_ANXIO_RX', 'drug', 'codelists/dmd/bnf_anxiolytics_hypnotics.csv'),
    ('ANTISPASMODIC_RX', 'drug', 'codelists/dmd/bnf_antispasmodics.csv'),
    ('CMS_ASTHMA_RX', 'drug', 'codelists/dmd/bnf_asthma.csv'),
    ('LITHIUM_RX', 'drug', 'codelists/dmd/lithium.csv');

-- eFI deficits, data-driven from reference/scores/efi-deficits.csv: deficit k (0-based, file
-- order) is bit k of a per-code mask. Polypharmacy (code_list empty or not a file) is apart.
CREATE TABLE efi_deficits AS
SELECT value, code_list, CAST(row_number() OVER () - 1 AS INTEGER) AS bit
FROM read_csv('${REF}/scores/efi-deficits.csv', all_varchar = true, header = true, delim = ',', quote = '"')
WHERE code_list LIKE 'codelists/%';

CREATE TABLE efi_params AS
SELECT max(CASE WHEN parameter = 'minimum_age' THEN CAST(value AS INTEGER) END) AS min_age,
       max(CASE WHEN parameter = 'deficits' THEN CAST(value AS INTEGER) END) AS deficits
FROM read_csv('${REF}/scores/efi-parameters.csv', all_varchar = true, header = true, delim = ',', quote = '"');

CREATE TABLE cms_weights AS
SELECT value, CAST(weight AS DECIMAL(6, 2)) AS weight
FROM read_csv('${REF}/scores/cms-weights.csv', all_varchar = true, header = true, delim = ',', quote = '"');

-- One row per SNOMED CT code found in any reference list: whether its check digit is valid (a
-- cache for the per-row Verhoeff check), which rule lists hold it, and its eFI deficit mask.
CREATE TABLE ev_codes AS
WITH member AS (
    SELECT f.list, r.code FROM list_rows r JOIN list_files f USING (path) WHERE f.kind = 'event'
), efi AS (
    SELECT r.code, bit_or(CAST(1 AS BIGINT) << e.bit) AS efi_mask
    FROM list_rows r JOIN efi_deficits e ON r.path = e.code_list GROUP BY r.code
), all_codes AS (
    SELECT DISTINCT code FROM list_rows
    WHERE regexp_full_match(code, '[1-9][0-9]{5,17}') AND path NOT LIKE 'codelists/dmd/%'
)
SELECT a.code AS code_s,
       CAST(row_number() OVER (ORDER BY a.code) AS INTEGER) AS code_id,
       verhoeff_ok(a.code) AS check_ok,
       coalesce(efi.efi_mask, 0) AS efi_mask,
       bool_or(m.list = 'HYP_COD') AS hyp,          bool_or(m.list = 'HYPRES_COD') AS hypres,
       bool_or(m.list = 'COPD_COD') AS copd,        bool_or(m.list = 'COPDRES_COD') AS copdres,
       bool_or(m.list = 'MH_COD') AS mh,            bool_or(m.list = 'CAN_COD') AS can,
       bool_or(m.list = 'LD_COD') AS ld,
       bool_or(m.list = 'DM_COD') AS dm,            bool_or(m.list = 'DMRES_COD') AS dmres,
       bool_or(m.list = 'AST_COD') AS ast,          bool_or(m.list = 'ASTRES_COD') AS astres,
       bool_or(m.list = 'AFIB_COD') AS afib,        bool_or(m.list = 'CHD_COD') AS chd,
       bool_or(m.list = 'HF_COD') AS hf,            bool_or(m.list = 'HFRES_COD') AS hfres,
       bool_or(m.list = 'STIA_COD') AS stia,
       bool_or(m.list = 'CKD_COD') AS ckd,          bool_or(m.list = 'CKDRES_ALL') AS ckdres,
       bool_or(m.list = 'DEM_COD') AS dem,
       bool_or(m.list = 'EPIL_COD') AS epil,        bool_or(m.list = 'EPILRES_COD') AS epilres,
       bool_or(m.list = 'PAD_COD') AS pad,          bool_or(m.list = 'RARTH_COD') AS rarth,
       bool_or(m.list = 'OSTEO_COD') AS osteo,
       bool_or(m.list = 'DEPR_COD') AS depr,        bool_or(m.list = 'DEPRES_COD') AS depres,
       bool_or(m.list = 'PALCARE_COD') AS palcare,  bool_or(m.list = 'PALCARENI_COD') AS palcareni,
       bool_or(m.list = 'SYSBP') AND NOT coalesce(bool_or(m.list = 'HOMEBP_COD'), false) AS clinic_sys,
       bool_or(m.list = 'DIASBP') AND NOT coalesce(bool_or(m.list = 'HOMEBP_COD'), false) AS clinic_dia,
       bool_or(m.list = 'EGFR_COD') AS egfr,
       bool_or(m.list = 'ALC_PROBLEMS_COD') AS alc,  bool_or(m.list = 'ANX_DEP_COD') AS anxdep,
       bool_or(m.list = 'CTD_COD') AS ctd,           bool_or(m.list = 'HEARING_COD') AS hearing,
       bool_or(m.list = 'IBS_COD') AS ibs
FROM all_codes a LEFT JOIN member m ON m.code = a.code LEFT JOIN efi ON efi.code = a.code
GROUP BY a.code, efi.efi_mask;

-- One row per dm+d code of the rule set's drug lists.
CREATE TABLE rx_codes AS
SELECT r.code AS code_s,
       CAST(row_number() OVER (ORDER BY r.code) AS INTEGER) AS drug_id,
       bool_or(f.list = 'ASTHMA_RX') AS asthma_rx,
       bool_or(f.list = 'ANTIEPILEPTIC_RX') AS antiepileptic_rx,
       bool_or(f.list = 'LAXATIVE_RX') AS laxative_rx,
       bool_or(f.list = 'ANALGESIC_RX') AS analgesic_rx,
       bool_or(f.list = 'ANTIDEP_ANXIO_RX') AS antidep_anxio_rx,
       bool_or(f.list = 'ANTISPASMODIC_RX') AS antispasmodic_rx,
       bool_or(f.list = 'CMS_ASTHMA_RX') AS cms_asthma_rx,
       bool_or(f.list = 'LITHIUM_RX') AS lithium_rx
FROM list_rows r JOIN list_files f USING (path) WHERE f.kind = 'drug'
GROUP BY r.code;

-- IMD 2019 deciles by LSOA 2011 (the pipeline's "imd": "2019"); practices; prevalence measures.
-- A 2021 code that is not a 2011 code takes the decile of the 2011 LSOAs whose best fit it is
-- (reference/imd/lsoa11_to_lsoa21.csv read backwards), when they all have one decile
-- (docs/reference-data.md, LSOA vintages).
CREATE TABLE imd AS
WITH i11 AS (
    SELECT lsoa_code, CAST(imd_decile AS INTEGER) AS imd_decile
    FROM read_csv('${REF}/imd/imd2019_lsoa11.csv', all_varchar = true, header = true, delim = ',', quote = '"')
), i21 AS (
    SELECT lsoa_code FROM read_csv('${REF}/imd/imd2025_lsoa21.csv', all_varchar = true, header = true, delim = ',', quote = '"')
), back AS (
    SELECT b.lsoa21_code AS lsoa_code, min(i.imd_decile) AS imd_decile
    FROM read_csv('${REF}/imd/lsoa11_to_lsoa21.csv', all_varchar = true, header = true, delim = ',', quote = '"') b
    JOIN i11 i ON i.lsoa_code = b.lsoa11_code
    WHERE b.lsoa21_code IN (SELECT lsoa_code FROM i21) AND b.lsoa21_code NOT IN (SELECT lsoa_code FROM i11)
    GROUP BY b.lsoa21_code
    HAVING count(DISTINCT i.imd_decile) = 1
)
SELECT * FROM i11 UNION ALL SELECT * FROM back;

CREATE TABLE measures AS
SELECT measure, numerator, CAST(denominator_min_age AS INTEGER) AS min_age, denominator_known
FROM read_csv('${REF}/measures/prevalence.csv', all_varchar = true, header = true, delim = ',', quote = '"');
