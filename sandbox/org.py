"""Teams, timesheet approvals, plans and holiday schemes of the Tempo sandbox.

``generate_org`` seeds them from the users of ``seed.py`` with a random stream of their own,
so adding them changed none of the worklogs, accounts, customers or audit events.  Like the
rest of the seed it is a pure function of its arguments and never reads the current date:

* 2 teams (one without a lead, one in a program) and their memberships, each membership a
  stretch of whole months in 2022-2025, one user in both teams.  Timesheet approvals exist
  for every member and every period that overlaps the membership, so none after 2025.
* ~40 plans starting in 2022-2026, created and last updated before 2026 (timestamps with
  milliseconds, ``.000Z``, as Tempo sends them); four share one ``updatedAt`` second.  With
  ``plannedTimeBreakdown=DAILY`` a plan carries ``plannedTime.days`` (see ``plan_days``).
* 3 holiday schemes (one default) whose members are all seeded users, each user in exactly
  one scheme; FIXED holidays recur every year with the SAME id, FLOATING ones have an id per
  year.  Holidays exist for HOLIDAY_YEARS only.

``OrgEndpoints`` serves them (TempoSandbox inherits it); server.py's docstring lists what the
endpoints assume where Tempo's documentation is silent.
"""

from __future__ import annotations

import calendar
import copy
import datetime as _dt
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import common as _common
from . import seed as _seed

#: Years the sandbox has holidays for (Tempo computes any year; a fixed range keeps reads date-independent).
HOLIDAY_YEARS = range(2022, 2027)
_DAY = _dt.timedelta(days=1)
_PLAN_FIRST_DAY = _seed.FIRST_DAY
_PLAN_LAST_START = _dt.date(2026, 6, 30)
_LAST_SEED_SECOND = _seed.SEED_END_EPOCH - 2


@dataclass
class OrgData:
    teams: list[dict[str, Any]] = field(default_factory=list)
    #: team id -> [(accountId, first day, last day, commitment)]
    memberships: dict[int, list[tuple[str, str, str, float]]] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)
    holiday_schemes: list[dict[str, Any]] = field(default_factory=list)
    #: scheme id -> member accountIds in serving order
    scheme_members: dict[int, list[str]] = field(default_factory=dict)
    #: scheme id -> [(holiday id, name, description or None, month, day, durationSeconds)]
    fixed_holidays: dict[int, list[tuple[int, str, str | None, int, int, int]]] = field(default_factory=dict)
    #: (scheme id, year) -> [(holiday id, name, description or None, date, durationSeconds)]
    floating_holidays: dict[tuple[int, int], list[tuple[int, str, str | None, str, int]]] = field(default_factory=dict)


