-- 04_medications.sql: medications.csv, read once, validated (reasons 1 for a malformed
-- quote, 3, 4, 8; the reader's rejects give 1 and 2) and aggregated per patient.
-- Placeholders: ${MEDICATIONS}, ${MEDICATIONS_COLUMNS}, ${AS_OF}.

-- One row per record (reason as in 03_events.sql); patient, date, code and drug kept for used issues.
-- Read as 03_events.sql reads: a row whose id joined to an accepted patient needs no id shape
-- check; the dm+d code's shape is checked unless it joined to a reference drug list; rows with a
-- value that fails its raw shape are decided by rx_rare as the contract reads them.
CREATE TABLE rx AS
WITH raw AS (
    SELECT patient_id AS pid_s, date AS d_s, dmd_code AS c_s
    FROM read_csv('${MEDICATIONS}', header = true, auto_detect = false, columns = ${MEDICATIONS_COLUMNS}, delim = ',', quote = '', escape = '',
                  strict_mode = true, ignore_errors = true, store_rejects = true,
                  rejects_table = 'rej_medications', rejects_scan = 'rej_scan_medications')
), j AS (
    SELECT p.pid, p.dob, c.drug_id, r.*, TRY_CAST(r.d_s AS DATE) AS d,
        (p.pid IS NOT NULL OR regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}'))
          AND regexp_full_match(r.d_s, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
          AND (c.code_s IS NOT NULL OR regexp_full_match(r.c_s, '[1-9][0-9]{5,17}')) AS shaped
    FROM raw r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN rx_codes c ON c.code_s = r.c_s
), k AS (
    SELECT *,
        CASE
            WHEN NOT coalesce(shaped, false) THEN 0     -- decided in rx_rare
            WHEN d IS NULL THEN 4
            WHEN pid IS NULL THEN 8
        END AS reason
    FROM j
)
SELECT CAST(reason AS TINYINT) AS reason,
       CASE WHEN keep THEN pid END AS pid, CASE WHEN keep THEN d END AS d,
       CASE WHEN keep THEN CAST(c_s AS BIGINT) END AS code, CASE WHEN keep THEN drug_id END AS drug_id,
       CASE WHEN reason = 0 THEN pid_s END AS pid_s, CASE WHEN reason = 0 THEN d_s END AS d_s,
       CASE WHEN reason = 0 THEN c_s END AS c_s
FROM (SELECT *, reason IS NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS keep FROM k);

CREATE TABLE rx_rare AS
WITH r AS (
    SELECT cell(pid_s) AS pid_s, cell(d_s) AS d_s, real_date(cell(d_s)) AS d, cell(c_s) AS c_s,
           bad_cell(pid_s) OR bad_cell(d_s) OR bad_cell(c_s) AS malformed
    FROM rx WHERE reason = 0
), j AS (
    SELECT p.pid, p.dob, c.drug_id, r.c_s, r.d,
        CASE
            WHEN r.malformed THEN 1
            WHEN r.pid_s IS NULL OR r.d_s IS NULL OR r.c_s IS NULL THEN 3
            WHEN NOT regexp_full_match(r.pid_s, '[A-Za-z0-9_-]{1,64}') OR r.d IS NULL
              OR NOT regexp_full_match(r.c_s, '[1-9][0-9]{5,17}')
                THEN 4
            WHEN p.pid IS NULL THEN 8
        END AS reason
    FROM r
    LEFT JOIN pat_ok p ON p.patient_id = r.pid_s
    LEFT JOIN rx_codes c ON c.code_s = r.c_s
)
SELECT CAST(reason AS TINYINT) AS reason,
       CASE WHEN keep THEN pid END AS pid, CASE WHEN keep THEN d END AS d,
       CASE WHEN keep THEN CAST(c_s AS BIGINT) END AS code, CASE WHEN keep THEN drug_id END AS drug_id
FROM (SELECT *, reason IS NULL AND d BETWEEN dob AND DATE '${AS_OF}' AS keep FROM j);

CREATE TABLE rx_counts AS
SELECT reason, count(*) AS n FROM (SELECT reason FROM rx WHERE reason IS DISTINCT FROM 0 UNION ALL SELECT reason FROM rx_rare)
GROUP BY reason;

CREATE TABLE rx_used AS
SELECT reason, pid, d, code, drug_id FROM rx WHERE pid IS NOT NULL
UNION ALL SELECT * FROM rx_rare WHERE pid IS NOT NULL;
DROP TABLE rx;
DROP TABLE rx_rare;

CREATE TABLE rx_feat AS
WITH u AS (SELECT *, d > m_ago(12) AS in_12m FROM rx_used JOIN rx_codes USING (drug_id))
SELECT pid,
    bool_or(asthma_rx AND in_12m) AS asthma_rx_12m,
    bool_or(antiepileptic_rx AND d > m_ago(6)) AS antiepileptic_rx_6m,
    count(*) FILTER (antiepileptic_rx AND in_12m) AS antiepileptic_rx_n12m,
    count(*) FILTER (laxative_rx AND in_12m) AS laxative_rx_n12m,
    count(*) FILTER (analgesic_rx AND in_12m) AS analgesic_rx_n12m,
    count(*) FILTER (antidep_anxio_rx AND in_12m) AS antidep_anxio_rx_n12m,
    count(*) FILTER (antispasmodic_rx AND in_12m) AS antispasmodic_rx_n12m,
    bool_or(cms_asthma_rx AND in_12m) AS cms_asthma_rx_12m,
    bool_or(lithium_rx) AS lithium_ever
FROM u
GROUP BY pid;

-- eFI polypharmacy: distinct dm+d codes issued in the last 12 months (any product).
CREATE TABLE rx_distinct AS
SELECT pid, count(*) AS distinct_rx_12m
FROM (SELECT DISTINCT pid, code FROM rx_used WHERE d > m_ago(12))
GROUP BY pid;
