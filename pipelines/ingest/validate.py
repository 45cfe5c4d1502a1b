"""Convert and check a file's text cells in DuckDB, in bulk: typed rows, or the reason a row cannot be used.

Input: a temp table of text cells (from `pipelines.ingest.read`, or rebuilt from quarantine by `reprocess`).
Output: a temp table `<name>_typed` holding, per row, the columns of the kind's versions table, plus
`reason` (NULL for a usable row), `raw` and `cells` (kept for quarantine), and for posts the engagement
snapshot the row carries. Every value the file brings reaches SQL as data in a table or as a bound parameter;
the SQL text is built from the contract's column names only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import duckdb

from pipelines.ingest import contract as c
from pipelines.store.db import Identifier, Sql, join_sql, literal, q, q_list

DMY, MDY = "dmy", "mdy"
DATE_RANGE = (1970, 2100)  # years outside this are typing errors (1900, 9999), not dates of a programme


@dataclass
class Reading:
    """How a file's values are read: decided per file, reported with the load."""

    decimal_comma: bool
    date_order: str
    date_order_reason: str
    export_date: date
    notes: list[str] = field(default_factory=list)
    source: str = "file"  # where the file's figures come from (a LinkedIn export, a platform, a file)

    @classmethod
    def as_recorded(cls, dialect: dict[str, Any]) -> Reading:
        """The reading an upload recorded (its `dialect`), to check its quarantined rows again."""
        return cls(
            decimal_comma=bool(dialect.get("decimal_comma")),
            date_order=dialect.get("date_order") or DMY,
            date_order_reason="as when first loaded",
            export_date=date.fromisoformat(dialect["export_date"]),
            source=dialect.get("source") or "file",
        )


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object]) -> duckdb.DuckDBPyConnection:
    """Run `sql` binding the named parameters it uses (DuckDB refuses unused ones)."""
    used = set(re.findall(r"\$(\w+)", sql))
    return con.execute(sql, {name: value for name, value in params.items() if name in used})


# --- deciding how to read numbers and dates ------------------------------------------------------------------


def decide_reading(
    con: duckdb.DuckDBPyConnection,
    cells: Identifier,
    kind: c.Kind,
    *,
    delimiter: str | None,
    french: bool,
    date_order: str | None,
    export_date: date,
) -> Reading:
    """Decimal comma and day/month order for one file (contract: 'Dialects every file kind accepts'), from its text
    `cells` by canonical column (blank rows may be among them: they are no evidence)."""
    decimal_comma = delimiter == ";" or (delimiter == "\t" and french)
    date_columns = [col.name for col in kind.columns if col.type in (c.DATE, c.DATETIME)]
    day_first = month_first = None
    if date_columns:
        values = q_list(date_columns)
        day_first, month_first = con.execute(
            # Only a value that is a date in exactly one order is evidence; 31/31/2025 is just a bad value (and
            # 2025-03-01 no evidence at all).
            f"""SELECT any_value(v) FILTER (WHERE a BETWEEN 13 AND 31 AND b BETWEEN 1 AND 12),
                       any_value(v) FILTER (WHERE b BETWEEN 13 AND 31 AND a BETWEEN 1 AND 12)
            FROM (SELECT v, try_cast(regexp_extract(v, '^(\\d{{1,2}})[/.-]', 1) AS INT) AS a,
                         try_cast(regexp_extract(v, '^\\d{{1,2}}[/.-](\\d{{1,2}})[/.-]', 1) AS INT) AS b
                  FROM (SELECT unnest([{values}]) AS v FROM {cells}) WHERE substr(v, 5, 1) <> '-')"""
        ).fetchall()[0]
    notes: list[str] = []
    if day_first and month_first:
        raise ValueError(
            f"dates contradict each other: {day_first!r} is day-first but {month_first!r} is month-first"
        )
    if day_first or month_first:
        order = DMY if day_first else MDY
        reason = f"values such as {day_first or month_first!r}"
        if date_order and date_order != order:
            notes.append(f"the dates read {'day' if day_first else 'month'}-first ({reason}), not as asked")
    elif date_order:
        order, reason = date_order, "as asked"
    elif french or decimal_comma:
        order, reason = DMY, "French headers" if french else f"{delimiter!r}-separated file"
    else:
        order, reason = MDY, "English headers with ','" if delimiter == "," else "English headers"
    return Reading(decimal_comma, order, reason, export_date, notes)


