"""`advocacy`: the command line. Everything the dashboard does, as subcommands; each takes `--db` after its name.

Exit codes: 0 done; 1 a file was refused or the request could not be carried out; 2 usage error;
3 the database is busy (another process is writing) or cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines import config
from pipelines.analytics import verdict
from pipelines.analytics.catalogue import CRITERIA, REPORT, flag_text
from pipelines.ingest.contract import FILE_KINDS

# What only some commands need (DuckDB, the loader with its readers, pandas, the statistics) is imported in
# those commands: `advocacy --help` and a small file's load do not wait for the rest.
if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import duckdb

    from pipelines.analytics.scopes import ImpactRequest
    from pipelines.ingest.load import LoadResult

DRY_RUN_LINES = 20  # a dry run's lines to quarantine shown per file (--json gives them all)


def connect(path: str | Path, *, read_only: bool = False) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """`pipelines.store.db.connect`, imported when a command first opens the database."""
    from pipelines.store import db

    return db.connect(path, read_only=read_only)


Handler = Callable[[argparse.Namespace], int]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form 2025-03-01") from None


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain text table with aligned columns."""
    cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- load ---------------------------------------------------------------------------------------------------


def _describe(result: LoadResult, lines_out: list[dict[str, Any]] | None = None) -> str:
    """What loading the file did; `lines_out`: a dry run's lines that the file would put in quarantine."""
    if result.refused:
        was = "would be" if lines_out is not None else "was"
        return f"{result.file}: REFUSED: {result.refused}\n  nothing of this file {was} loaded"
    would = "would be upload" if lines_out is not None else "upload"
    lines = [
        f"{result.file}: {result.kind}, {would} {result.upload_id}: {result.rows_read} rows read, "
        f"{result.loaded} loaded, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.quarantined} quarantined"
    ]
    d = result.dialect
    if d and not result.already_loaded:
        where = (
            f"sheet {d['sheet']!r}, "
            if d.get("sheet")
            else f"{d.get('encoding')}, {d.get('delimiter')!r}-separated, "
        )
        order = "day-first" if d.get("date_order") == "dmy" else "month-first"
        lines.append(
            f"  read as {where}header on row {d.get('header_row')}, dates {order} ({d.get('date_order_reason')}), "
            f"decimal {'comma' if d.get('decimal_comma') else 'point'}"
        )
    lines.extend(f"  {note}" for note in result.notes)
    for reason, n in result.reasons.items():
        lines.append(f"  quarantined {n} × {reason}")
    if lines_out is not None:
        shown = _lines_of(result, lines_out)
        lines.extend(f"  line {row['line']}: {row['reason']}" for row in shown[:DRY_RUN_LINES])
        if len(shown) > DRY_RUN_LINES:
            lines.append(f"  … and {len(shown) - DRY_RUN_LINES} more line(s)")
    elif result.quarantined:
        lines.append(f"  see them: advocacy quarantine --upload {result.upload_id}")
    return "\n".join(lines)


def cmd_load(args: argparse.Namespace) -> int:
    from pipelines.ingest.load import LoadOptions, dry_run, load_paths

    missing = [p for p in args.files if not Path(p).exists()]
    if missing:
        print(f"advocacy load: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    options = LoadOptions(
        kind=args.kind,
        export_date=args.export_date,
        author=args.author,
        date_order=args.date_order,
        loaded_by=args.by,
    )
    lines: list[dict[str, Any]] | None = None  # a dry run's lines to quarantine
    if args.dry_run:
        results, lines = dry_run(config.db_path(args.db), [(Path(p), options) for p in args.files])
    else:
        results = load_paths(config.db_path(args.db), [Path(p) for p in args.files], options)
    if args.json:
        _print_json([r.as_json() if lines is None else {**r.as_json(), "quarantine": _lines_of(r, lines)}
                     for r in results])  # fmt: skip
    else:
        said = [_describe(r, lines) for r in results]
        print("\n".join([*said, "dry run: nothing was written"] if args.dry_run else said))
    return 1 if any(r.refused for r in results) else 0


