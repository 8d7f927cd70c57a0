-- 02_patients.sql: ingest patients.csv with the input contract's validation
-- (docs/input-contract.md), then the population of rules.md s0.
-- Placeholders: ${PATIENTS} (the file, .csv or .csv.gz), ${AS_OF}.
-- Reasons 1-2 (field_count, invalid_utf8) are the CSV reader's rejects (store_rejects); the others
-- are checked here in the contract's order: the first that applies wins.

-- Records never span lines (extract-format.md, revised 2026-12-06), so the reader reads with quoting
-- off (quote = ''): a record is its line, and one stray quote costs one row, as in the contract.
-- No column of the contract can hold a comma, a quote or a space, so a value read as it stands
-- is the contract's value whenever it passes its shape check; only a row that fails on its raw
-- values (rare) is read again through cell(), which trims spaces and removes RFC 4180 quoting,
-- and bad_cell() gives it reason 1 for a quote the contract calls malformed. Empty fields are
-- NULL already (the reader's default null string).
CREATE MACRO cell(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN NOT contains(s, '"') THEN nullif(trim(s, ' '), '')
    ELSE nullif(trim(replace(regexp_extract(s, '^ *"(.*)" *$', 1), '""', '"'), ' '), '') END;
CREATE MACRO bad_cell(s) AS coalesce(contains(s, '"') AND NOT regexp_full_match(s, ' *"([^"]|"")*" *'), false);

CREATE TABLE pat_raw AS
SELECT *
FROM read_csv('${PATIENTS}', header = true, auto_detect = false, columns = ${PATIENTS_COLUMNS}, delim = ',', quote = '', escape = '',
              strict_mode = true, ignore_errors = true, store_rejects = true,
              rejects_table = 'rej_patients', rejects_scan = 'rej_scan_patients');

CREATE MACRO real_date(s) AS CASE WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(s AS DATE) END;

-- The contract's reasons 3-5 in order (the first that applies), over one row's values.
CREATE MACRO pat_reason(patient_id, nhs_number, date_of_birth, sex, date_of_death, practice_code,
                        registration_start_date, lsoa_code, ethnic_category) AS
    CASE
        WHEN patient_id IS NULL OR date_of_birth IS NULL OR sex IS NULL OR practice_code IS NULL
            THEN 'missing_required'
        WHEN NOT regexp_full_match(patient_id, '[A-Za-z0-9_-]{1,64}')
          OR (nhs_number IS NOT NULL AND NOT regexp_full_match(nhs_number, '[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4}'))
          OR coalesce(real_date(CASE WHEN regexp_full_match(date_of_birth, '[0-9]{4}-[0-9]{2}') THEN date_of_birth || '-01'
                                     ELSE date_of_birth END) NOT BETWEEN DATE '1900-01-01' AND DATE '${AS_OF}', true)
          OR lower(sex) NOT IN ('female', 'male', 'intersex', 'unknown', 'f', 'm', 'i', 'u')
          OR (date_of_death IS NOT NULL AND real_date(date_of_death) IS NULL)
          OR NOT regexp_full_match(practice_code, '[A-Z][A-Z0-9]{5}')
          OR (registration_start_date IS NOT NULL AND real_date(registration_start_date) IS NULL)
          OR (lsoa_code IS NOT NULL AND NOT regexp_full_match(lsoa_code, 'E01[0-9]{6}'))
          OR (ethnic_category IS NOT NULL AND NOT regexp_full_match(ethnic_category, '[ABCDEFGHJKLMNPRSZ]'))
            THEN 'invalid_value'
        -- Modulus 11: weights 10..2 on digits 1-9; check = 11 - sum mod 11; 11 -> 0; 10 invalid.
        WHEN nhs_number IS NOT NULL AND (
            (11 - list_sum(list_transform(range(9), lambda i: CAST(substr(replace(nhs_number, ' ', ''), i + 1, 1) AS INTEGER) * (10 - i))) % 11) % 11
            <> CAST(substr(replace(nhs_number, ' ', ''), 10, 1) AS INTEGER))
            THEN 'invalid_nhs_number'
    END;

CREATE TABLE pat_checked AS
WITH r AS (
    SELECT rowid AS line_order, *,
           pat_reason(patient_id, nhs_number, date_of_birth, sex, date_of_death, practice_code,
                      registration_start_date, lsoa_code, ethnic_category) AS raw_reason
    FROM pat_raw
), v AS (
    -- A row that failed on its raw values is read again as the contract reads it (rare).
    SELECT line_order, raw_reason IS NULL AS raw_ok,
           CASE WHEN raw_reason IS NULL THEN patient_id ELSE cell(patient_id) END AS patient_id,
           CASE WHEN raw_reason IS NULL THEN date_of_birth ELSE cell(date_of_birth) END AS date_of_birth,
           CASE WHEN raw_reason IS NULL THEN sex ELSE cell(sex) END AS sex,
           CASE WHEN raw_reason IS NULL THEN date_of_death ELSE cell(date_of_death) END AS date_of_death,
           CASE WHEN raw_reason IS NULL THEN practice_code ELSE cell(practice_code) END AS practice_code,
           CASE WHEN raw_reason IS NULL THEN registration_start_date ELSE cell(registration_start_date) END AS registration_start_date,
           CASE WHEN raw_reason IS NULL THEN lsoa_code ELSE cell(lsoa_code) END AS lsoa_code,
           CASE WHEN raw_reason IS NULL THEN ethnic_category ELSE cell(ethnic_category) END AS ethnic_category,
           CASE WHEN raw_reason IS NULL THEN nhs_number ELSE cell(nhs_number) END AS nhs_number,
           raw_reason IS NOT NULL AND (bad_cell(patient_id) OR bad_cell(nhs_number) OR bad_cell(date_of_birth) OR bad_cell(sex)
               OR bad_cell(date_of_death) OR bad_cell(practice_code) OR bad_cell(registration_start_date)
               OR bad_cell(lsoa_code) OR bad_cell(ethnic_category)) AS malformed
    FROM r
)
SELECT *,
    real_date(CASE WHEN regexp_full_match(date_of_birth, '[0-9]{4}-[0-9]{2}') THEN date_of_birth || '-01'
                   ELSE date_of_birth END) AS dob,
    CASE WHEN malformed THEN 'field_count'
         WHEN raw_ok THEN NULL
         ELSE pat_reason(patient_id, nhs_number, date_of_birth, sex, date_of_death, practice_code,
                         registration_start_date, lsoa_code, ethnic_category) END AS reason
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