# --- converting ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Conversion:
    parse: Identifier | Sql  # SQL over the text `v`, evaluated once per cell
    typed: Identifier | Sql  # SQL over the parsed value `n`: the stored value
    checks: list[tuple[Sql, Sql]]  # (condition, reason) over `v` and `n`


def _conversion(col: c.Column) -> _Conversion:
    """How a column is parsed, stored and checked; `v` is its text, `n` its parsed value."""
    v, n = q(col.name), q(col.name + "__value")
    label = Sql(f"{literal(col.name)} || ' ' || adv_quote({v})")
    not_parsed = Sql(f"{v} IS NOT NULL AND {n} IS NULL")
    if col.type == c.COUNT:
        return _Conversion(Sql(f"adv_number({v}, $decimal_comma)"), Sql(f"TRY_CAST({n} AS BIGINT)"), [
            (not_parsed, Sql(f"{label} || ' is not a number'")),
            (Sql(f"{n} < 0"), Sql(f"{label} || ' is negative'")),
            (Sql(f"{n} <> floor({n})"), Sql(f"{label} || ' is not a whole number'")),
            (Sql(f"{n} >= 1e15"), Sql(f"{label} || ' is too large'")),
        ])  # fmt: skip
    if col.type == c.NUMBER:
        return _Conversion(Sql(f"adv_number({v}, $decimal_comma)"), n,
                           [(not_parsed, Sql(f"{label} || ' is not a number'"))])  # fmt: skip
    if col.type in (c.DATE, c.DATETIME):
        lo, hi = DATE_RANGE
        typed = n if col.type == c.DATETIME else Sql(f"CAST({n} AS DATE)")
        return _Conversion(Sql(f"adv_timestamp({v}, $day_first)"), typed, [
            (not_parsed, Sql(f"{label} || ' is not a date (read ' || $date_pattern || ')'")),
            (Sql(f"year({n}) NOT BETWEEN {lo} AND {hi}"), Sql(f"{label} || ' is outside the years {lo}-{hi}'")),
        ])  # fmt: skip
    if col.type == c.BOOL:
        why = Sql(f"{label} || ' is not yes/no, oui/non, true/false'")
        return _Conversion(Sql(f"adv_bool({v})"), n, [(not_parsed, why)])
    if col.type == c.SEVERITY:
        why = Sql(f"{label} || ' is not a severity (low to critical)'")
        return _Conversion(Sql(f"adv_severity({v})"), n, [(not_parsed, why)])
    if col.type == c.FORMAT:
        return _Conversion(Sql(f"adv_format({v})"), n, [])
    if col.type == c.POST_ID:
        return _Conversion(Sql(f"adv_post_id({v})"), n, [])
    return _Conversion(v, n, [])


# What parsing a column gives where every cell is NULL (a column the file does not have), by column type.
_NULL_PARSED = {
    c.COUNT: Sql("NULL::DOUBLE"), c.NUMBER: Sql("NULL::DOUBLE"), c.DATE: Sql("NULL::TIMESTAMP"),
    c.DATETIME: Sql("NULL::TIMESTAMP"), c.BOOL: Sql("NULL::BOOLEAN"), c.SEVERITY: Sql("NULL::VARCHAR"),
}  # fmt: skip


