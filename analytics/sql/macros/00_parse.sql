-- Parse rules for uploaded text: every CSV column arrives as varchar and is converted by these macros.
-- Each returns null for a blank value and for a value it cannot read; ingest reports the latter as errors.

-- A blank cell (empty or spaces) is missing.
create or replace macro oc_blank(x) as nullif(trim(x), '');

-- ISO 8601 date-time (T or space separator, optional fraction); a zone suffix (Z, +02:00) is dropped and
-- the wall-clock time kept, so a send "counts by its date" as the export shows it. A bare date is midnight.
create or replace macro oc_parse_timestamp(x) as try_cast(
    case
        when regexp_matches(trim(x), '\d[T ]\d{1,2}:\d{2}')
            then regexp_replace(trim(x), '\s*(Z|z|[+-]\d{2}(:?\d{2})?)$', '')
        else trim(x)
    end as timestamp);

create or replace macro oc_parse_date(x) as coalesce(try_cast(trim(x) as date), cast(oc_parse_timestamp(x) as date));

create or replace macro oc_parse_bool(x) as case
    when lower(trim(x)) in ('true', 't', '1', 'yes', 'y', 'oui', 'vrai') then true
    when lower(trim(x)) in ('false', 'f', '0', 'no', 'n', 'non', 'faux') then false
end;

create or replace macro oc_parse_count(x) as case when try_cast(trim(x) as bigint) >= 0 then try_cast(trim(x) as bigint) end;

-- 49.90, and the decimal comma of French exports (49,90).
create or replace macro oc_parse_amount(x) as coalesce(try_cast(trim(x) as double), try_cast(replace(trim(x), ',', '.') as double));

create or replace macro oc_parse_vocab(x) as lower(trim(x));

-- A rate with a zero (or null) denominator is null ("no data"), never 0 (SPEC §7).
create or replace macro oc_rate(numerator, denominator) as
    case when denominator > 0 then numerator::double / denominator end;

-- A text cell a spreadsheet would run as a formula (starting with = + - @ tab CR LF) gets a leading
-- apostrophe, shown by spreadsheets as plain text (CSV injection). Mirrors analytics/export.py.
create or replace macro oc_safe_cell(x) as
    case when regexp_matches(x, '^[=+\-@\t\r\n]') then '''' || x else x end;
