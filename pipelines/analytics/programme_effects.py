"""The article's two other claims, measured (metrics.md, "Co-creation" and "Contest effect").

- Co-creation: members who attended a charter workshop on or before their team's charter date (participants)
  against the other members of the same teams, after the charter against before, on posts per member-week and on
  engagements per post: a ratio of ratios, `(P_after / P_before) / (O_after / O_before)`, which removes the
  groups' levels (volunteers may have been keener already) but not the reason they volunteered.
- Contest effect: eligible members' posting during a contest against the same number of days before it, divided
  by the same ratio for the members of the teams it did not cover where there are any (their trend stands for the
  season's); the same after the contest (below 1: posting borrowed from later); the share of new voices; the
  engagement of the three best-written posts against the contest's other posts.

DuckDB sums posts per employee and window; the intervals come from one seeded bootstrap over employees
(resampled within their stratum: team and group), which carries over-dispersion between people as it is.
Nothing here names a person: figures are sums over groups of at least the privacy threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from pipelines.analytics.privacy import min_team_size, shown_name
from pipelines.analytics.scopes import POST_FILTER, ImpactRequest, posts_in_windows, windows_for, windows_frame
from pipelines.store.db import Sql, join_sql, q
from pipelines.store.ledger import teams as ledger_teams

N_BOOT = 2_000
SEED = 0
LEVEL = 0.95
NEW_VOICE_DAYS = 56  # a new voice posted nothing in the 8 weeks before the contest
BEST_WRITTEN = 3  # the contest's best jury-rated posts compared with its other posts
_CHUNK_CELLS = 4_000_000  # bootstrap weights held in memory at once

VOLUNTEERS = (
    "participants volunteered: they may have been keener already; the ratio of ratios removes their level before "
    "the charter, not the reason they volunteered"
)


def _filters(request: ImpactRequest) -> dict[str, object]:
    teams = list(request.team_filter) or ([request.only_team] if request.only_team else [])
    return {"networks": list(request.networks), "formats": list(request.formats), "teams": teams}


# --- the bootstrap ------------------------------------------------------------------------------------------


def bootstrap_sums(strata: np.ndarray, columns: np.ndarray, n_boot: int = N_BOOT, seed: int = SEED) -> np.ndarray:
    """Column sums of `n_boot` resamples of the rows (employees), each stratum resampled with replacement to its
    own size: an array (n_boot, k)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n_boot, columns.shape[1]))
    counted = _whole_numbers(columns)
    with threadpool_limits(limits=1, user_api="blas"):  # thin products: threads only wait for each other
        for stratum in np.unique(strata):
            rows = columns[strata == stratum]
            chunk = max(1, _CHUNK_CELLS // (len(rows) * columns.shape[1]))
            small = np.int16 if len(rows) <= np.iinfo(np.int16).max else np.int64  # half the time to draw
            for start in range(0, n_boot, chunk):
                picked = rng.integers(0, len(rows), size=(min(chunk, n_boot - start), len(rows)), dtype=small)
                if counted:
                    out[start : start + len(picked)] += _times_drawn(picked, len(rows)) @ rows
                else:
                    out[start : start + len(picked)] += rows[picked].sum(axis=1)
    return out


def _times_drawn(picked: np.ndarray, n_rows: int, block: int = 64) -> np.ndarray:
    """How many times each row was drawn in each resample (a row of `picked`). Multiplied by the rows, that gives
    the very same sums as adding up the drawn rows when they are whole numbers (they add up exactly in any
    order), without copying every drawn row; counted by blocks of resamples that stay in the CPU's cache."""
    times = np.empty(picked.shape)
    offsets = (np.arange(block) * n_rows)[:, None]
    for first in range(0, len(picked), block):
        part = picked[first : first + block]
        counts = np.bincount((part + offsets[: len(part)]).ravel(), minlength=part.size)
        times[first : first + len(part)] = counts.reshape(part.shape)
    return times


def _whole_numbers(columns: np.ndarray) -> bool:
    """Whether every value is a whole number and every sum of them exact in floating point (counts, days)."""
    return bool(
        columns.size
        and np.isfinite(columns).all()
        and (np.floor(columns) == columns).all()
        and np.abs(columns).sum() < 2**52
    )


def _interval(estimate: float | None, replicates: np.ndarray) -> list[float] | None:
    """Percentile interval of a positive ratio's replicates; None where too many are undefined (a zero)."""
    if estimate is None:
        return None
    good = replicates[np.isfinite(replicates) & (replicates > 0)]
    if len(good) < 0.95 * len(replicates):
        return None
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(good, [tail, 1 - tail])
    return [float(low), float(high)]


def _ratio_of(sums: np.ndarray, formula: Callable[[np.ndarray], np.ndarray]) -> float | None:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(formula(sums[None, :])[0])
    return value if np.isfinite(value) and value > 0 else None


def _estimate(
    columns: np.ndarray, resampled: np.ndarray, formula: Callable[[np.ndarray], np.ndarray]
) -> dict[str, Any]:
    """`formula` (of column sums, vectorised over rows) on the data, and its interval over the `resampled` sums."""
    ratio = _ratio_of(columns.sum(axis=0), formula)
    ci = None
    if ratio is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            ci = _interval(ratio, formula(resampled))
    return {"ratio": ratio, "ci95": ci}


# --- co-creation --------------------------------------------------------------------------------------------

# Per employee: member-days, posts, posts with a snapshot, engagements, before (b) and after (a) the charter.
_COCREATION_COLUMNS = ("days_b", "posts_b", "engaged_b", "eng_b", "days_a", "posts_a", "engaged_a", "eng_a")


def _cocreation_rows(con: duckdb.DuckDBPyConnection, request: ImpactRequest,
                     covered: tuple[date, date]) -> pd.DataFrame:  # fmt: skip
    """One row per roster member of a team with a charter date: team, participant, the columns above."""
    params = _filters(request)
    charters = con.execute(
        """SELECT team, charter_date FROM team_charters WHERE charter_date IS NOT NULL
        AND (len($teams) = 0 OR list_contains($teams, team)) ORDER BY team""",
        {"teams": params["teams"]},
    ).fetchall()
    rows = []
    for team, charter in charters:
        b0, b1, a0, a1 = windows_for(charter, covered, request)
        if b1 > b0:
            rows += [(team, "b", b0, b1), (team, "a", a0, a1)]
    if not rows:
        return pd.DataFrame()
    con.register("cocreation_windows", windows_frame(rows, ("team",)))
    try:
        frame = con.execute(
            f"""WITH members AS (
                SELECT e.employee_id, e.team, e.joined_on, e.left_on,
                       EXISTS (SELECT 1 FROM workshops k WHERE k.employee_id = e.employee_id
                               AND k.attended_on <= c.charter_date) AS participant
                FROM employees e JOIN team_charters c USING (team)),
            exposure AS (
                SELECT m.employee_id, m.team, m.participant, w.period,
                       greatest(date_diff('day', greatest(w.start_on::DATE, coalesce(m.joined_on, w.start_on::DATE)),
                                          least(w.end_on::DATE, coalesce(m.left_on, w.end_on::DATE))), 0) AS days
                FROM members m JOIN cocreation_windows w ON w.team = m.team),
            counted AS (
                SELECT p.employee_id, w.period, count(*) AS posts, count(g.engagements) AS engaged,
                       coalesce(sum(g.engagements), 0) AS eng
                FROM posts p {posts_in_windows(q("cocreation_windows"))}
                LEFT JOIN post_engagement g ON g.post_id = p.post_id
                WHERE {POST_FILTER} GROUP BY ALL)
            SELECT x.employee_id, x.team, x.participant, x.period, x.days::DOUBLE AS days,
                   coalesce(c.posts, 0)::DOUBLE AS posts, coalesce(c.engaged, 0)::DOUBLE AS engaged,
                   coalesce(c.eng, 0)::DOUBLE AS eng
            FROM exposure x LEFT JOIN counted c USING (employee_id, period)""",
            {"networks": params["networks"], "formats": params["formats"]},
        ).df()
    finally:
        con.unregister("cocreation_windows")
    wide = frame.pivot_table(index=["employee_id", "team", "participant"], columns="period",
                             values=["days", "posts", "engaged", "eng"], fill_value=0.0)  # fmt: skip
    wide.columns = [f"{name}_{period}" for name, period in wide.columns]
    wide = wide.reset_index()
    for col in _COCREATION_COLUMNS:
        if col not in wide:
            wide[col] = 0.0
    # A member in neither window (joined after it, left before it) is in no group.
    return wide[(wide["days_b"] + wide["days_a"]) > 0].sort_values(["team", "employee_id"]).reset_index(drop=True)


def _group_columns(frame: pd.DataFrame) -> np.ndarray:
    """Participants' columns then others' (zeros in the other group's), so that sums give both groups'."""
    values = frame[list(_COCREATION_COLUMNS)].to_numpy(dtype=float)
    mask = frame["participant"].to_numpy(dtype=bool)[:, None]
    return np.hstack([values * mask, values * ~mask])


def _rate(num: int, den: int) -> Callable[[np.ndarray], np.ndarray]:
    """The ratio of ratios over the group columns: (P_a / P_b) / (O_a / O_b), each `num / den` in its window."""
    k = len(_COCREATION_COLUMNS)
    b, a = 0, 4

    def formula(s: np.ndarray) -> np.ndarray:
        def level(offset: int, window: int) -> np.ndarray:
            return s[:, offset + window + num] / s[:, offset + window + den]

        return (level(0, a) / level(0, b)) / (level(k, a) / level(k, b))

    return formula


_MEASURES = {"posting": (1, 0, 7), "engagement": (3, 2, 1)}  # numerator, denominator, per how many (days -> weeks)


def _levels(frame: pd.DataFrame, measure: str) -> dict[str, dict[str, float | None]]:
    num, den, scale = _MEASURES[measure]
    out: dict[str, dict[str, float | None]] = {}
    for group, rows in (("participants", frame[frame["participant"]]), ("others", frame[~frame["participant"]])):
        sums = rows[list(_COCREATION_COLUMNS)].sum()
        out[group] = {}
        for window, offset in (("before", 0), ("after", 4)):
            n, d = sums.iloc[offset + num], sums.iloc[offset + den]
            out[group][window] = float(n / d * scale) if d else None
    return out


def cocreation_figures(frame: pd.DataFrame, seed: int = SEED) -> dict[str, Any]:
    """Both measures for the employees in `frame` (one team, or every team): one row per employee with `team`,
    `participant` and the columns of _COCREATION_COLUMNS."""
    participants = int(frame["participant"].sum())
    others = len(frame) - participants
    threshold = min_team_size()
    out: dict[str, Any] = {}
    strata = (frame["team"].astype(str) + "|" + frame["participant"].astype(str)).to_numpy()
    columns = _group_columns(frame)
    resampled = bootstrap_sums(strata, columns, seed=seed) if min(participants, others) >= threshold else columns
    for measure, (num, den, _) in _MEASURES.items():
        found: dict[str, Any] = {"ratio": None, "ci95": None, "participants": participants, "others": others,
                                 "notes": []}  # fmt: skip
        if participants < threshold or others < threshold:
            found["notes"].append(f"fewer than {threshold} participants or others: no figure")
        else:
            found.update(_estimate(columns, resampled, _rate(num, den)))
            found["levels"] = _levels(frame, measure)
            if found["ratio"] is None:
                what = "posts" if measure == "posting" else "posts with engagement figures"
                found["notes"].append(f"a group has no {what} in a window: no ratio")
            elif found["ci95"] is None:
                found["notes"].append("too few posts for an interval")
            found["notes"].append(VOLUNTEERS)
        out[measure] = found
    return out


def cocreation(con: duckdb.DuckDBPyConnection, request: ImpactRequest,
               covered: tuple[date, date]) -> dict[str, Any] | None:  # fmt: skip
    """Did the workshops pay? None where no workshop is loaded; per team only where both groups reach the
    privacy threshold."""
    if not con.execute("SELECT count(*) FROM workshops").fetchall()[0][0]:
        return None
    frame = _cocreation_rows(con, request, covered)
    if frame.empty:
        empty = {"ratio": None, "ci95": None, "participants": 0, "others": 0,
                 "notes": ["no team with a charter date and posts on both sides of it"]}  # fmt: skip
        return {"posting": empty, "engagement": dict(empty), "teams": []}
    out = cocreation_figures(frame)
    threshold = min_team_size()
    out["teams"] = []
    for index, (team, rows) in enumerate(frame.groupby("team", sort=True)):
        n_part = int(rows["participant"].sum())
        if n_part >= threshold and len(rows) - n_part >= threshold:
            out["teams"].append({"team": str(team), **cocreation_figures(rows, seed=SEED + 1 + index)})
    return out


# --- contest effect -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Windows:
    before: tuple[date, date]
    during: tuple[date, date]
    after: tuple[date, date]
    lookback: tuple[date, date]  # the 8 weeks before: who is a new voice

    def days(self, name: str) -> int:
        start, end = getattr(self, name)
        return max((end - start).days, 0)


def _contest_windows(starts_on: date, ends_on: date, covered: tuple[date, date]) -> _Windows:
    """During [starts_on, ends_on], before and after as long, each cut to the days the posts cover (ends
    exclusive)."""
    length = timedelta(days=(ends_on - starts_on).days + 1)
    end = ends_on + timedelta(days=1)

    def cut(a: date, b: date) -> tuple[date, date]:
        return max(a, covered[0]), max(min(b, covered[1]), max(a, covered[0]))

    return _Windows(cut(starts_on - length, starts_on), cut(starts_on, end), cut(end, end + length),
                    (starts_on - timedelta(days=NEW_VOICE_DAYS), starts_on))  # fmt: skip


_PERIODS = ("before", "during", "after", "lookback")


def _lift(window: str, controlled: bool, days: dict[str, float]) -> Callable[[np.ndarray], np.ndarray]:
    """Over columns (eligible before, during, after, then non-eligible's): the lift of `window` over before."""
    i = _PERIODS.index(window)

    def formula(s: np.ndarray) -> np.ndarray:
        eligible = s[:, i] / s[:, 0]
        if controlled:
            return eligible / (s[:, 4 + i] / s[:, 4])
        return eligible * days["before"] / days[window]

    return formula


def contest_lifts(per_employee: np.ndarray, eligible: np.ndarray, strata: np.ndarray, controlled: bool,
                  days: dict[str, float], seed: int = SEED) -> dict[str, Any]:  # fmt: skip
    """`lift_during` and `lift_after` from each employee's posts before, during, after and in the lookback
    (columns in that order), whether they were eligible, their stratum (team) and the windows' days."""
    columns = np.hstack([per_employee * eligible[:, None], per_employee * ~eligible[:, None]])
    return _lifts(columns, strata, controlled, days, seed)


def _lifts(columns: np.ndarray, strata: np.ndarray, controlled: bool, days: dict[str, float],
           seed: int) -> dict[str, Any]:  # fmt: skip
    return _lifts_of(columns, bootstrap_sums(strata, columns, seed=seed), controlled, days)


def _lifts_of(columns: np.ndarray, resampled: np.ndarray, controlled: bool,
              days: dict[str, float]) -> dict[str, Any]:  # fmt: skip
    """Both lifts from the columns and their resampled sums."""
    out = {}
    for window in ("during", "after"):
        if not days[window] or not days["before"]:
            out[f"lift_{window}"] = {"ratio": None, "ci95": None}
        else:
            out[f"lift_{window}"] = _estimate(columns, resampled, _lift(window, controlled, days))
    return out


def contest_effect(con: duckdb.DuckDBPyConnection, request: ImpactRequest,
                   covered: tuple[date, date]) -> dict[str, Any] | None:  # fmt: skip
    """Per contest and pooled: lift during and after, new voices, best-written posts' engagement. None where no
    contest is loaded."""
    found = con.execute(
        "SELECT contest_id, name, starts_on, ends_on, teams FROM contests ORDER BY starts_on, contest_id"
    ).fetchall()
    sizes = {team.name: team.members for team in ledger_teams(con)}  # a small team is named "other teams"
    if not found:
        return None
    params = _filters(request)
    staff = Sql("""SELECT employee_id, team, row_number() OVER (ORDER BY team, employee_id) - 1 AS row
        FROM employees WHERE len($teams) = 0 OR list_contains($teams, team)""")
    team_of = np.array(con.execute(f"SELECT team FROM ({staff}) ORDER BY row", {"teams": params["teams"]})
                       .fetchnumpy()["team"], dtype=object)  # fmt: skip
    rows = []
    windows = {}
    for contest_id, _, starts_on, ends_on, _ in found:
        windows[contest_id] = w = _contest_windows(starts_on, ends_on, covered)
        rows += [(contest_id, period, *getattr(w, period)) for period in _PERIODS]
    # Posts per employee (their row in `team_of`) in each window (contest by contest, periods in _PERIODS' order),
    # counted in one pass over the posts: one column per window, as numbers (no text to convert). At 10M posts a
    # join of the posts to the windows took 2.5 s, this 0.8 s.
    bounds = {f"{side}_{i}": datetime.combine(day, time()) for i, (*_, start, end) in enumerate(rows)
              for side, day in (("start", start), ("end", end))}  # fmt: skip
    in_window = [Sql(f"p.published_at >= $start_{i} AND p.published_at < $end_{i}") for i in range(len(rows))]
    counts = join_sql(Sql(f"count(*) FILTER (WHERE {window})::DOUBLE AS w{i}") for i, window in enumerate(in_window))
    counted = con.execute(
        f"""SELECT s.row, c.* EXCLUDE (employee_id)
        FROM (SELECT p.employee_id, {counts} FROM posts p
              WHERE {POST_FILTER} AND p.published_at >= $first AND p.published_at < $last GROUP BY ALL) c
        JOIN ({staff}) s USING (employee_id)""",
        params | bounds | {"first": min(bounds.values()), "last": max(bounds.values())},
    ).fetchnumpy()
    con.register("contest_windows", windows_frame(rows, ("contest_id",)))
    try:
        # The jury-rated posts during each contest by its eligible members, with the engagements and number of
        # all such posts with engagement figures (the best-written posts are compared with the others).
        rated = con.execute(
            f"""WITH during AS (
                SELECT w.contest_id, p.post_id, g.engagements::DOUBLE AS engagements
                FROM posts p JOIN employees e USING (employee_id) JOIN post_engagement g ON g.post_id = p.post_id
                JOIN contest_windows w ON w.period = 'during' AND p.published_at >= w.start_on
                     AND p.published_at < w.end_on
                JOIN contests c ON c.contest_id = w.contest_id
                WHERE {POST_FILTER} AND (len($teams) = 0 OR list_contains($teams, e.team))
                  AND g.engagements IS NOT NULL AND (coalesce(len(c.teams), 0) = 0 OR list_contains(c.teams, e.team)))
            SELECT d.contest_id, d.post_id, d.engagements, s.score,
                   sum(d.engagements) OVER contest AS all_engagements, count(*) OVER contest AS all_posts
            FROM during d LEFT JOIN (SELECT contest_id, post_id, avg(score) AS score FROM jury_scores GROUP BY ALL) s
                 USING (contest_id, post_id)
            WINDOW contest AS (PARTITION BY d.contest_id) QUALIFY s.score IS NOT NULL""",
            params,
        ).df()
    finally:
        con.unregister("contest_windows")
    posts_of = np.zeros((len(found), len(team_of), len(_PERIODS)))
    for i in range(len(rows)):
        posts_of[i // len(_PERIODS), counted["row"], i % len(_PERIODS)] = counted[f"w{i}"]
    threshold = min_team_size()
    per_contest = []
    pooled_days = {p: 0.0 for p in _PERIODS}
    pooled_controlled = True
    voices = [0, 0]
    best = [0.0, 0.0, 0.0, 0.0]  # top posts' engagements and count, others'
    measured: list[tuple[dict[str, Any], np.ndarray, bool, dict[str, float]]] = []
    for number, (contest_id, name, starts_on, ends_on, teams) in enumerate(found):
        w = windows[contest_id]
        eligible = np.isin(team_of, teams) if teams else np.ones(len(team_of), dtype=bool)
        per_employee = posts_of[number]
        columns = np.hstack([per_employee * eligible[:, None], per_employee * ~eligible[:, None]])
        days = {p: float(w.days(p)) for p in _PERIODS}
        n_eligible, n_other = int(eligible.sum()), int((~eligible).sum())
        controlled = n_other >= threshold
        notes: list[str] = []
        item: dict[str, Any] = {
            "contest_id": contest_id, "name": name, "starts_on": starts_on, "ends_on": ends_on,
            "teams": list(dict.fromkeys(shown_name(team, sizes.get(team, 0)) for team in teams or [])),
            "eligible": n_eligible,
            "method": "against non-eligible teams" if controlled else "against the weeks before",
            "window_days": {p: int(days[p]) for p in ("before", "during", "after")},
            "posts": {p: int(per_employee[eligible, i].sum()) for i, p in enumerate(("before", "during", "after"))},
        }  # fmt: skip
        if w.days("before") < w.days("during"):
            notes.append(f"the posts cover only {w.days('before')} of the {w.days('during')} days before the contest")
        if w.days("after") < w.days("during"):
            notes.append(f"the posts cover only {w.days('after')} of the {w.days('during')} days after the contest")
        if not controlled:
            notes.append("every team (or nearly) was eligible: the weeks before stand for the season's level")
        if n_eligible < threshold:
            notes.append(f"fewer than {threshold} eligible members: no figure")
            item |= {"lift_during": {"ratio": None, "ci95": None}, "lift_after": {"ratio": None, "ci95": None},
                     "new_voices_share": None, "best_written_ratio": None, "notes": notes}  # fmt: skip
            per_contest.append(item)
            continue
        measured.append((item, columns, controlled, days))  # their lifts: below, from one resampling
        # New voices: eligible members who posted during, with no post in the 8 weeks before.
        posted = eligible & (per_employee[:, 1] > 0)
        new = posted & (per_employee[:, 3] == 0)
        item["new_voices"] = {"posted": int(posted.sum()), "new": int(new.sum())}
        item["new_voices_share"] = float(new.sum() / posted.sum()) if posted.sum() else None
        if starts_on - timedelta(days=NEW_VOICE_DAYS) < covered[0]:
            notes.append("the posts do not reach 8 weeks before the contest: some new voices may not be new")
        voices[0] += int(new.sum())
        voices[1] += int(posted.sum())
        item["best_written_ratio"], top_sum, top_n, rest_sum, rest_n = _best_written(
            rated[rated["contest_id"] == contest_id]
        )
        best = [best[0] + top_sum, best[1] + top_n, best[2] + rest_sum, best[3] + rest_n]
        if item["best_written_ratio"] is None:
            notes.append("no jury-rated posts with engagement figures, or no other posts: no best-written figure")
        item["notes"] = notes
        per_contest.append(item)
        pooled_controlled &= controlled
        for p in _PERIODS:
            pooled_days[p] += days[p]
    pooled: dict[str, Any] = {"contests": len(measured)}
    if measured:
        # One resampling of the employees serves every contest (the same people, each contest its own columns),
        # and the pooled figure: its columns are the contests' summed, so are its resampled sums.
        resampled = np.split(bootstrap_sums(team_of.astype(str), np.hstack([m[1] for m in measured])),
                             len(measured), axis=1)  # fmt: skip
        for (item, columns, controlled, days), sums in zip(measured, resampled, strict=True):
            item |= _lifts_of(columns, sums, controlled, days)
        pooled |= _lifts_of(np.sum([m[1] for m in measured], axis=0), np.sum(resampled, axis=0), pooled_controlled,
                            pooled_days)  # fmt: skip
        pooled["method"] = "against non-eligible teams" if pooled_controlled else "against the weeks before"
    else:
        pooled |= {"lift_during": {"ratio": None, "ci95": None}, "lift_after": {"ratio": None, "ci95": None}}
    pooled["new_voices_share"] = voices[0] / voices[1] if voices[1] else None
    pooled["best_written_ratio"] = (
        (best[0] / best[1]) / (best[2] / best[3]) if best[1] and best[3] and best[2] else None
    )
    return {"pooled": pooled, "contests": per_contest}


def _best_written(rated: pd.DataFrame) -> tuple[float | None, float, int, float, int]:
    """Mean engagements of a contest's best jury-rated posts against its other posts by eligible members, from
    its rated posts (with `all_engagements` and `all_posts` of every post): (ratio, top sum, top count, others'
    sum, others' count)."""
    if rated.empty:
        return None, 0.0, 0, 0.0, 0
    top = rated.sort_values(["score", "post_id"], ascending=[False, True]).head(BEST_WRITTEN)
    top_sum, top_n = float(top["engagements"].sum()), len(top)
    rest_sum, rest_n = float(rated["all_engagements"].iloc[0]) - top_sum, int(rated["all_posts"].iloc[0]) - top_n
    if not rest_n or not rest_sum:
        return None, 0.0, 0, 0.0, 0
    return (top_sum / top_n) / (rest_sum / rest_n), top_sum, top_n, rest_sum, rest_n