def build_typed(con: duckdb.DuckDBPyConnection, cells: Identifier, kind: c.Kind, reading: Reading,
                present: Collection[str] | None = None) -> Identifier:  # fmt: skip
    """Create `<cells>_typed` from the text table `cells` (columns: line, raw, extra, one per kind column).
    `present`: the columns the file has (default: any may hold values). The others are NULL in every row: they
    are not parsed, and none of their checks can fail (binding the parsing of a posts file's twenty absent
    columns took a quarter of a small file's load)."""
    conversions = {col.name: _conversion(col) for col in kind.columns}
    for col in kind.columns:
        if present is not None and col.name not in present and col.type in _NULL_PARSED:
            conversions[col.name] = replace(conversions[col.name], parse=_NULL_PARSED[col.type], checks=[])
    checks: list[tuple[Sql, Sql]] = []
    for col in kind.columns:
        if col.required:
            checks.append((Sql(f"{q(col.name)} IS NULL"), literal(f"{col.name} is empty")))
        checks.extend(conversions[col.name].checks)
    if kind.one_of:
        present = Sql(" AND ".join(f"{q(n)} IS NULL" for n in kind.one_of))
        checks.append((present, Sql("'no engagement figure in this row'")))
    if kind is c.CONTESTS:
        checks.append((Sql('"ends_on__value" < "starts_on__value"'), Sql("'ends_on is before starts_on'")))
    parsed = Sql(", ".join(f"{conv.parse} AS {q(name + '__value')}" for name, conv in conversions.items()))
    typed = Sql(", ".join(f"{conv.typed} AS {q(name)}" for name, conv in conversions.items()))
    reason = Sql("CASE " + " ".join(f"WHEN {cond} THEN {why}" for cond, why in checks) + " END")
    params: dict[str, object] = {
        "decimal_comma": reading.decimal_comma,
        "day_first": reading.date_order == DMY,
        "date_pattern": "dd/mm/yyyy" if reading.date_order == DMY else "mm/dd/yyyy",
    }
    converted = Sql(f"(SELECT line, raw, extra, {reason} AS reason, {typed} FROM (SELECT *, {parsed} FROM {cells}))")
    out = Identifier(f"{cells}_typed")
    params["export_date"] = reading.export_date
    params["source"] = reading.source
    if kind is c.EMPLOYEES:
        x_marks = con.execute(f"SELECT coalesce(bool_or(lower(contest_opt_in) = 'x'), false) FROM {cells}")
        params["opt_in_when_blank"] = not x_marks.fetchall()[0][0]
    execute(con, f"CREATE OR REPLACE TEMP TABLE {out} AS {_shape(kind, converted)}", params)
    _resolve_authors(con, out, kind)
    return out


