-- Schema version 2: a team's charter date, in one place (metrics.md, "Charter date and windows").
-- One row per team of the roster: its members, its headcount, and its charter date, its own
-- `charter_adopted_on` else the organisation's (the teams file's `*` row); `has_own_date` says which.
CREATE VIEW team_charters AS
SELECT e.team, count(*) AS members, any_value(t.headcount) AS headcount,
       coalesce(any_value(t.charter_adopted_on), any_value(o.charter_adopted_on)) AS charter_date,
       any_value(t.charter_adopted_on) IS NOT NULL AS has_own_date
FROM employees e
LEFT JOIN teams t ON t.team = e.team
LEFT JOIN (SELECT charter_adopted_on FROM teams WHERE team = '*') o ON true
GROUP BY e.team;
