-- Parse rules for uploaded text: every CSV column arrives as varchar and is converted by these macros.
-- Each returns null for a blank value and for a value it cannot read; ingest reports the latter as errors.

-- A blank cell (empty or spaces) is missing.
create or replace macro oc_blank(x) as nullif(trim(x), '');

-- Every text field (ids, source names, free text) on its way in: the invisible characters removed anywhere
-- (zero-width space, non-joiner and joiner, left-to-right and right-to-left marks, word joiner and invisible
-- operators, soft hyphen, Arabic letter mark, Mongolian vowel separator, byte-order mark, tag characters), then
-- Unicode NFC (é typed as e + combining accent is é), every kind of space (no-break, narrow, ideographic…)
-- written as a plain space, every kind of whitespace (tabs and line breaks too) trimmed at both ends; blank is
-- missing. A value of printable ASCII without spaces is so already and skips the work (most ids, most rows).
-- Control and bidirectional-override characters stay: ingest refuses such rows (oc_has_control).
create or replace macro oc_text(x) as
    case when not regexp_matches(x, '[^\x21-\x7E]') then x else nullif(regexp_replace(regexp_replace(
        nfc_normalize(regexp_replace(x,
            '[\x{00AD}\x{061C}\x{180E}\x{200B}-\x{200F}\x{2060}-\x{2064}\x{FEFF}\x{E0000}-\x{E007F}]', '', 'g')),
        '\p{Zs}', ' ', 'g'),
        '^[\s\v\p{Z}\x{85}]+|[\s\v\p{Z}\x{85}]+$', '', 'g'), '') end;

-- True when a one-line value (an id, a source name) holds a control character (C0 — NUL, tab, line break,
-- ESC… — DEL and C1) or a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069, which reorder what
-- is shown around them): ingest refuses the row. x is the value after oc_text.
create or replace macro oc_has_control(x) as
    regexp_matches(x, '[\x00-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]');

-- The same for free text (campaign names, evidence notes): a tab or a line break inside is allowed there.
create or replace macro oc_has_control_in_text(x) as
    regexp_matches(x, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]');

-- The first such character, as U+XXXX (null when there is none): what the error and the rejects file say.
create or replace macro oc_code_point(c) as case when c <> '' then format('U+{:04X}', unicode(c)) end;

create or replace macro oc_control_character(x) as
    oc_code_point(regexp_extract(x, '[\x00-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]'));