# How a stored column is computed from its converted cell, where it is not the cell itself. Keys are a column
# name (in every kind) or (kind, column).
_STORED_AS: dict[str | tuple[str, str], Sql] = {
    # A consent column written with x marks means "no" where blank; otherwise blank is the default, yes.
    ("employees", "contest_opt_in"): Sql("coalesce(contest_opt_in, $opt_in_when_blank)"),
    # A name in parts: the preferred name (whole where it already holds the family name) or the first name, then
    # the family name.
    ("employees", "full_name"): Sql(
        """coalesce(full_name, CASE
            WHEN preferred_name IS NOT NULL AND (last_name IS NULL OR contains(adv_name(preferred_name),
                                                                              adv_name(last_name)))
                THEN preferred_name
            ELSE nullif(concat_ws(' ', coalesce(preferred_name, first_name), last_name), '') END)"""
    ),
    # No leaving date given: the end of the contract, else, for someone no longer active, the export's day.
    ("employees", "left_on"): Sql(
        """coalesce(left_on, contract_end, CASE WHEN adv_fold(status) IN ('terminated', 'inactive', 'inactif',
            'inactive employee', 'sorti', 'sortie', 'parti', 'partie', 'left', 'former', 'ancien', 'ancienne')
            THEN $export_date END)"""
    ),
    ("employees", "linkedin"): Sql("adv_linkedin(linkedin)"),
    ("teams", "team"): Sql("coalesce(team, '*')"),  # the organisation-wide row
    ("posts", "network"): Sql("coalesce(lower(network), 'linkedin')"),
    ("incidents", "incident_id"): Sql(
        "coalesce(incident_id, 'row-' || md5(concat_ws('|', occurred_on, team, author, post_id, severity, "
        "category, description)))"
    ),
    ("contests", "teams"): Sql(
        "list_filter(list_transform(string_split(teams, '|'), lambda x: trim(x)), lambda x: x <> '')"
    ),
    ("contests", "min_posts"): Sql("coalesce(min_posts, 3)"),
    # A workshop without a name is the one of its day (the key needs a value).
    ("workshops", "workshop"): Sql("coalesce(workshop, 'workshop of ' || strftime(attended_on, '%Y-%m-%d'))"),
    "as_of": Sql("coalesce(as_of, $export_date)"),
    "source": Sql("coalesce(source, $source)"),
    "paid_engagements": Sql(
        "CASE WHEN paid_reactions IS NOT NULL OR paid_comments IS NOT NULL OR paid_shares IS NOT NULL "
        "OR paid_clicks IS NOT NULL THEN coalesce(paid_reactions, 0) + coalesce(paid_comments, 0) "
        "+ coalesce(paid_shares, 0) + coalesce(paid_clicks, 0) ELSE paid_engagements END"
    ),
    ("authors", "author_key"): Sql("adv_name(author)"),
    ("posts", "post_type"): Sql("adv_fold(post_type)"),
    # engagements is the sum of the split where a file gives it, else the file's own total
    "engagements": Sql(
        "CASE WHEN reactions IS NOT NULL OR comments IS NOT NULL OR shares IS NOT NULL OR clicks IS NOT NULL "
        "THEN coalesce(reactions, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(clicks, 0) "
        "ELSE engagements END"
    ),
}


def _shape(kind: c.Kind, converted: Sql) -> Sql:
    """The kind's stored columns (`kind.stored`), from the converted cells; an author is kept beside the
    employee_id it will resolve to, and a row carrying engagement figures says so in `has_snapshot`."""
    select = [Sql("line, raw, extra, reason")]
    for col in kind.columns:
        if col.type == c.AUTHOR:
            select.append(Sql("author, NULL::VARCHAR AS employee_id"))  # see _resolve_authors
        else:
            expression = _STORED_AS.get((kind.name, col.name)) or _STORED_AS.get(col.name) or q(col.name)
            select.append(Sql(f"{expression} AS {q(col.name)}"))
    if any(col.name in c.COUNT_NAMES for col in kind.columns):
        select.append(Sql("(" + " OR ".join(f"{q(n)} IS NOT NULL" for n in c.COUNT_NAMES) + ") AS has_snapshot"))
    return Sql(f"SELECT {join_sql(select)} FROM {converted} AS converted")