def _lines_of(result: LoadResult, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of a dry run that this file would put in quarantine."""
    return [row for row in lines if row["upload_id"] == result.upload_id]


# --- ledger, quarantine, undo, reprocess, charter ------------------------------------------------------------


def cmd_uploads(args: argparse.Namespace) -> int:
    from pipelines.store import ledger

    with connect(config.db_path(args.db), read_only=True) as con:
        rows = ledger.uploads(con)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("no uploads yet")
        return 0
    table = [
        (
            r["upload_id"], f"{r['loaded_at']:%Y-%m-%d %H:%M}", r["file_name"], r["kind"], r["rows_read"],
            r["loaded"], r["updated"], r["unchanged"], r["quarantined"], r["loaded_by"],
            "undone" if r["undone_at"] else (f"same as {r['duplicate_of']}" if r["duplicate_of"] else ""),
        )
        for r in rows
    ]  # fmt: skip
    header = ("id", "when", "file", "kind", "read", "loaded", "updated", "unchanged", "quarantined", "by", "status")
    print(_table(table, header))
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from pipelines.store import ledger

    with connect(config.db_path(args.db), read_only=True) as con:
        rows = ledger.quarantined(con, args.upload)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("the quarantine is empty")
        return 0
    shown = [
        (r["upload_id"], r["file"], r["line"], r["reason"], (r["raw"] or "").replace("\n", "⏎")[:60]) for r in rows
    ]
    print(_table(shown, ("upload", "file", "line", "reason", "raw text")))
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from pipelines.ingest.reprocess import reprocess

    results = reprocess(config.db_path(args.db))
    if args.json:
        _print_json([vars(r) for r in results])
        return 0
    if not results:
        print("nothing to reprocess: the quarantine holds no row that could be loaded again")
    for r in results:
        passed = r.loaded + r.updated + r.unchanged
        print(f"upload {r.upload_id} ({r.file}): {passed} of {r.tried} rows now load, {r.still_quarantined} stay")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from pipelines.ingest.undo import UndoError, undo

    try:
        result = undo(config.db_path(args.db), args.upload_id, dry_run=args.dry_run, by=args.by)
    except UndoError as error:
        print(f"advocacy undo: {error}", file=sys.stderr)
        return 1
    if args.json:
        _print_json(vars(result))
        return 0
    verb = "would take back" if result.dry_run else "took back"
    rows = sum(result.removed.values())
    print(
        f"{verb} upload {result.upload_id} ({result.file}): {rows} stored rows, "
        f"{result.quarantine_removed} quarantined rows; {result.restored} records back to their earlier version, "
        f"{result.deleted} records gone"
    )
    if result.also_undone:
        print(f"  also marks as undone the later uploads of the same file: {result.also_undone}")
    if result.dry_run:
        print("  dry run: nothing was changed")
    return 0


def cmd_charter_set(args: argparse.Namespace) -> int:
    from pipelines.ingest.load import set_charter

    result = set_charter(config.db_path(args.db), args.date, team=args.team, by=args.by)
    if result.quarantined:
        print(f"advocacy charter set: refused: {next(iter(result.reasons))}", file=sys.stderr)
        return 1
    who = args.team or "the organisation"
    print(f"charter date of {who} set to {args.date.isoformat()} (upload {result.upload_id})")
    return 0


def cmd_authors(args: argparse.Namespace) -> int:
    from pipelines.store import ledger
    from pipelines.store.db import install_macros

    with connect(config.db_path(args.db), read_only=True) as con:
        install_macros(con)
        found = ledger.authors(con)
    if args.json:
        _print_json(found)
        return 0
    if found["waiting"]:
        print("authors who match nobody in the roster (or several people), and the rows waiting on them:")
        waiting = [(a["author"], a["posts"], a["incidents"], ", ".join(a["candidates"] or []) or "nobody")
                   for a in found["waiting"]]  # fmt: skip
        print(_table(waiting, ("author", "posts", "incidents", "candidates")))
        print(
            'find whom with: advocacy authors find "NAME"; then map one with: advocacy authors map "NAME" '
            'EMPLOYEE_ID, or: advocacy authors not-staff "NAME"'
        )
    else:
        print("every author matches someone: nothing waits")
    if found["decided"]:
        print("\ndecisions (undo one with: advocacy undo UPLOAD_ID):")
        rows = [(d["author"], "not staff" if d["not_staff"] else f"{d['employee_id']} {d['full_name'] or ''}".strip(),
                 d["upload_id"]) for d in found["decided"]]  # fmt: skip
        print(_table(rows, ("author", "is", "upload")))
    if found["not_staff_posts"]:
        total = sum(p["posts"] for p in found["not_staff_posts"])
        print(f"\n{total} post(s) by authors who are not staff: kept, counted in no figure")
    return 0


PEOPLE_FOUND = 20  # `advocacy authors find`'s people, those most like the search first


def cmd_authors_find(args: argparse.Namespace) -> int:
    """The roster's people most like a text (as the Data page searches them, to say whom an author is)."""
    from pipelines.store import ledger
    from pipelines.store.db import install_macros

    with connect(config.db_path(args.db), read_only=True) as con:
        install_macros(con)
        people = ledger.people_like(con, args.text, PEOPLE_FOUND)
    if args.json:
        _print_json([{"employee_id": employee_id, "full_name": name} for employee_id, name in people])
    elif people:
        print(_table([(employee_id, name or "") for employee_id, name in people], ("employee_id", "name")))
    else:
        print(f"nobody in the roster matches {args.text!r}: try another name, an e-mail or an id")
    return 0


def cmd_authors_decide(args: argparse.Namespace) -> int:
    from pipelines.ingest.authors import DecisionRefused, decide

    employee = getattr(args, "employee_id", None)
    try:
        result = decide(config.db_path(args.db), args.name, employee_id=employee, not_staff=employee is None,
                        by=args.by)  # fmt: skip
    except DecisionRefused as error:
        print(f"advocacy authors: refused: {error}", file=sys.stderr)
        return 1
    what = f"is employee {result.employee_id}" if result.employee_id else "is not staff"
    print(f"{result.author!r} {what} (upload {result.upload_id}: advocacy undo {result.upload_id} takes it back); "
          f"{result.loaded} waiting row(s) loaded, {result.still_waiting} still waiting")  # fmt: skip
    return 0


# --- impact, contests, rankings ------------------------------------------------------------------------------


def _range(text: str) -> tuple[date, date]:
    start, sep, end = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range START:END (end exclusive)")
    first, last = _date(start), _date(end)
    if last <= first:
        raise argparse.ArgumentTypeError(f"{text!r}: the end must come after the start")
    return first, last


def _pct(value: float | None) -> str:
    return "n/a" if value is None else verdict.signed_pct(value).replace("−", "-")  # a terminal's ASCII minus


def _num(value: float | None, decimals: int = 2) -> str:
    """A number with its decimals (counts whole: 19, not 19.0); a dash when there is none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:,.{decimals}f}"


def _interval(low_high: Sequence[float] | None) -> str:
    return f" [{low_high[0]:+.0f}, {low_high[1]:+.0f}]" if low_high else ""


def _headline(scope: dict[str, Any], article: dict[str, Any]) -> str:
    """The article's claims beside this scope's plain change and adjusted effect, with the adjusted 95 % intervals;
    where there is no adjusted figure, why."""
    metrics, effect = scope.get("metrics") or {}, scope.get("effect") or {}
    name = scope.get("team") or "the organisation"

    def yours(claim: str, plain_key: str) -> str:
        plain = (metrics.get(plain_key) or {}).get("change_pct")
        found = effect.get(claim) or {}
        shown = f"{_pct(plain)} plain" if plain is not None else "no plain figure"
        if found.get("change_pct") is None:
            return f"{shown}, no adjusted figure: {verdict.why_none(claim, found.get('doubt'))}"
        low_high = found.get("ci95_pct")
        interval = f" (95 % CI {_pct(low_high[0])} to {_pct(low_high[1])})" if low_high else ""
        return f"{shown}, {_pct(found['change_pct'])} adjusted{interval}"

    return (
        f"Article's claim: posts {_pct(article['posts_change_pct'])}, incident risk "
        f"{_pct(article['incident_risk_change_pct'])}.\nYours ({name}): posts {yours('posts', 'posts_per_week')}; "
        f"incident risk per post {yours('incidents', 'incidents_per_1000_posts')}."
    )


def _impact_text(report: dict[str, Any]) -> str:
    lines = [_headline(report["scopes"][0], report["reference"]["article"])]
    decimals = {key: REPORT[key].decimals for key in ("posts_per_week", "engagements_per_post")}
    rows = []
    for scope in report["scopes"]:
        name = scope.get("team") or "Organisation"
        metrics = scope.get("metrics")
        if not metrics:
            rows.append((name, "-", "-", "-", "-", "; ".join(scope["notes"])))
            continue
        posts, incidents = metrics["posts_per_week"], metrics["incidents_per_1000_posts"]
        engagement = metrics["engagements_per_post"]

        def change(m: dict[str, Any]) -> str:
            if m.get("change_pct") is None:
                return "(no change to compute)"  # nothing before: no ratio
            return f"({_pct(m['change_pct'])}{_interval(m.get('ci95_pct'))})"

        def before_after(m: dict[str, Any], key: str) -> str:
            return f"{_num(m['before'], decimals[key])} -> {_num(m['after'], decimals[key])} {change(m)}"

        counts = incidents.get("counts") or {}
        rows.append((
            name,
            scope["charter_date"] or "per team",
            before_after(posts, "posts_per_week"),
            f"{_num(counts.get('before'), 0)} -> {_num(counts.get('after'), 0)} {change(incidents)}",
            before_after(engagement, "engagements_per_post"),
            "; ".join(flag_text(f) for f in scope["low_confidence"]) or "-",
        ))  # fmt: skip
    labels = [REPORT[key].label("en").lower() for key in ("posts_per_week", "incidents", "engagements_per_post")]
    header = ("scope", "charter", f"{labels[0]} (95 % CI)", f"{labels[1]} (risk per post, 95 % CI)",
              f"{labels[2]} (95 % CI)", "low confidence: why")  # fmt: skip
    lines.append(_table(rows, header))
    lines += _adjusted_text(report["scopes"][0].get("effect") or {})
    lines += ["", *verdict.lines(report["scopes"][0].get("effect") or {}, "en")]
    lines += [line for _, line in verdict.programme_lines(report, "en")]
    lines += _programme_text(report)
    return "\n".join(lines)


def _programme_text(report: dict[str, Any]) -> list[str]:
    """Co-creation per team and the effect of each contest, where the data holds workshops or contests."""
    out: list[str] = []
    rows: list[tuple[Any, ...]]

    def ratio(found: dict[str, Any] | None) -> str:
        found = found or {}
        if found.get("ratio") is None:
            return "no figure"
        ci = found.get("ci95")
        return f"x{found['ratio']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")

    if cocreation := report.get("cocreation"):
        rows = [("all teams", cocreation["posting"]["participants"], cocreation["posting"]["others"],
                 ratio(cocreation["posting"]), ratio(cocreation["engagement"]))]  # fmt: skip
        rows += [(t["team"], t["posting"]["participants"], t["posting"]["others"], ratio(t["posting"]),
                  ratio(t["engagement"])) for t in cocreation["teams"]]  # fmt: skip
        out += ["", "Co-creation (participants against the other members, after the charter against before):"]
        out.append(_table(rows, ("scope", "participants", "others", "posting", "engagement per post")))
        out += [
            f"  {note}" for note in dict.fromkeys(cocreation["posting"]["notes"] + cocreation["engagement"]["notes"])
        ]
    if effect := report.get("contest_effect"):
        pooled = effect["pooled"]
        rows = [(c["contest_id"], c["method"], ratio(c["lift_during"]), ratio(c["lift_after"]),
                 _share(c.get("new_voices_share")), _x(c.get("best_written_ratio")))
                for c in effect["contests"]]  # fmt: skip
        rows.append(("pooled", pooled.get("method", "-"), ratio(pooled["lift_during"]), ratio(pooled["lift_after"]),
                     _share(pooled.get("new_voices_share")), _x(pooled.get("best_written_ratio"))))  # fmt: skip
        out += ["", "Contest effect (posting during and after each contest, against the days before it):"]
        out.append(_table(rows, ("contest", "against", "during", "after", "new voices", "best-written")))
        out += [f"  {c['contest_id']}: {note}" for c in effect["contests"] for note in c.get("notes", [])]
    return out


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f} %"


def _x(value: float | None) -> str:
    return "no figure" if value is None else f"x{value:.2f}"


def _adjusted_text(effect: dict[str, Any]) -> list[str]:
    """The adjusted effects with their intervals, and why one cannot be trusted where it cannot, or is missing."""
    lines = []
    for name, found in effect.items():
        if not isinstance(found, dict):
            continue
        if found.get("ratio") is None:
            shown = f"no adjusted figure: {verdict.why_none(name, found.get('doubt'))}"
        else:
            low_high = found.get("ci95")
            shown = f"x{found['ratio']:.2f}" + (f" (95 % CI x{low_high[0]:.2f} to x{low_high[1]:.2f})"
                                                if low_high else "")  # fmt: skip
        lines.append(f"Adjusted effect on {name.replace('_', ' ')}: {shown}")
        if found.get("doubt"):  # the note that gave the doubt its key says why in full
            reason = next((n for n in found["notes"] if any(text in n for text in verdict.DOUBTS)), found["doubt"])
            why = "cannot be trusted" if found.get("ratio") is not None else "in detail"
            lines.append(f"  {why}: {reason}")
    return lines


def _impact_request(args: argparse.Namespace) -> ImpactRequest:
    from pipelines.analytics.scopes import ImpactRequest  # statistics libraries load in a second: only for `impact`

    if bool(args.before) != bool(args.after):
        raise SystemExit("advocacy impact: --before and --after go together")
    period = None
    if args.first or args.last:
        period = (args.first or date.min, args.last + timedelta(days=1) if args.last else date.max)
    return ImpactRequest(
        period=period,
        only_team=args.team,
        window_months=args.window_months,
        gap_days=args.gap_days,
        before=args.before,
        after=args.after,
        name_small_teams=args.all_teams,
        cpm=args.cpm,
        cpc=args.cpc,
    )


def cmd_impact(args: argparse.Namespace) -> int:
    from dashboard.queries import report as kept_report  # the dashboard's report: one kept for both

    request = _impact_request(args)
    with connect(config.db_path(args.db), read_only=True) as con:
        report = kept_report(con, request)
    if args.json:
        _print_json(report)
    elif not report["scopes"]:
        print(report.get("note") or f"no team {args.team!r} to show")
    else:
        print(_impact_text(report))
    if args.team and not report["scopes"]:
        return 1
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from dashboard.queries import prepare

    took = prepare(config.db_path(args.db))
    if not took:
        print("nothing prepared: the database keeps no reports (in memory, a lake on object storage) or is missing")
        return 1
    for page, seconds in took.items():
        print(f"{page}: {seconds:.2f} s")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from dashboard import report  # the charts, kaleido and fpdf2 load only for `report`
    from pipelines import mail

    if not args.out and not args.mail_to:
        print("advocacy report: say where the report goes: --out FILE.pdf, --mail-to ADDRESSES, or both",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.period and (args.first or args.last):
        print("advocacy report: --period or --from/--until, not both", file=sys.stderr)
        return 2
    if args.first and args.last and args.last < args.first:
        print("advocacy report: --until comes before --from", file=sys.stderr)
        return 2
    try:
        to = mail.recipients(args.mail_to) if args.mail_to else []
    except ValueError as error:
        print(f"advocacy report: --mail-to: {error}", file=sys.stderr)
        return 2
    teams = tuple(dict.fromkeys(t.strip() for given in args.team or [] for t in given.split(",") if t.strip()))
    if args.period:
        try:
            request = report.month_request(args.period, args.lang, teams)
        except ValueError as error:
            print(f"advocacy report: --period: {error}", file=sys.stderr)
            return 2
    else:
        request = report.range_request(args.first, args.last, args.lang, teams)
    with connect(config.db_path(args.db), read_only=True) as con:
        if teams:
            from pipelines.analytics.privacy import is_named
            from pipelines.store import ledger

            sizes = ledger.filter_options(con)["teams"]
            unknown = [t for t in teams if t not in sizes]
            small = [t for t in teams if t in sizes and not is_named(sizes[t])]
            if unknown or small:
                hidden = f'{", ".join(small)}: under the privacy threshold, shown only inside "other teams"'
                why = f"no team {', '.join(unknown)}" if unknown else hidden
                print(f"advocacy report: --team: {why}", file=sys.stderr)
                return 1
        try:
            gathered = report.gather(con, request)
        except report.ReportError as error:
            print(f"advocacy report: {error}", file=sys.stderr)
            return 1
    try:
        made = report.finish(gathered)
    except report.ReportError as error:
        print(f"advocacy report: {error}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_bytes(made.pdf)
        print(f"{made.title}: written to {args.out} ({len(made.pdf) // 1024} kB, {made.timings.total_s:.1f} s)")
    if to:
        letter = mail.message(to, made.title, made.body, made.pdf, made.filename, mail.sender())
        try:
            mail.send(letter)
        except mail.MailError as error:
            print(f"advocacy report: not sent: {error}", file=sys.stderr)
            return 1
        print(f"{made.title}: sent to {', '.join(to)}")
    return 0


def _trends_text(rows: list[dict[str, Any]]) -> str:
    """The monthly table: one line per scope and month, counts as whole numbers, shares in percent."""

    def share(value: float | None) -> str:
        return "" if value is None else f"{100 * value:.1f} %"

    def whole(value: int | None) -> str:
        return "" if value is None else f"{value:,}"

    table = [
        (
            row["team"],
            row["month"] + (" *" if row["partial"] else ""),
            whole(row["members"]),
            whole(row["ever_posted"]),
            whole(row["active_ambassadors"]),
            whole(row["regular"]),
            share(row["participation_rate"]),
            whole(row["posts"]),
            whole(row["impressions"]),
            whole(row["clicks"]),
            whole(row["engagements"]),
            share(row["engagement_rate"]),
            "" if row["earned_media_value"] is None else f"{row['earned_media_value']:,.0f}",
        )
        for row in rows
    ]
    header = ("scope", "month", "members", "ever posted", "active", "regular", "participation", "posts",
              "impressions", "clicks", "engagements", "engagement rate", "earned media value")  # fmt: skip
    notes = ["* a month the data covers only in part (its days: --json)."] if any(r["partial"] for r in rows) else []
    notes.append("regular: posted in each of the last three months (none in the data's first two months).")
    return "\n".join([_table(table, header), *notes])


def cmd_trends(args: argparse.Namespace) -> int:
    from pipelines.analytics.scopes import ImpactRequest
    from pipelines.analytics.trends import as_records, monthly

    period = None
    if args.start or args.until:
        end = date.max if args.until is None else args.until + timedelta(days=1)
        period = (args.start or date.min, end)
    request = ImpactRequest(only_team=args.team, period=period, with_effects=False)
    with connect(config.db_path(args.db), read_only=True) as con:
        rows = as_records(monthly(con, request))
    if args.json:
        _print_json(rows)
    elif not rows:
        print(f"no team {args.team!r} to show" if args.team else "no posts in the chosen period")
    else:
        print(_trends_text(rows))
    return 1 if args.team and not rows else 0


def cmd_contests(args: argparse.Namespace) -> int:
    from pipelines.analytics.contests import contests

    with connect(config.db_path(args.db), read_only=True) as con:
        found = contests(con)
    rows = [
        {"contest_id": c.contest_id, "name": c.name, "starts_on": c.starts_on, "ends_on": c.ends_on,
         "teams": c.teams, "min_posts": c.min_posts}
        for c in found
    ]  # fmt: skip
    if args.json:
        _print_json(rows)
    elif not rows:
        print("no contests loaded")
    else:
        shown = [(c.contest_id, c.name, c.starts_on, c.ends_on, "|".join(c.teams) or "all teams", c.min_posts)
                 for c in found]  # fmt: skip
        print(_table(shown, ("id", "name", "starts", "ends", "teams", "min posts")))
    return 0


def cmd_ranking(args: argparse.Namespace) -> int:
    from pipelines.analytics.contests import ranking
    from pipelines.analytics.downloads import formatted, ranking_table, to_csv, to_xlsx

    with connect(config.db_path(args.db), read_only=True) as con:
        try:
            result = ranking(con, args.contest, args.criterion, by="team" if args.by == "team" else "employee")
        except LookupError as error:
            print(f"advocacy ranking: {error.args[0]}", file=sys.stderr)
            return 1
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".csv", ".xlsx"):
            print("advocacy ranking: --out must end in .csv or .xlsx", file=sys.stderr)
            return 2
        out.write_bytes(to_csv(result) if out.suffix.lower() == ".csv" else to_xlsx(result))
    if args.json:
        _print_json(result.as_json())
    else:
        print(
            f"{result.contest.name} ({result.contest.starts_on} to {result.contest.ends_on}): "
            f"{ranking_table(result).frame.columns[result.columns.index('value')]}"
        )
        if result.note:
            print(result.note)
        else:
            table = ranking_table(result)
            shown = [
                [
                    v if c not in table.decimals else formatted(v, table.decimals[c], "en")
                    for c, v in zip(table.frame.columns, row, strict=True)
                ]
                for row in table.frame.itertuples(index=False)
            ]
            print(_table(shown, list(table.frame.columns)))
    if args.out:
        print(f"written to {args.out}", file=sys.stderr)
    return 0


# --- demo, dashboard ----------------------------------------------------------------------------------------


def _is_empty(db: config.Database) -> bool:
    from pipelines.store import ledger

    if isinstance(db, Path) and not db.exists():
        return True
    with connect(db, read_only=True) as con:
        return ledger.is_empty(con)


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.synthetic.demo import build_demo  # the generator is only needed here

    db = config.db_path(args.db)
    if args.if_empty and not _is_empty(db):
        print(f"{config.shown(db)} already holds data: demo not loaded")
        return 0
    results = build_demo(db, Path(args.out) if args.out else None, seed=args.seed)
    for result in results:
        print(_describe(result).splitlines()[0])
    return 1 if any(r.refused for r in results) else 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    db = config.db_path(args.db)
    if args.demo and _is_empty(db):
        cmd_demo(argparse.Namespace(db=str(db), out=None, seed=7, if_empty=True))
    app = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
        "--server.address", args.address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",  # no Deploy button, no English-only menu (dashboard/.streamlit too)
        "--server.maxUploadSize", str(max(1, math.ceil(config.settings().max_upload_mb))),  # the server's own cap
    ]  # fmt: skip
    print(f"dashboard on http://{args.address}:{args.port} (database {config.shown(db)})")
    return subprocess.call(command, env={**os.environ, "ADVOCACY_DB": str(db)})


def cmd_simulate(args: argparse.Namespace) -> int:
    from pipelines.synthetic import programmes  # the statistics load only here

    grid = [
        s for s in programmes.settings(effect=not args.null_only)
        if s.teams in args.teams and (args.design == "both" or s.one_date == (args.design == "one-date"))
    ]  # fmt: skip
    rows = []
    for row in programmes.study(grid, args.programmes, args.seed):
        rows.append(row)
        if not args.json:
            print(programmes.table([row]).splitlines()[-1], flush=True)
    if args.json:
        _print_json([{**vars(r), "setting": r.setting.name} for r in rows])
    else:
        # Anticipation breaks the estimate on purpose: those rows test the placebo check, not the targets.
        judged = [r for r in rows if r.setting.anticipation == 1]
        missed = [r for r in judged if r.coverage is not None and (r.coverage < 0.9 or (
                  r.setting.truth(r.metric) == 1 and (r.excludes_one or 0) > 0.07))]  # fmt: skip
        print(f"\n{len(judged)} rows; targets (coverage >= 90 %, false positives <= 7 %) missed in {len(missed)}")
        if early := [r.flagged for r in rows if r.setting.anticipation != 1 and r.metric == "posts" and r.estimated]:
            print(f"anticipation: the placebo check failed on posts in {min(early):.0%} to {max(early):.0%} of "
                  "programmes")  # fmt: skip
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.synthetic import bench  # the generator and the timings are only needed here

    if args.posts < 1000 or args.runs < 1:
        print("advocacy bench: --posts must be at least 1000 and --runs at least 1", file=sys.stderr)
        return 2
    if args.lake and not args.lake.startswith(config.LAKE_PREFIX):
        print(f"advocacy bench: --lake takes {config.LAKE_PREFIX}postgres:<connection string>", file=sys.stderr)
        return 2
    if args.db and Path(args.db).exists():
        print(f"advocacy bench: {args.db} exists: the bench writes a database of its own, name a new file",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        results = bench.run(
            args.posts, runs=args.runs, seed=args.seed, keep=Path(args.keep) if args.keep else None,
            db=Path(args.db) if args.db else None, lake=config.Lake(args.lake) if args.lake else None,
        )  # fmt: skip
    except bench.BenchError as error:
        print(f"advocacy bench: {error}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    rows, header = bench.table_rows(results)
    print(bench.headline(results))
    print(_table(rows, header))
    print(bench.footer(results))
    if args.out:
        print(f"figures written to {args.out}", file=sys.stderr)
    return 0 if results["ok"] else 1


# --- the parser ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        help="the DuckDB file, or a lake: ducklake:postgres:<libpq connection string> "
        f"(default: $ADVOCACY_DB, else {config.DEFAULT_DB})",
    )
    parser = argparse.ArgumentParser(
        prog="advocacy",
        description="Measure an employee-advocacy programme: load exports, compare before and after the charter.",
        epilog="Exit codes: 0 done, 1 refused or not possible, 2 usage error, 3 database busy or unavailable.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_: str, parents: list[argparse.ArgumentParser] | None = None):
        p = sub.add_parser(name, parents=parents or [common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("load", cmd_load, "Load export files (.csv, .txt, .xlsx): each in one transaction.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", choices=list(FILE_KINDS), help="the files' kind (default: recognised from the headers)")
    p.add_argument(
        "--export-date",
        type=_date,
        metavar="DATE",
        help="the export's date: the snapshot date of engagement rows without as_of (default: today)",
    )
    p.add_argument("--author", metavar="EMPLOYEE",
                   help="the employee (id, e-mail or name) whose own LinkedIn Shares.csv this is")  # fmt: skip
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="date_order", action="store_const", const="dmy",
                       help="read 01/03/2025 as 1 March where the values do not tell")  # fmt: skip
    order.add_argument("--monthfirst", dest="date_order", action="store_const", const="mdy",
                       help="read 01/03/2025 as January 3 where the values do not tell")  # fmt: skip
    p.add_argument("--by", help="who uploads (default: the OS user)")
    p.add_argument(
        "--dry-run", action="store_true", help="say what loading would do, and which lines it would quarantine"
    )
    p.add_argument("--json", action="store_true", help="print a JSON array: one object per file")

    p = add("uploads", cmd_uploads, "List every upload: file, checksum, kind, counts, when and by whom.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("quarantine", cmd_quarantine, "List the rows kept in quarantine, with their line and reason.")
    p.add_argument("--upload", type=int, metavar="ID", help="only this upload's rows")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("reprocess", cmd_reprocess, "Load again the quarantined rows whose cause is gone; keep the others.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("undo", cmd_undo, "Take one upload back whole, restoring what it had replaced.")
    p.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    p.add_argument("--dry-run", action="store_true", help="show what the undo would do, change nothing")
    p.add_argument("--by", help="who undoes (default: the OS user)")
    p.add_argument("--json", action="store_true", help="print JSON")

    charter = sub.add_parser("charter", help="Charter dates.", description="Charter dates.")
    charter_sub = charter.add_subparsers(dest="charter_command", required=True, metavar="COMMAND")
    p = charter_sub.add_parser(
        "set",
        parents=[common],
        help="Set the organisation's or a team's charter date.",
        description="Set the organisation's (or with --team, one team's) charter date.",
    )
    p.set_defaults(handler=cmd_charter_set)
    p.add_argument("date", type=_date, metavar="DATE", help="the day the charter took effect (2025-09-01)")
    p.add_argument("--team", help="the team (default: the whole organisation)")
    p.add_argument("--by", help="who sets it (default: the OS user)")

    p = add("authors", cmd_authors, "List the authors who match nobody, and comms' decisions about them.")
    p.add_argument("--json", action="store_true", help="print JSON")
    authors_sub = p.add_subparsers(dest="authors_command", metavar="COMMAND")
    q = authors_sub.add_parser("find", parents=[common], help="The roster's people most like a name, e-mail or id.",
                               description="Search the roster for whom an author is: the people with the most "
                               "words beginning like the text's, in their id, name, e-mail or profile.")  # fmt: skip
    q.set_defaults(handler=cmd_authors_find)
    q.add_argument("text", metavar="TEXT", help="a name, an e-mail or an id (case and accents do not count)")
    q.add_argument("--json", action="store_true", help="print a JSON array: employee_id and full_name")
    q = authors_sub.add_parser("map", parents=[common], help="This author is this employee: load what waits.",
                               description="Map an author that matches nobody to an employee; undoable.")  # fmt: skip
    q.set_defaults(handler=cmd_authors_decide)
    q.add_argument("name", metavar="NAME", help="the author as the export writes it")
    q.add_argument("employee_id", metavar="EMPLOYEE_ID")
    q.add_argument("--by", help="who decides (default: the OS user)")
    q = authors_sub.add_parser(
        "not-staff",
        parents=[common],
        help="Not staff: their posts are kept apart.",
        description="Mark an author as not staff (an agency, an admin): undoable.",
    )
    q.set_defaults(handler=cmd_authors_decide)
    q.add_argument("name", metavar="NAME", help="the author as the export writes it")
    q.add_argument("--by", help="who decides (default: the OS user)")

    p = add("simulate", cmd_simulate, "The adjusted effect's study: bias, coverage and false positives on simulated "
            "programmes with a known truth.")  # fmt: skip
    p.add_argument("--programmes", type=int, default=100, metavar="N", help="programmes per setting (default 100)")
    p.add_argument("--teams", type=lambda v: [int(x) for x in v.split(",")], default=[3, 6, 15], metavar="3,6,15")
    p.add_argument("--design", choices=["one-date", "staggered", "both"], default="both")
    p.add_argument("--null-only", action="store_true", help="only programmes where the charter does nothing")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("impact", cmd_impact, "Before/after the charter per scope, with intervals and the adjusted effect.")
    p.add_argument("--team", help="only this team")
    p.add_argument("--window-months", type=int, default=6, metavar="N", help="months on each side (default 6)")
    p.add_argument("--gap-days", type=int, default=0, metavar="N", help="days after the charter left out")
    p.add_argument("--before", type=_range, metavar="A:B", help="explicit before window (end exclusive)")
    p.add_argument("--after", type=_range, metavar="C:D", help="explicit after window (end exclusive)")
    p.add_argument("--all-teams", action="store_true", help="show teams under the privacy threshold by name")
    p.add_argument("--from", dest="first", type=_date, metavar="DATE", help="only the days from DATE")
    p.add_argument("--until", dest="last", type=_date, metavar="DATE", help="only the days up to DATE (included)")
    p.add_argument("--cpm", type=float, default=None, help="earned media value: cost of 1,000 impressions")
    p.add_argument("--cpc", type=float, default=None, help="earned media value: cost of one click")
    p.add_argument("--json", action="store_true", help="print JSON")

    add("prepare", cmd_prepare, "Compute and keep the reports the dashboard's pages open on, so that the first view "
        "after a load reads them (run it after a scheduled load; the dashboard does after its own).")  # fmt: skip

    p = add("report", cmd_report, "Write the report leadership forwards (verdict, charts, teams, contests, "
            "method) as a PDF, and mail it. Its charts need Chromium.")  # fmt: skip
    p.add_argument("--period", metavar="YYYY-MM", help="one calendar month: its contests and totals; the verdict "
                   "and the teams on every day up to its end")  # fmt: skip
    p.add_argument("--from", dest="first", type=_date, metavar="DATE", help="only the days from DATE")
    p.add_argument("--until", dest="last", type=_date, metavar="DATE", help="only the days up to DATE (included)")
    p.add_argument("--team", action="append", metavar="TEAM", help="only these teams (repeat, or a,b)")
    p.add_argument("--lang", choices=["en", "fr"], default="en", help="the report's language (default en)")
    p.add_argument("--out", metavar="FILE.pdf", help="write the PDF to FILE.pdf")
    p.add_argument("--mail-to", metavar="A@X,B@Y", help="send it to these addresses through $ADVOCACY_SMTP_HOST")

    p = add("trends", cmd_trends, "Month by month, for the organisation and each team: members, the adoption "
            "funnel, participation, posts, impressions, clicks, engagement rate, earned media value.")  # fmt: skip
    p.add_argument("--team", help='only this team (a team under the privacy threshold: "other teams")')
    p.add_argument("--from", dest="start", type=_date, metavar="DATE", help="from this day")
    p.add_argument("--until", type=_date, metavar="DATE", help="up to this day, included")
    p.add_argument("--json", action="store_true", help="print JSON: one object per scope and month")

    p = add("contests", cmd_contests, "List the contests.")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("ranking", cmd_ranking, "Rank a contest's entrants on one criterion; write it as CSV or XLSX.")
    p.add_argument("contest", metavar="CONTEST")
    p.add_argument("--criterion", choices=list(CRITERIA), default="posts")
    p.add_argument("--by", choices=["employee", "team"], default="employee", help="rank teams per member")
    p.add_argument("--out", metavar="FILE", help="also write the table to FILE.csv or FILE.xlsx")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add("demo", cmd_demo, "Build a believable demo programme as export files and load them.")
    p.add_argument("--out", metavar="DIR", help="keep the generated export files in DIR")
    p.add_argument("--seed", type=int, default=7, help="same seed, same data (default 7)")
    p.add_argument("--if-empty", action="store_true", help="only when the database holds no upload yet")

    p = add("dashboard", cmd_dashboard, "Start the dashboard (Streamlit).")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    p.add_argument("--demo", action="store_true", help="load the demo data first when the database is empty")

    p = add("bench", cmd_bench, "Generate a programme of N posts as export files; time and size load, report, pages.")
    p.add_argument("--posts", type=int, default=100_000, metavar="N", help="posts (default 100000)")
    p.add_argument("--runs", type=int, default=5, metavar="K", help="runs per query step (default 5)")
    p.add_argument("--out", metavar="FILE", help="also write every figure to FILE as JSON")
    p.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files and the database there")
    p.add_argument("--seed", type=int, default=7, help="same seed, same files (default 7)")
    p.add_argument("--lake", metavar="LOCATION", help="also load the same files into this new, empty lake "
                   "(ducklake:postgres:..., data in $ADVOCACY_LAKE_DATA_PATH) and time it beside the file",
                   )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pipelines.store.db import DatabaseBusy, DatabaseUnavailable

    try:
        return int(args.handler(args))
    except (DatabaseBusy, DatabaseUnavailable) as error:
        print(f"advocacy: {error}", file=sys.stderr)
        return 3
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