def month_of(day: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The timesheet period containing ``day``: its calendar month."""
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(day.year, day.month)[1])


def _weekdays(first: _dt.date, last: _dt.date) -> int:
    return sum(1 for n in range((last - first).days + 1) if (first + n * _DAY).weekday() < 5)


def _occurrences(plan: dict[str, Any]) -> list[tuple[_dt.date, _dt.date]]:
    """The plan's first and last day of each occurrence: WEEKLY, BI_WEEKLY and MONTHLY plans repeat their span
    until ``recurrenceEndDate`` (an occurrence starting after it does not happen)."""
    first, last = _dt.date.fromisoformat(plan["startDate"]), _dt.date.fromisoformat(plan["endDate"])
    step = {"WEEKLY": 7, "BI_WEEKLY": 14}.get(plan.get("rule") or "NEVER")
    until = _dt.date.fromisoformat(plan.get("recurrenceEndDate") or plan["endDate"])
    spans, n = [], 0
    while True:
        if plan.get("rule") == "MONTHLY":
            month = first.month - 1 + n
            year, month = first.year + month // 12, month % 12 + 1
            start = first.replace(year=year, month=month, day=min(first.day, calendar.monthrange(year, month)[1]))
        elif step:
            start = first + n * step * _DAY
        else:
            start = first if n == 0 else None
        if start is None or (n > 0 and start > until):
            return spans
        spans.append((start, start + (last - first)))
        n += 1


def plan_days(plan: dict[str, Any], date_from: str, date_to: str) -> list[dict[str, Any]]:
    """The plan's days in [date_from, date_to] (PlanDay: date, plannedSeconds), what Tempo sends for
    ``plannedTimeBreakdown=DAILY``: every day of every occurrence, weekends only when ``includeNonWorkingDays``;
    ``plannedSecondsPerDay`` each day, except that a TOTAL_SECONDS plan puts the remainder of its total on the
    last day of each occurrence (so that the days add up to it). Holidays are not taken off (assumed)."""
    lo, hi = _dt.date.fromisoformat(date_from), _dt.date.fromisoformat(date_to)
    days: dict[str, int] = {}
    for start, end in _occurrences(plan):
        span = [start + n * _DAY for n in range((end - start).days + 1)]
        span = [d for d in span if plan["includeNonWorkingDays"] or d.weekday() < 5] or [start]
        seconds = [plan["plannedSecondsPerDay"]] * len(span)
        if plan.get("effortPersistenceType") == "TOTAL_SECONDS":
            seconds[-1] += plan["totalPlannedSeconds"] - sum(seconds)
        for day, planned in zip(span, seconds):
            if lo <= day <= hi:
                days[day.isoformat()] = days.get(day.isoformat(), 0) + planned
    return [{"date": day, "plannedSeconds": days[day]} for day in sorted(days)]


def _iso_ms(epoch: int) -> str:
    """Tempo's plan timestamps: ``YYYY-MM-DDTHH:MM:SS.000Z``."""
    return _seed.fmt_epoch(epoch)[:-1] + ".000Z"


def easter(year: int) -> _dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    x = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * x) // 451
    month, day = divmod(h + x - 7 * m + 114, 31)
    return _dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> _dt.date:
    """The n-th (1-based; -1 = last) given weekday of a month."""
    if n < 0:
        last = _dt.date(year, month, calendar.monthrange(year, month)[1])
        return last - ((last.weekday() - weekday) % 7) * _DAY
    first = _dt.date(year, month, 1)
    return first + (((weekday - first.weekday()) % 7) + 7 * (n - 1)) * _DAY


_TEAMS = [
    (3, "Platform 🛠", "Backend, infrastructure and the billing service", True, (100201, "Customer Platform")),
    (8, "Support & Success", None, False, None),
]
_FIXED = {
    1: [
        ("New Year's Day", None, 1, 1, 28800),
        ("Christmas Day", None, 12, 25, 28800),
        ("Boxing Day", "Half day", 12, 26, 14400),
    ],
    2: [
        ("Første nyttårsdag", None, 1, 1, 28800),
        ("Arbeidernes dag", None, 5, 1, 28800),
        ("Grunnlovsdag 🇳🇴", "Syttende mai", 5, 17, 28800),
        ("Første juledag", None, 12, 25, 28800),
        ("Andre juledag", None, 12, 26, 28800),
    ],
    4: [
        ("New Year's Day", None, 1, 1, 28800),
        ("Independence Day", None, 7, 4, 28800),
        ("Christmas Day", None, 12, 25, 28800),
    ],
}
_FLOATING: dict[int, list[tuple[str, str | None, Callable[[int], _dt.date], int]]] = {
    1: [
        ("Easter Monday", None, lambda y: easter(y) + _DAY, 28800),
        ("Company day", "Summer party, afternoon off", lambda y: _nth_weekday(y, 6, 4, 1), 14400),
    ],
    2: [
        ("Skjærtorsdag", None, lambda y: easter(y) - 3 * _DAY, 28800),
        ("Langfredag", None, lambda y: easter(y) - 2 * _DAY, 28800),
        ("Andre påskedag", None, lambda y: easter(y) + _DAY, 28800),
        ("Kristi himmelfartsdag", None, lambda y: easter(y) + 39 * _DAY, 28800),
    ],
    4: [
        ("Memorial Day", None, lambda y: _nth_weekday(y, 5, 0, -1), 28800),
        ("Labor Day", None, lambda y: _nth_weekday(y, 9, 0, 1), 28800),
        ("Thanksgiving", "Fourth Thursday of November", lambda y: _nth_weekday(y, 11, 3, 4), 28800),
    ],
}
_SCHEMES = [
    (1, "Default Holiday Scheme", "Default holiday scheme for all employees", True),
    (2, "Norge 🇳🇴", "Kontoret i Oslo", False),
    (4, "US Office", "New York and remote employees in the US", False),
]