def _resolve_authors(con: duckdb.DuckDBPyConnection, typed: Identifier, kind: c.Kind) -> None:
    """Match authors to the roster, unique matches only, in this order: employee_id, e-mail, LinkedIn profile,
    the folded name (contract: 'Matching an author to a person'); an ambiguous one names its candidates."""
    if kind not in (c.POSTS, c.INCIDENTS, c.WORKSHOPS):
        return
    ways = {  # how an author is looked up: the roster's side and the author's side of each key
        "id": (Sql("lower(trim(employee_id))"), Sql("a.folded")),
        "email": (Sql("lower(trim(email))"), Sql("a.folded")),
        "linkedin": (Sql("linkedin"), Sql("a.profile")),
        "name": (Sql("adv_name(full_name)"), Sql("a.name")),
    }
    # Each key computed once per roster row and once per author: adv_name's regular expression of Unicode classes
    # takes about 3 ms to compile wherever it is written, a third of a small file's whole load in this statement.
    lookups = join_sql(
        Sql(f"""{q(way)} AS (SELECT k, any_value(employee_id) AS id, count(*) AS n,
                   list(employee_id ORDER BY employee_id) AS ids
                   FROM (SELECT {roster} AS k, employee_id FROM employees) WHERE k IS NOT NULL GROUP BY k)""")
        for way, (roster, _) in ways.items()
    )
    joins = Sql(" ".join(f"LEFT JOIN {q(way)} ON {q(way)}.k = {side}" for way, (_, side) in ways.items()))
    # comms' decisions (`advocacy authors map` / `not-staff`) come after the id, e-mail and profile, before the name
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {typed}_authors AS
        WITH written AS (SELECT author, lower(trim(author)) AS folded, adv_linkedin(author) AS profile,
                                adv_name(author) AS name
                         FROM (SELECT DISTINCT author FROM {typed} WHERE author IS NOT NULL)), {lookups},
        decided AS (SELECT d.author_key, d.employee_id, coalesce(d.not_staff, false) AS not_staff,
                           e.employee_id IS NOT NULL AS known
                    FROM main.authors d LEFT JOIN employees e USING (employee_id)),
        found AS (
            SELECT a.author, d.employee_id AS decided_id, coalesce(d.not_staff, false) AS not_staff,
                   CASE WHEN id.n = 1 THEN id.id WHEN email.n = 1 THEN email.id
                        WHEN linkedin.n = 1 THEN linkedin.id WHEN d.known THEN d.employee_id
                        WHEN d.not_staff THEN NULL WHEN name.n = 1 THEN name.id END AS employee_id,
                   coalesce(CASE WHEN id.n > 1 THEN id.ids END, CASE WHEN email.n > 1 THEN email.ids END,
                            CASE WHEN linkedin.n > 1 THEN linkedin.ids END, name.ids) AS candidates
            FROM written a {joins} LEFT JOIN decided d ON d.author_key = a.name)
        SELECT author, employee_id,
               CASE WHEN employee_id IS NOT NULL OR not_staff THEN NULL
                    WHEN decided_id IS NOT NULL
                        THEN 'author ' || adv_quote(author) || ' is mapped to ' || adv_quote(decided_id)
                             || ', who is not in the roster'
                    WHEN len(candidates) > 1
                        THEN 'author ' || adv_quote(author) || ' matches ' || len(candidates) || ' employees ('
                             || array_to_string(candidates[1:5], ', ') || CASE WHEN len(candidates) > 5 THEN ', …'
                             ELSE '' END || '): use the employee_id'
                    ELSE 'author ' || adv_quote(author) || ' matches nobody in the roster' END AS problem
        FROM found"""
    )
    con.execute(
        f"""UPDATE {typed} AS t SET employee_id = a.employee_id, reason = coalesce(t.reason, a.problem)
        FROM {typed}_authors a WHERE a.author = t.author"""
    )
    if kind is c.WORKSHOPS:  # an attendance counts for an employee only (a "not staff" author has none)
        con.execute(
            f"""UPDATE {typed} SET reason = 'author ' || adv_quote(author) || ' is marked not staff: a workshop '
                || 'attendance counts for an employee only' WHERE reason IS NULL AND employee_id IS NULL"""
        )
    if kind is c.INCIDENTS:
        # An incident belongs to the team written on it, else to its author's team.
        con.execute(
            f"""UPDATE {typed} AS t SET team = e.team FROM employees e
            WHERE t.team IS NULL AND e.employee_id = t.employee_id"""
        )
        con.execute(
            f"UPDATE {typed} SET reason = 'no team, and no author to take it from' "
            "WHERE reason IS NULL AND team IS NULL"
        )


# --- a boosted post on several rows -------------------------------------------------------------------------

_ORGANIC, _SPONSORED, _TOTAL = (
    ("organic", "organique"),
    ("sponsored", "sponsorise", "sponsorisee", "paid"),
    ("total",),
)
_SPLIT_COUNTS = ("impressions", "reactions", "comments", "shares", "clicks")


def fold_boosted_posts(con: duckdb.DuckDBPyConnection, typed: Identifier) -> tuple[int, list[str]]:
    """LinkedIn's page export gives a boosted post as one Organic row, one Sponsored row per campaign and a Total
    row, all with the same link (contract: 'LinkedIn page export: boosted posts'). Keep one row per post: the
    Organic one (else the first Sponsored one) with the campaigns' figures summed as its paid figures; the other
    rows are folded into it. Return how many rows were folded, and notes (a Total row that disagrees)."""
    kinds = {name: Sql(", ".join(literal(v) for v in values)) for name, values in
             (("organic", _ORGANIC), ("sponsored", _SPONSORED), ("total", _TOTAL))}  # fmt: skip
    sponsored, total, organic = kinds["sponsored"], kinds["total"], kinds["organic"]
    paid = join_sql(
        Sql(f"sum({q(n)}) FILTER (WHERE post_type IN ({sponsored})) AS {q('paid_' + n)}") for n in _SPLIT_COUNTS
    )
    totals = join_sql(Sql(f"sum({q(n)}) FILTER (WHERE post_type IN ({total})) AS {q('total_' + n)}")
                      for n in ("impressions", "clicks"))  # fmt: skip
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {typed}_boosted AS
        SELECT post_id,
               coalesce(min(line) FILTER (WHERE post_type IN ({organic}) OR post_type IS NULL),
                        min(line) FILTER (WHERE post_type IN ({sponsored})), min(line)) AS main_line,
               count(*) FILTER (WHERE post_type IN ({organic}) OR post_type IS NULL) > 0 AS has_organic,
               count(*) AS rows, {paid}, {totals},
               sum(impressions) FILTER (WHERE post_type NOT IN ({total}) OR post_type IS NULL) AS rows_impressions
        FROM {typed}
        WHERE reason IS NULL AND post_id IN (
            SELECT post_id FROM {typed} WHERE reason IS NULL AND post_type IN ({sponsored}, {total}))
        GROUP BY post_id"""
    )
    boosted, folded = con.execute(f"SELECT count(*), coalesce(sum(rows - 1), 0) FROM {typed}_boosted").fetchall()[0]
    if not boosted:
        return 0, []
    set_paid = join_sql(Sql(f"{q('paid_' + n)} = b.{q('paid_' + n)}") for n in _SPLIT_COUNTS)
    organic_only = join_sql(  # a post with no Organic row: its row's figures were the campaign's, already in paid
        Sql(f"{q(n)} = CASE WHEN b.has_organic THEN t.{q(n)} END") for n in (*_SPLIT_COUNTS, "engagements")
    )
    con.execute(
        f"""UPDATE {typed} AS t SET {set_paid}, {organic_only},
            paid_engagements = coalesce(b.paid_reactions, 0) + coalesce(b.paid_comments, 0)
                               + coalesce(b.paid_shares, 0) + coalesce(b.paid_clicks, 0),
            has_snapshot = true
        FROM {typed}_boosted AS b WHERE t.line = b.main_line"""
    )
    con.execute(
        f"""DELETE FROM {typed} AS t USING {typed}_boosted AS b
        WHERE t.post_id = b.post_id AND t.line <> b.main_line AND t.reason IS NULL"""
    )
    notes = [f"{boosted} boosted post(s): their {folded} Sponsored and Total row(s) folded into one post each, "
             "organic and paid figures apart"]  # fmt: skip
    disagree = con.execute(
        f"""SELECT count(*) FROM {typed}_boosted
        WHERE total_impressions IS NOT NULL AND total_impressions <> rows_impressions"""
    ).fetchall()[0][0]
    if disagree:
        notes.append(f"{disagree} boosted post(s) whose Total row is not the sum of their other rows (impressions)")
    return int(folded), notes
