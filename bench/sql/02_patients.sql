-- 02_patients.sql: ingest patients.csv with the input contract's validation
-- (docs/input-contract.md), then the population of rules.md s0.
-- Placeholders: ${PATIENTS} (the file, .csv or .csv.gz), ${AS_OF}.
-- Reasons 1-2 (field_count, invalid_utf8) are the CSV reader's rejects (store_rejects); the others
-- are checked here in the contract's order: the first that applies wins.

CREATE TABLE pat_raw AS
SELECT -- a newline inside a quoted field: the contract's field_count (DuckDB's reader accepts it)
       regexp_matches(concat_ws(',', patient_id, nhs_number, date_of_birth, sex, date_of_death, practice_code,
                                registration_start_date, lsoa_code, ethnic_category), '[\r\n]') AS newline_in_field,
       nullif(trim(patient_id), '') AS patient_id,
       nullif(trim(nhs_number), '') AS nhs_number,
       nullif(trim(date_of_birth), '') AS date_of_birth,
       nullif(trim(sex), '') AS sex,
       nullif(trim(date_of_death), '') AS date_of_death,
       nullif(trim(practice_code), '') AS practice_code,
       nullif(trim(registration_start_date), '') AS registration_start_date,
       nullif(trim(lsoa_code), '') AS lsoa_code,
       nullif(trim(ethnic_category), '') AS ethnic_category
FROM read_csv('${PATIENTS}', header = true, auto_detect = false, columns = ${PATIENTS_COLUMNS}, delim = ',', quote = '"', escape = '"',
              strict_mode = true, ignore_errors = true, store_rejects = true,
              rejects_table = 'rej_patients', rejects_scan = 'rej_scan_patients');

CREATE MACRO real_date(s) AS CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(s AS DATE) END;

CREATE TABLE pat_checked AS
WITH v AS (
    SELECT rowid AS line_order, *,
           real_date(CASE WHEN regexp_full_match(date_of_birth, '[0-9]{4}-[0-9]{2}') THEN date_of_birth || '-01'
                          ELSE date_of_birth END) AS dob,
           replace(nhs_number, ' ', '') AS nhs_digits
    FROM pat_raw
)
SELECT *,
    CASE
        WHEN newline_in_field THEN 'field_count'
        WHEN patient_id IS NULL OR date_of_birth IS NULL OR sex IS NULL OR practice_code IS NULL
            THEN 'missing_required'
        WHEN NOT regexp_full_match(patient_id, '[A-Za-z0-9_-]{1,64}')
          OR (nhs_number IS NOT NULL AND NOT regexp_full_match(nhs_number, '[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4}'))
          OR dob IS NULL OR dob > DATE '${AS_OF}' OR dob < DATE '1900-01-01'
          OR lower(sex) NOT IN ('female', 'male', 'intersex', 'unknown', 'f', 'm', 'i', 'u')
          OR (date_of_death IS NOT NULL AND real_date(date_of_death) IS NULL)
          OR NOT regexp_full_match(practice_code, '[A-Z][A-Z0-9]{5}')
          OR (registration_start_date IS NOT NULL AND real_date(registration_start_date) IS NULL)
          OR (lsoa_code IS NOT NULL AND NOT regexp_full_match(lsoa_code, 'E01[0-9]{6}'))
          OR (ethnic_category IS NOT NULL AND NOT regexp_full_match(ethnic_category, '[ABCDEFGHJKLMNPRSZ]'))
            THEN 'invalid_value'
        -- Modulus 11: weights 10..2 on digits 1-9; check = 11 - sum mod 11; 11 -> 0; 10 invalid.
        WHEN nhs_number IS NOT NULL AND (
            (11 - list_sum(list_transform(range(9), lambda i: CAST(substr(nhs_digits, i + 1, 1) AS INTEGER) * (10 - i))) % 11) % 11
            <> CAST(substr(nhs_digits, 10, 1) AS INTEGER))
            THEN 'invalid_nhs_number'
    END AS reason
FROM v;

-- Duplicate ids: the first otherwise-valid row (file order) wins.
CREATE TABLE pat_final AS
SELECT *,
    coalesce(reason, CASE WHEN row_number() OVER (PARTITION BY (reason IS NULL), patient_id ORDER BY line_order) > 1
                          THEN 'duplicate_patient_id' END) AS final_reason
FROM pat_checked;

-- Accepted patients, numbered; the population of rules.md s0 and each member's age on D.
CREATE TABLE pat_ok AS
SELECT CAST(row_number() OVER (ORDER BY patient_id) AS INTEGER) AS pid, patient_id, dob,
       CASE lower(sex) WHEN 'f' THEN 'female' WHEN 'm' THEN 'male' WHEN 'i' THEN 'intersex'
                       WHEN 'u' THEN 'unknown' ELSE lower(sex) END AS sex,
       practice_code, lsoa_code, ethnic_category,
       real_date(date_of_death) AS dod, real_date(registration_start_date) AS reg_start
FROM pat_final WHERE final_reason IS NULL;

CREATE TABLE pop AS
SELECT p.*,
       -- Whole years on D; a 29 February birthday falls on 1 March in a non-leap year.
       year(DATE '${AS_OF}') - year(dob)
         - CASE WHEN month(DATE '${AS_OF}') * 100 + day(DATE '${AS_OF}') < month(dob) * 100 + day(dob) THEN 1 ELSE 0 END AS age,
       i.imd_decile
FROM pat_ok p LEFT JOIN imd i USING (lsoa_code)
WHERE (reg_start IS NULL OR reg_start <= DATE '${AS_OF}') AND (dod IS NULL OR dod > DATE '${AS_OF}');
