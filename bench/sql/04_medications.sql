-- 04_medications.sql: medications.csv in one streaming pass, validated (reasons 3, 4, 8) and
-- aggregated per patient. Placeholders: ${MEDICATIONS}, ${AS_OF}.

CREATE TEMP TABLE rx_feat AS
WITH raw AS (
    SELECT regexp_matches(concat_ws(',', patient_id, date, dmd_code), '[\r\n]') AS nl,
           nullif(trim(patient_id), '') AS pid_s, nullif(trim(date), '') AS d_s,
           real_date(nullif(trim(date), '')) AS d,
           nullif(trim(dmd_code), '') AS c_s
    FROM read_csv('${MEDICATIONS}', header = true, auto_detect = false, columns = ${MEDICATIONS_COLUMNS}, delim = ',', quote = '"', escape = '"',
                  strict_mode = true, ignore_errors = true, store_rejects = true,
                  rejects_table = 'rej_medications', rejects_scan = 'rej_scan_medications')
), j AS (
    SELECT p.pid, p.dob, c.*, r.c_s, r.d,
        CASE
            WHEN r.nl THEN 'field_count'    -- a newline inside a quoted field
            WHEN r.pid_s IS NULL OR r.d_s IS NULL OR r.c_s IS NULL THEN 'missing_required'
            WHEN NOT regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}') OR r.d IS NULL
              OR NOT regexp_full_match(r.c_s, '[1-9][0-9]{5,17}')
                THEN 'invalid_value'
            WHEN p.pid IS NULL THEN 'unknown_patient_id'
        END AS reason
    FROM raw r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN rx_codes c ON c.code_s = r.c_s
), u AS (
    SELECT *, reason IS NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS used,
           d > m_ago(12) AS in_12m FROM j
)
SELECT pid,
    count(*) AS n_rows,
    count(*) FILTER (reason = 'field_count') AS n_field_count,
    count(*) FILTER (reason = 'missing_required') AS n_missing_required,
    count(*) FILTER (reason = 'invalid_value') AS n_invalid_value,
    count(*) FILTER (reason = 'unknown_patient_id') AS n_unknown_patient_id,
    bool_or(used AND asthma_rx AND in_12m) AS asthma_rx_12m,
    bool_or(used AND antiepileptic_rx AND d > m_ago(6)) AS antiepileptic_rx_6m,
    count(*) FILTER (used AND antiepileptic_rx AND in_12m) AS antiepileptic_rx_n12m,
    count(*) FILTER (used AND laxative_rx AND in_12m) AS laxative_rx_n12m,
    count(*) FILTER (used AND analgesic_rx AND in_12m) AS analgesic_rx_n12m,
    count(*) FILTER (used AND antidep_anxio_rx AND in_12m) AS antidep_anxio_rx_n12m,
    count(*) FILTER (used AND antispasmodic_rx AND in_12m) AS antispasmodic_rx_n12m,
    bool_or(used AND cms_asthma_rx AND in_12m) AS cms_asthma_rx_12m,
    bool_or(used AND lithium_rx) AS lithium_ever,
    -- eFI polypharmacy: distinct dm+d codes issued in the last 12 months (any product)
    count(DISTINCT c_s) FILTER (used AND in_12m) AS distinct_rx_12m
FROM u
GROUP BY pid;