create or replace macro oc_control_character_in_text(x) as
    oc_code_point(regexp_extract(x, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]'));

-- Text on its way out (CSV files): every control character, bidirectional control and line or paragraph
-- separator written as a visible escape (ESC as \x1b, U+202E as \u202e), never raw: a terminal runs ESC
-- sequences, a bidi override reorders what is shown. Tabs and line breaks stay: a CSV cell holds them, quoted,
-- and ingest refuses them inside an id or a source name. Mirrors analytics/report/export.py safe_cell.
create or replace macro oc_visible(x) as
    case
        when not regexp_matches(x, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{061C}\x{200E}\x{200F}\x{2028}-\x{202E}\x{2066}-\x{2069}]')
            then x
        else array_to_string(list_transform(regexp_extract_all(x, '(?s).'), lambda c: case
            when not regexp_matches(c, '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{061C}\x{200E}\x{200F}\x{2028}-\x{202E}\x{2066}-\x{2069}]')
                then c
            when unicode(c) < 256 then format('\x{:02x}', unicode(c))
            else format('\u{:04x}', unicode(c)) end), '')
    end;

-- Date-times as exports write them (date_order 'dmy' or 'mdy' settles 03/04/2026; see ingest's detection):
--   ISO 8601 with T or space, optional fraction, a zone suffix (Z, +02:00) dropped — the wall-clock time is
--   kept, so a send "counts by its date" as the export shows it; a bare date is midnight;
--   dd/mm/yyyy or mm/dd/yyyy (also with . or -), optionally with HH:MM[:SS] and AM/PM;
--   Unix epoch seconds (9–11 digits) or milliseconds (13 digits), read as UTC.
create or replace macro oc_iso_text(x) as
    case
        when regexp_matches(trim(x), '\d[T ]\d{1,2}:\d{2}')
            then regexp_replace(trim(x), '\s*(Z|z|UTC|[+-]\d{2}(:?\d{2})?)$', '')
        else trim(x)
    end;

-- dd.mm.yyyy, dd-mm-yyyy and a T before the time, written as dd/mm/yyyy HH:MM:SS.
create or replace macro oc_slash_text(x) as
    regexp_replace(regexp_replace(trim(x), '^(\d{1,2})[./-](\d{1,2})[./-](\d{4})', '\1/\2/\3'), 'T', ' ');

-- A day/month date with slashes, in the file's order; the common forms are tried first, one at a time.
create or replace macro oc_strptime_day_month(s, date_order) as
    case when date_order = 'mdy' then coalesce(
        try_strptime(s, '%m/%d/%Y %H:%M:%S'), try_strptime(s, '%m/%d/%Y'),
        try_strptime(s, ['%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p']))
    else coalesce(
        try_strptime(s, '%d/%m/%Y %H:%M:%S'), try_strptime(s, '%d/%m/%Y'),
        try_strptime(s, ['%d/%m/%Y %H:%M', '%d/%m/%Y %I:%M:%S %p', '%d/%m/%Y %I:%M %p']))
    end;

-- Cheap tests pick the family (day/month, epoch, ISO) so each value is parsed once, not tried every way.
create or replace macro oc_parse_timestamp(x, date_order) as
    case
        when substr(trim(x), 2, 1) in ('/', '.', '-') or substr(trim(x), 3, 1) in ('/', '.', '-') then
            oc_strptime_day_month(
                case when regexp_matches(trim(x), '^\d{1,2}/\d{1,2}/\d{4}') and not contains(trim(x), 'T')
                     then trim(x) else oc_slash_text(x) end,
                date_order)
        when length(trim(x)) between 9 and 13 and try_cast(trim(x) as bigint) is not null then
            case
                when length(trim(x)) = 13 then epoch_ms(try_cast(trim(x) as bigint))
                when length(trim(x)) <= 11 then epoch_ms(try_cast(trim(x) as bigint) * 1000)
            end
        else coalesce(try_cast(trim(x) as timestamp), try_cast(oc_iso_text(x) as timestamp))
    end;

create or replace macro oc_parse_date(x, date_order) as
    coalesce(try_cast(trim(x) as date), cast(oc_parse_timestamp(x, date_order) as date));

-- Which order a day/month date proves: 'dmy' when its first number is above 12, 'mdy' when its second is,
-- null when it cannot tell (both 12 or below, or not such a date).
create or replace macro oc_date_order_evidence(x) as
    case
        when not regexp_matches(trim(x), '^\d{1,2}[./-]\d{1,2}[./-]\d{4}') then null
        when try_cast(regexp_extract(trim(x), '^(\d{1,2})', 1) as integer) > 12 then 'dmy'
        when try_cast(regexp_extract(trim(x), '^\d{1,2}[./-](\d{1,2})', 1) as integer) > 12 then 'mdy'
    end;

-- True for a day/month date whose order matters (both numbers 12 or below, and different).
create or replace macro oc_date_order_ambiguous(x) as
    regexp_matches(trim(x), '^\d{1,2}[./-]\d{1,2}[./-]\d{4}')
    and oc_date_order_evidence(x) is null
    and try_cast(regexp_extract(trim(x), '^(\d{1,2})', 1) as integer)
        <> try_cast(regexp_extract(trim(x), '^\d{1,2}[./-](\d{1,2})', 1) as integer);

-- HMAC-SHA-256 of a text, hex, with the key's inner and outer pads held in this connection's variables
-- (analytics/store/privacy.py sets them for a load; they are never written to the file).
create or replace macro oc_hmac_sha256(msg) as
    sha256(getvariable('oc_pseudonym_opad') || unhex(sha256(getvariable('oc_pseudonym_ipad') || encode(msg))));

-- A contact id that is an email address compares without case (exports differ: Zoe@x.fr, zoe@x.fr); when the
-- database pseudonymises, it becomes 'hmac:' and the HMAC of the lower-cased address.
create or replace macro oc_contact_id(x) as
    case
        when not contains(trim(x), '@') then trim(x)
        when getvariable('oc_pseudonym_ipad') is null then lower(trim(x))
        else 'hmac:' || oc_hmac_sha256(lower(trim(x)))
    end;

-- A value as written, for a file kept outside the database (the rejected rows): when the database pseudonymises,
-- an email address never appears in clear — a cell that is one address becomes its pseudonym (the id it has, or
-- would have, in the database: oc_contact_id), an address inside other text becomes [address hidden].
create or replace macro oc_hide_addresses(x) as
    case
        when getvariable('oc_pseudonym_ipad') is null or not contains(x, '@') then x
        when regexp_full_match(oc_text(x), '[^\s@]+@[^\s@]+') then oc_contact_id(oc_text(x))
        else regexp_replace(x, '[^\s@]*@[^\s@]*', '[address hidden]', 'g')
    end;

-- A source value through a value map (keys lower-case); values not listed stay as they are.
create or replace macro oc_map_value(x, keys, vals) as
    coalesce(list_extract(vals, list_position(keys, lower(trim(x)))), x);

-- The same with a default for every value not listed, an empty cell included (Brevo leaves DOUBLE_OPT-IN
-- empty for contacts without double opt-in).
create or replace macro oc_map_value_or(x, keys, vals, fallback) as
    coalesce(list_extract(vals, list_position(keys, lower(trim(x)))), fallback);

create or replace macro oc_parse_bool(x) as case
    when lower(trim(x)) in ('true', 't', '1', 'yes', 'y', 'oui', 'vrai') then true
    when lower(trim(x)) in ('false', 'f', '0', 'no', 'n', 'non', 'faux') then false
end;

-- A whole number of people, also as reports write it: 64517.0, 1 234 (a space between thousands — French
-- spreadsheets write a no-break or narrow no-break space).
create or replace macro oc_count_text(x) as regexp_replace(trim(x), '[ \x{00A0}\x{202F}]', '', 'g');

create or replace macro oc_parse_count(x) as
    case when try_cast(oc_count_text(x) as double) >= 0
              and try_cast(oc_count_text(x) as double) = floor(try_cast(oc_count_text(x) as double))
         then try_cast(try_cast(oc_count_text(x) as double) as bigint) end;

-- 49.90, and the decimal comma of French exports (49,90).
create or replace macro oc_parse_amount(x) as coalesce(try_cast(trim(x) as double), try_cast(replace(trim(x), ',', '.') as double));

create or replace macro oc_parse_vocab(x) as lower(trim(x));

-- A rate with a zero (or null) denominator is null ("no data"), never 0 (SPEC §7).
create or replace macro oc_rate(numerator, denominator) as
    case when denominator > 0 then numerator::double / denominator end;

-- A text cell a spreadsheet would run as a formula (starting with = + - @ tab CR LF) gets a leading
-- apostrophe, shown by spreadsheets as plain text (CSV injection); control characters are written as visible
-- escapes (oc_visible). Mirrors analytics/text.py.
create or replace macro oc_safe_cell(x) as
    case when regexp_matches(x, '^[=+\-@\t\r\n]') then '''' || oc_visible(x) else oc_visible(x) end;

-- Dissatisfaction rate (SPEC §7): unsubscribers ÷ (clickers + unsubscribers); with include_complaints the
-- complainers are added to both. Null when nobody reacted.
create or replace macro oc_dissatisfaction(unsubscribers, clickers, complainers, include_complaints) as
    case
        when include_complaints
            then oc_rate(unsubscribers + complainers, clickers + unsubscribers + complainers)
        else oc_rate(unsubscribers, clickers + unsubscribers)
    end;
