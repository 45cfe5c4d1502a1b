-- The loader's SQL macros (temporary, per connection): how a text cell becomes a number, a date, a severity,
-- a format or a post id, and how a reason quotes a value. Installed by pipelines.store.db.install_macros().
CREATE OR REPLACE TEMP MACRO adv_quote(v) AS chr(39)  -- a value quoted in a reason, cut short where long
    || CASE WHEN length(v::VARCHAR) > 200 THEN left(v::VARCHAR, 200) || '…' ELSE v::VARCHAR END || chr(39);
CREATE OR REPLACE TEMP MACRO adv_csv_cell(v, delim) AS CASE
    WHEN contains(v, delim) OR contains(v, '"') OR contains(v, chr(10)) THEN '"' || replace(v, '"', '""') || '"'
    ELSE coalesce(v, '') END;
CREATE OR REPLACE TEMP MACRO adv_blank(v) AS CASE  -- trimming only where a value starts or ends with a blank
    WHEN v < '!' OR starts_with(v, chr(160)) OR ends_with(v, ' ') OR ends_with(v, chr(160))  -- (v < '!': a first
        OR ends_with(v, chr(9)) OR ends_with(v, chr(10)) OR ends_with(v, chr(13))  -- byte up to the space)
        THEN nullif(trim(v, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')
    ELSE nullif(v, '') END;
CREATE OR REPLACE TEMP MACRO adv_fold(v) AS strip_accents(lower(regexp_replace(trim(v), '\s+', ' ', 'g')));
-- A person's name as authors are matched (data-contract.md, "Matching an author to a person"): case, accents,
-- emoji and other pictographs, punctuation, spacing and the order of the names do not count.
CREATE OR REPLACE TEMP MACRO adv_name(v) AS nullif(array_to_string(list_sort(string_split_regex(
    trim(regexp_replace(strip_accents(lower(v)), '[^\p{L}\p{N}]+', ' ', 'g')), ' ')), ' '), '');
-- A LinkedIn profile as its vanity name: linkedin.com/in/camille-martin-1a2b3c/ -> camille-martin-1a2b3c.
CREATE OR REPLACE TEMP MACRO adv_linkedin(v) AS nullif(lower(CASE
    WHEN regexp_matches(v, '(?i)linkedin\.com/in/') THEN url_decode(regexp_extract(v, '(?i)linkedin\.com/in/([^/?#]+)', 1))
    ELSE trim(v, ' /@') END), '');
CREATE OR REPLACE TEMP MACRO adv_digits(v) AS regexp_replace(v, '[\s\x{00A0}\x{202F}'']+', '', 'g');
CREATE OR REPLACE TEMP MACRO adv_number_of(s, dc) AS try_cast(CASE
    WHEN dc AND regexp_full_match(s, '[+-]?\d{1,3}(\.\d{3})+(,\d*)?') THEN replace(replace(s, '.', ''), ',', '.')
    WHEN dc THEN replace(s, ',', '.')
    WHEN regexp_full_match(s, '[+-]?\d{1,3}(,\d{3})+(\.\d*)?') THEN replace(s, ',', '')
    ELSE s END AS DOUBLE);
CREATE OR REPLACE TEMP MACRO adv_number(v, dc) AS CASE
    WHEN try_cast(v AS UBIGINT)::VARCHAR = v THEN try_cast(v AS DOUBLE)  -- plain digits, the usual case
    WHEN isfinite(adv_number_of(adv_digits(v), dc)) THEN adv_number_of(adv_digits(v), dc) END;
CREATE OR REPLACE TEMP MACRO adv_timestamp(v, dmy) AS CASE
    WHEN length(v) <= 10 AND substr(v, 5, 1) = '-' THEN try_cast(try_cast(v AS DATE) AS TIMESTAMP)  -- 2025-03-01
    WHEN length(v) = 19 AND substr(v, 5, 1) = '-' AND substr(v, 17, 1) = ':'
        THEN try_cast(v AS TIMESTAMP)  -- 2025-03-01 09:30:00: no room for a UTC offset
    WHEN regexp_matches(v, '^\d{4}-\d{1,2}-\d{1,2}') THEN try_cast(try_cast(v AS TIMESTAMPTZ) AS TIMESTAMP)
    WHEN dmy THEN try_strptime(v, ['%d/%m/%Y', '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%d-%m-%Y', '%d.%m.%Y',
        '%d-%m-%Y %H:%M', '%d.%m.%Y %H:%M', '%d/%m/%y', '%d/%m/%y %H:%M'])
    ELSE try_strptime(v, ['%m/%d/%Y', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M %p',
        '%m/%d/%Y %I:%M:%S %p', '%m-%d-%Y', '%m/%d/%y', '%m/%d/%y %H:%M']) END;
CREATE OR REPLACE TEMP MACRO adv_bool(v) AS CASE
    WHEN lower(v) IN ('true', 'yes', 'y', 'oui', 'o', 'vrai', '1', 'x') THEN true
    WHEN lower(v) IN ('false', 'no', 'n', 'non', 'faux', '0') THEN false END;
-- Severities and post formats as files write them (folded), and the name each is kept under.
CREATE OR REPLACE TEMP MACRO adv_severity(v) AS map_extract_value(MAP {
    'low': 'low', 'faible': 'low', '1': 'low',
    'medium': 'medium', 'moyenne': 'medium', 'moyen': 'medium', 'moderee': 'medium', 'modere': 'medium', '2': 'medium',
    'high': 'high', 'elevee': 'high', 'eleve': 'high', 'haute': 'high', 'haut': 'high', '3': 'high',
    'critical': 'critical', 'critique': 'critical', '4': 'critical'}, adv_fold(v));
CREATE OR REPLACE TEMP MACRO adv_format(v) AS CASE WHEN v IS NULL THEN 'post' ELSE coalesce(map_extract_value(MAP {
    'post': 'post', 'text': 'post', 'texte': 'post', 'publication': 'post', 'status': 'post',
    'article': 'article',
    'share': 'share', 'repost': 'share', 'partage': 'share', 'reshare': 'share',
    'video': 'video',
    'image': 'image', 'images': 'image', 'photo': 'image', 'photos': 'image', 'multi-image': 'image',
    'multi image': 'image',
    'document': 'document', 'carousel': 'document', 'carrousel': 'document', 'pdf': 'document',
    'poll': 'poll', 'sondage': 'poll',
    'other': 'other'}, adv_fold(v)), 'other') END;  -- a map looked up once: the value folded once
-- One key per LinkedIn post (data-contract.md, "LinkedIn post ids"): an activity, share, ugcPost or groupPost urn,
-- bare or in a link, URL-encoded or not; else the link without its query string and trailing slash.
CREATE OR REPLACE TEMP MACRO adv_post_id(v) AS CASE
    WHEN starts_with(v, 'urn:li:activity:') AND length(v) >= 22
        AND try_cast(substr(v, 17) AS UBIGINT)::VARCHAR = substr(v, 17) THEN v  -- the usual case, without a regex
    WHEN regexp_matches(url_decode(v), '(?i)activity[:-]([0-9]{6,})')
        THEN 'urn:li:activity:' || regexp_extract(url_decode(v), '(?i)activity[:-]([0-9]{6,})', 1)
    WHEN regexp_matches(url_decode(v), '(?i)urn:li:(share|ugcpost|grouppost):([0-9]+(-[0-9]+)?)')
        THEN 'urn:li:' || CASE lower(regexp_extract(url_decode(v), '(?i)urn:li:(share|ugcpost|grouppost):', 1))
                              WHEN 'share' THEN 'share' WHEN 'ugcpost' THEN 'ugcPost' ELSE 'groupPost' END
             || ':' || regexp_extract(url_decode(v), '(?i)urn:li:(?:share|ugcpost|grouppost):([0-9]+(-[0-9]+)?)', 1)
    ELSE rtrim(regexp_replace(v, '[?#].*$', ''), '/') END;