def generate_org(seed: int, users: list[str], host: str = _seed.DEFAULT_HOST) -> OrgData:
    """The seeded organisation for the given users (at least 12).  Pure function of its arguments."""
    rng = random.Random(f"tempo-sandbox-org:{seed}")
    org = OrgData()
    people = list(users)
    rng.shuffle(people)

    # ---- teams and memberships ---------------------------------------------------
    shared = people[0]
    for (team_id, name, summary, with_lead, program), members in zip(_TEAMS, (people[:5], [shared] + people[5:9])):
        team: dict[str, Any] = {
            "self": f"{host}/4/teams/{team_id}",
            "id": team_id,
            "name": name,
            "administrative": False,
            "links": {"self": f"{host}/4/team-links/team/{team_id}"},
            "members": {"self": f"{host}/4/teams/{team_id}/members"},
            "permissions": {"self": f"{host}/4/teams/{team_id}/permissions"},
        }
        if summary:
            team["summary"] = summary
        if with_lead:
            team["lead"] = {"self": _seed.user_link(members[1]), "accountId": members[1]}
        if program:
            team["program"] = {"self": f"{host}/4/programs/{program[0]}", "id": program[0], "name": program[1]}
        org.teams.append(team)
        spans = []
        for account_id in members:
            first_month = rng.randrange(0, 40)  # months after 2022-01
            months = rng.randrange(5, 15)
            first = _dt.date(2022 + first_month // 12, first_month % 12 + 1, 1)
            last_month = min(first_month + months - 1, 47)
            last = month_of(_dt.date(2022 + last_month // 12, last_month % 12 + 1, 1))[1]
            spans.append((account_id, first.isoformat(), last.isoformat(), rng.choice([1.0, 1.0, 1.0, 0.5])))
        org.memberships[team_id] = spans

    # ---- plans -----------------------------------------------------------------------
    starts = (_PLAN_LAST_START - _PLAN_FIRST_DAY).days
    retimed = _seed.parse_ts("2025-03-31T16:45:00Z")  # four plans rescheduled in one go
    plan_id = 0
    for index in range(40):
        plan_id += 1 if rng.random() < 0.8 else rng.randrange(2, 5)
        start = _PLAN_FIRST_DAY + rng.randrange(starts) * _DAY
        end = start + (rng.choice([1, 2, 3, 5, 10, 15, 20, 30, 45, 60]) - 1) * _DAY
        start_epoch = _seed.parse_ts(f"{start.isoformat()}T00:00:00Z")
        created = min(start_epoch - rng.randrange(3600, 45 * 86400), _LAST_SEED_SECOND - 86400)
        updated = created if rng.random() < 0.5 else min(created + rng.randrange(60, 60 * 86400), _LAST_SEED_SECOND)
        if index in (7, 19, 23, 31):
            created, updated = min(created, retimed - 3600), retimed
        include_weekends = rng.random() < 0.15
        days = (end - start).days + 1 if include_weekends else max(1, _weekdays(start, end))
        plan: dict[str, Any] = {"self": f"{host}/4/plans/{plan_id}", "id": plan_id}
        if rng.random() < 0.85:
            assignee = rng.choice(people)
            plan["assignee"] = {"self": _seed.user_link(assignee), "id": assignee, "type": "USER"}
        else:
            resource = rng.choice([7, 12])
            plan["assignee"] = {
                "self": f"{host}/4/generic-resources/{resource}",
                "id": str(resource),
                "type": "GENERIC",
            }
        if rng.random() < 0.7:
            issue = 10000 + rng.randrange(1500)
            plan["planItem"] = {"self": _seed.issue_link(issue), "id": str(issue), "type": "ISSUE"}
        else:
            project = 10000 + rng.randrange(7)
            plan["planItem"] = {
                "self": f"{_seed.JIRA_SITE}/rest/api/2/project/{project}",
                "id": str(project),
                "type": "PROJECT",
            }
        if rng.random() < 0.7:
            per_day = rng.choice([3600, 7200, 14400, 28800])
            plan.update(effortPersistenceType="SECONDS_PER_DAY", plannedSecondsPerDay=per_day)
            plan["totalPlannedSeconds"] = per_day * days
        else:
            total = min(rng.choice([7200, 36000, 72000, 144000]), 28800 * days)
            plan.update(effortPersistenceType="TOTAL_SECONDS", plannedSecondsPerDay=total // days)
            plan["totalPlannedSeconds"] = total
        plan["startDate"], plan["endDate"] = start.isoformat(), end.isoformat()
        plan["startTime"] = rng.choice(["08:00", "09:00", "09:30", "13:00"])
        plan["includeNonWorkingDays"] = include_weekends
        rule = rng.choice(["NEVER"] * 6 + ["WEEKLY", "BI_WEEKLY", "MONTHLY"])
        plan["rule"] = rule
        if rule != "NEVER":
            plan["recurrenceEndDate"] = (end + rng.randrange(30, 180) * _DAY).isoformat()
        if rng.random() < 0.8:
            plan["description"] = rng.choice(
                ["Sprint work", "Onboarding 👋", "Migration — phase 2", "Kundenworkshop in München", ""]
            )
        plan["planCreatorId"] = rng.choice(people[:3])
        plan["syncSource"] = "JIRA_ISSUE" if plan["planItem"]["type"] == "ISSUE" and rng.random() < 0.2 else "NONE"
        if rng.random() < 0.25:
            reviewer, requester = rng.sample(people, 2)
            plan["planApproval"] = {
                "status": rng.choice(["APPROVED", "APPROVED", "REQUESTED", "REJECTED"]),
                "reviewer": {"self": _seed.user_link(reviewer), "accountId": reviewer},
                "requester": {"self": _seed.user_link(requester), "accountId": requester},
                "actor": {"self": _seed.user_link(reviewer), "accountId": reviewer},
            }
        plan["plannedTime"] = {"metadata": {"all": f"{host}/4/plans/{plan_id}?plannedTimeBreakdown=DAILY"}}
        plan["createdAt"], plan["updatedAt"] = _iso_ms(created), _iso_ms(updated)
        org.plans.append(plan)

    # ---- holiday schemes, members and holidays ------------------------------------------
    assigned = {2: people[9:15], 4: people[15:20]}
    assigned[1] = [u for u in people if u not in set(assigned[2]) | set(assigned[4])]
    holiday_id = 100
    for scheme_id, name, description, default in _SCHEMES:
        org.scheme_members[scheme_id] = assigned[scheme_id]
        org.holiday_schemes.append(
            {
                "self": f"{host}/4/holiday-schemes/{scheme_id}",
                "id": scheme_id,
                "name": name,
                "description": description,
                "defaultScheme": default,
                "memberCount": len(assigned[scheme_id]),
            }
        )
        org.fixed_holidays[scheme_id] = []
        for holiday_name, note, month, day, seconds in _FIXED[scheme_id]:
            holiday_id += 1
            org.fixed_holidays[scheme_id].append((holiday_id, holiday_name, note, month, day, seconds))
    holiday_id = 2000
    for year in HOLIDAY_YEARS:
        for scheme_id, *_ in _SCHEMES:
            rows = []
            for holiday_name, note, rule_of, seconds in _FLOATING[scheme_id]:
                holiday_id += 1
                rows.append((holiday_id, holiday_name, note, rule_of(year).isoformat(), seconds))
            org.floating_holidays[(scheme_id, year)] = rows
    return org


# ---------------------------------------------------------------------------
# serving
# ---------------------------------------------------------------------------
_APPROVALS_PATH = re.compile(r"^/4/timesheet-approvals/team/([^/]+)$")
_HOLIDAYS_PATH = re.compile(r"^/4/holiday-schemes/([^/]+)/holidays$")
_SCHEME_MEMBERS_PATH = re.compile(r"^/4/holiday-schemes/([^/]+)/members$")


def _path_id(pattern: re.Pattern[str], path: str, what: str) -> int:
    match = pattern.match(path)
    value = match.group(1) if match else ""
    if not value.isdigit():
        raise _common.ApiError(404, f"{what} cannot be found in the system")
    return int(value)


def _found(what: str, lookup: Callable[..., list[dict]], *args: Any) -> list[dict]:
    """lookup(*args), or Tempo's 404 when it raises KeyError (an unknown team or scheme)."""
    try:
        return lookup(*args)
    except KeyError:
        raise _common.ApiError(404, f"{what} cannot be found in the system") from None


def _results_body(host: str, path: str, query: str, records: list[dict[str, Any]]) -> bytes:
    """Tempo's unpaginated list: ``{self, metadata: {count}, results}``."""
    self_url = f"{host}{path}?{query}" if query else f"{host}{path}"
    return _seed.dumps({"self": self_url, "metadata": {"count": len(records)}, "results": records})


class OrgEndpoints:
    """The teams, plans, timesheet approvals and holiday endpoints of TempoSandbox."""

    _org: OrgData
    _host: str

    def _load_org(self, seed: int, users: list[str]) -> None:
        self._org = generate_org(seed, users, _seed.DEFAULT_HOST)

    def _org_collections(self) -> tuple[list, ...]:
        """The stored records whose ``self`` links name the Tempo host (see TempoSandbox._ensure_host)."""
        return self._org.teams, self._org.plans, self._org.holiday_schemes

    # -- data access (fresh copies) ------------------------------------------------
    def teams(self) -> list[dict]:
        self._ensure_host()  # type: ignore[attr-defined]
        return copy.deepcopy(self._org.teams)

    def plans(self) -> list[dict]:
        """Every plan as stored (``totalPlannedSecondsInScope`` is computed per request)."""
        self._ensure_host()  # type: ignore[attr-defined]
        return copy.deepcopy(self._org.plans)

    def holiday_schemes(self) -> list[dict]:
        self._ensure_host()  # type: ignore[attr-defined]
        return copy.deepcopy(self._org.holiday_schemes)

    def holiday_scheme_members(self, scheme_id: int) -> list[str]:
        return list(self._org.scheme_members[scheme_id])

    def holidays(self, scheme_id: int, year: int) -> list[dict]:
        """The holidays of one scheme in one year, as GET .../holidays?year= serves them."""
        if scheme_id not in self._org.scheme_members:
            raise KeyError(scheme_id)
        if year not in HOLIDAY_YEARS:
            return []
        host = self._ensure_host()  # type: ignore[attr-defined]
        rows = [
            (holiday_id, name, note, _dt.date(year, month, day).isoformat(), seconds, "FIXED")
            for holiday_id, name, note, month, day, seconds in self._org.fixed_holidays[scheme_id]
        ] + [(*row, "FLOATING") for row in self._org.floating_holidays[(scheme_id, year)]]
        out = []
        for holiday_id, name, note, date, seconds, kind in sorted(rows, key=lambda row: (row[3], row[0])):
            holiday: dict[str, Any] = {
                "self": f"{host}/4/holiday-schemes/{scheme_id}/holidays/{holiday_id}",
                "id": holiday_id,
                "schemeId": scheme_id,
                "name": name,
                "type": kind,
                "date": date,
                "durationSeconds": seconds,
            }
            if note:
                holiday["description"] = note
            out.append(holiday)
        return out

    def timesheet_approvals(self, team_id: int, day: str) -> list[dict]:
        """The approvals of one team for the period (calendar month) containing ``day``."""
        if team_id not in self._org.memberships:
            raise KeyError(team_id)
        host = self._ensure_host()  # type: ignore[attr-defined]
        first, last = month_of(_dt.date.fromisoformat(day))
        team = next(t for t in self._org.teams if t["id"] == team_id)
        reviewer = (team.get("lead") or {}).get("accountId")
        out = []
        for account_id, member_from, member_to, commitment in self._org.memberships[team_id]:
            start, end = max(first.isoformat(), member_from), min(last.isoformat(), member_to)
            if start > end:
                continue
            out.append(self._approval(host, team_id, account_id, first, last, start, end, commitment, reviewer))
        return out

    def _approval(
        self,
        host: str,
        team_id: int,
        account_id: str,
        first: _dt.date,
        last: _dt.date,
        start: str,
        end: str,
        commitment: float,
        reviewer: str | None,
    ) -> dict[str, Any]:
        rng = random.Random(f"tempo-sandbox-approval:{self.seed}:{team_id}:{account_id}:{first}")  # type: ignore[attr-defined]
        period = f"from={first}&to={last}"
        required = int(_weekdays(_dt.date.fromisoformat(start), _dt.date.fromisoformat(end)) * 28800 * commitment)
        spent = max(0, required + rng.randrange(-4, 5) * 3600)
        membership_ends = end == next(m[2] for m in self._org.memberships[team_id] if m[0] == account_id)
        key = (
            rng.choice(["OPEN", "IN_REVIEW"])
            if membership_ends
            else ("APPROVED" if rng.random() < 0.9 else "IN_REVIEW")
        )
        user_base = f"{host}/4/timesheet-approvals/user/{account_id}"
        status: dict[str, Any] = {"key": key}
        if key != "OPEN":
            actor = reviewer if key == "APPROVED" and reviewer else account_id
            submitted = _seed.parse_ts(f"{last}T00:00:00Z") + rng.randrange(3600, 5 * 86400)
            status.update(
                actor={"self": _seed.user_link(actor), "accountId": actor},
                requiredSecondsAtSubmit=required,
                timeSpentSecondsAtSubmit=spent,
                updatedAt=_seed.fmt_epoch(submitted),
            )
            if rng.random() < 0.3:
                status["comment"] = rng.choice(["All good 👍", "Bitte Überstunden prüfen", "Submitted late, sorry"])
        actions = {
            "OPEN": ("submit",),
            "IN_REVIEW": ("approve", "reject", "recall"),
            "APPROVED": ("reopen",),
        }[key]
        approval: dict[str, Any] = {
            "self": f"{user_base}?{period}",
            "period": {"from": first.isoformat(), "to": last.isoformat()},
            "user": {"self": _seed.user_link(account_id), "accountId": account_id},
            "status": status,
            "requiredSeconds": required,
            "timeSpentSeconds": spent,
            "worklogs": {"self": f"{host}/4/worklogs/user/{account_id}?{period}"},
            "actions": {action: {"self": f"{user_base}/{action}?{period}"} for action in actions},
        }
        if reviewer:
            approval["reviewer"] = {"self": _seed.user_link(reviewer), "accountId": reviewer}
        return approval

    def _plans_in_scope(
        self, date_from: str, date_to: str, updated_from: str | None, daily: bool = False
    ) -> list[dict]:
        """Plans overlapping [from, to] (their last recurrence counts), updated at or after updatedFrom; with
        ``daily`` (``plannedTimeBreakdown=DAILY``) each carries its days in [from, to] (``plan_days``)."""
        out = []
        for stored in self._org.plans:
            last_day = max(stored["endDate"], stored.get("recurrenceEndDate") or stored["endDate"])
            if stored["startDate"] > date_to or last_day < date_from:
                continue
            if updated_from is not None and stored["updatedAt"][:19] + "Z" < updated_from:
                continue
            plan = copy.deepcopy(stored)
            start, end = max(plan["startDate"], date_from), min(plan["endDate"], date_to)
            if start > end:
                in_scope = 0
            elif plan["includeNonWorkingDays"]:
                in_scope = (_dt.date.fromisoformat(end) - _dt.date.fromisoformat(start)).days + 1
            else:
                in_scope = _weekdays(_dt.date.fromisoformat(start), _dt.date.fromisoformat(end))
            plan["totalPlannedSecondsInScope"] = min(
                plan["totalPlannedSeconds"], in_scope * plan["plannedSecondsPerDay"]
            )
            if daily:
                days = plan_days(plan, date_from, date_to)
                plan["plannedTime"]["days"] = {"count": len(days), "values": days}
            out.append(plan)
        return out

    # -- mutation --------------------------------------------------------------------------
    def edit_plan(self, plan_id: int, **changes: Any) -> dict:
        """Change fields of a plan and bump its updatedAt to clock_now() (``.000Z`` form)."""
        with self._lock:  # type: ignore[attr-defined]
            plan = next((p for p in self._org.plans if p["id"] == int(plan_id)), None)
            if plan is None:
                raise KeyError(plan_id)
            unknown = set(changes) - set(plan) - {"description"}
            if unknown:
                raise ValueError(f"unknown plan field(s): {sorted(unknown)}")
            plan.update(changes)
            plan["updatedAt"] = self._clock_str()[:-1] + ".000Z"  # type: ignore[attr-defined]
            return copy.deepcopy(plan)

    # -- endpoints ---------------------------------------------------------------------------
    def _get_teams(self, path, query, qpairs, body) -> bytes:
        blobs = [_seed.dumps(team) for team in self._org.teams]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_plans(self, path, query, qpairs, body) -> bytes:
        q = dict(qpairs)
        date_from, date_to = _common.required_date_window(q)
        updated = q.get("updatedFrom")
        updated_from = _common.parse_updated_from(updated) if updated not in (None, "") else None
        breakdown = {value for name, value in qpairs if name == "plannedTimeBreakdown"}
        plans = self._plans_in_scope(date_from, date_to, updated_from, daily="DAILY" in breakdown)
        blobs = [_seed.dumps(plan) for plan in plans]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_timesheet_approvals(self, path, query, qpairs, body) -> bytes:
        team_id = _path_id(_APPROVALS_PATH, path, "Team")
        q = dict(qpairs)
        if q.get("from") in (None, ""):
            raise _common.ApiError(400, "'from' is required")
        day = _common.parse_date(q["from"], "from")
        if q.get("to") not in (None, "") and _common.parse_date(q["to"], "to") < day:
            raise _common.ApiError(400, f"'from' ({day}) must be before or equal to 'to' ({q['to']})")
        records = _found("Team", self.timesheet_approvals, team_id, day)
        return _results_body(self._host, path, query, records)

    def _get_holiday_schemes(self, path, query, qpairs, body) -> bytes:
        return _results_body(self._host, path, query, self._org.holiday_schemes)

    def _get_holidays(self, path, query, qpairs, body) -> bytes:
        scheme_id = _path_id(_HOLIDAYS_PATH, path, "Holiday scheme")
        year = dict(qpairs).get("year")
        try:
            year_number = int(year) if year not in (None, "") else self.clock_now().year  # type: ignore[attr-defined]
        except ValueError:
            raise _common.ApiError(400, f"Invalid value for year: '{year}'. It must be an integer") from None
        return _results_body(self._host, path, query, _found("Holiday scheme", self.holidays, scheme_id, year_number))

    def _get_holiday_scheme_members(self, path, query, qpairs, body) -> bytes:
        scheme_id = _path_id(_SCHEME_MEMBERS_PATH, path, "Holiday scheme")
        members = _found("Holiday scheme", self.holiday_scheme_members, scheme_id)
        blobs = [_seed.dumps({"self": _seed.user_link(account_id), "accountId": account_id}) for account_id in members]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]


ORG_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/teams": {"GET": OrgEndpoints._get_teams},
    "/4/plans": {"GET": OrgEndpoints._get_plans},
    "/4/holiday-schemes": {"GET": OrgEndpoints._get_holiday_schemes},
}
ORG_PATH_ROUTES: list[tuple[re.Pattern[str], dict[str, Callable[..., bytes]]]] = [
    (_APPROVALS_PATH, {"GET": OrgEndpoints._get_timesheet_approvals}),
    (_HOLIDAYS_PATH, {"GET": OrgEndpoints._get_holidays}),
    (_SCHEME_MEMBERS_PATH, {"GET": OrgEndpoints._get_holiday_scheme_members}),
]
