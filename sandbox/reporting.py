"""Team memberships, workload-scheme members, account links, user schedules and timesheet approval logs of the
Tempo sandbox.

``generate_reporting`` seeds them from the users, accounts, workload schemes and teams already seeded (``seed.py``,
``org.py``), with a random stream of its own, so adding them changed none of that data -- except each workload
scheme's ``memberCount``, which now counts its members. Like the rest of the seed it never reads the current date:

* Team memberships: one per (team, user) of ``org.py``'s memberships (the same months), ids 1, 2, ... in team
  order; the team lead has role "Team Lead", the others "Member" or "Developer" (ROLES). ``to`` is exclusive
  (the day after the last day, as Tempo sends it), ``inclusiveTo`` the last day.
* Workload-scheme members: every seeded user in exactly one workload scheme, most in the default one.
* Account links: 0-3 links per account (archived ones too) to Jira projects 10000-10006; the first link to a
  project is that project's default.
* User schedules: computed per request from the user's workload scheme (the required seconds of each weekday)
  and holiday scheme (``org.py``'s holidays, 2022-2026 only): a holiday takes its ``durationSeconds`` off the
  day; ``type`` is WORKING_DAY, NON_WORKING_DAY, HOLIDAY or HOLIDAY_AND_NON_WORKING_DAY.
* Timesheet approval logs: the history behind ``org.py``'s approvals (2022-2025): an approved timesheet was
  submitted (IN_REVIEW, by its user) and then approved (APPROVED, by the team lead, at the approval's
  ``status.updatedAt``); one in review was submitted. A user in both teams has one history per period (the
  first team's). Open timesheets have none.

Endpoints (see server.py for the shared behaviour: auth, paging, errors)::

    POST /4/team-memberships/search            MembershipSearchInput (teamIds, accountIds, roleIds); offset/limit
    GET  /4/workload-schemes/{id}/members      offset/limit (PageableUser)
    GET  /4/accounts/{key}/links               offset/limit (PageableAccountLink)
    GET  /4/user-schedule/{accountId}          from, to (both required; DayScheduleResults, not paginated)
    POST /4/timesheet-approvals/logs/search    TimesheetApprovalLogSearchInput; nextPageToken/limit in the query

Assumed where Tempo's documentation is silent: an unknown workload scheme, account key or user answers 404
(``... cannot be found in the system``), like the other endpoints; ``from``/``to`` of user-schedule must be
``YYYY-MM-DD`` with from <= to (400 otherwise, 400 when one is missing) and any span is answered. Approval logs
are ordered by (updatedAt, insertion order); ``updatedFrom`` is parsed like the worklogs' one, inclusive, and must
not be more than 2 years before the sandbox clock (400, Tempo's rule); a missing ``updatedFrom`` means 2 years
ago. ``limit`` is 1..5000 (default 50); ``nextPageToken`` names the last entry served (entries recorded meanwhile
are not skipped); ``metadata`` has ``limit`` and, only when more follow, ``nextPageToken`` and ``nextPageUrl``.

Changes (Python API; HTTP under ``/_control``)::

    set_workload_scheme(account_id, scheme_id)          POST /_control/workload-scheme-members {accountId, schemeId}
    timesheet_approval_action(account_id, period_from, action)
                                                        POST /_control/timesheet-approval-actions
                                                             {accountId, periodFrom, action}

``action`` is submit (-> IN_REVIEW), approve (-> APPROVED), reject, recall or reopen (-> OPEN); it appends a
log entry stamped with the clock (never earlier than a second after the newest entry). GET
/4/timesheet-approvals/team/{id} does not see these actions: it serves ``org.py``'s seeded approvals.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as _dt
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

from . import common as _common
from . import seed as _seed

#: Tempo role ids and names of the seeded memberships.
ROLES = {1: "Member", 2: "Developer", 3: "Team Lead"}
PROJECTS = range(10000, 10007)
_DAY = _dt.timedelta(days=1)
_WEEKDAYS = _seed.WEEKDAYS
_ACTIONS = {"submit": "IN_REVIEW", "approve": "APPROVED", "reject": "OPEN", "recall": "OPEN", "reopen": "OPEN"}


@dataclass
class ReportingData:
    #: TeamMembership records without their Tempo links: (id, team id, accountId, first day, last day,
    #: commitment percent, role id)
    memberships: list[tuple[int, int, str, str, str, int, int]] = field(default_factory=list)
    #: accountId -> workload scheme id
    workload_scheme_of: dict[str, int] = field(default_factory=dict)
    #: account key -> [(link id, project id, default)]
    account_links: dict[str, list[tuple[int, int, bool]]] = field(default_factory=dict)
    #: approval log entries (TimesheetApprovalLog shape, Jira links only), ordered by (updatedAt, insertion)
    logs: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


def generate_reporting(
    seed: int,
    users: list[str],
    account_keys: list[str],
    scheme_ids: list[int],
    default_scheme: int,
    org_memberships: dict[int, list[tuple[str, str, str, float]]],
    team_leads: dict[int, str | None],
) -> ReportingData:
    """The seeded reporting data (the logs are added by ReportingEndpoints from the seeded approvals)."""
    rng = random.Random(f"tempo-sandbox-reporting:{seed}")
    data = ReportingData()
    membership_id = 0
    for team_id, spans in org_memberships.items():
        for account_id, first, last, commitment in spans:
            membership_id += 1
            role = 3 if team_leads.get(team_id) == account_id else rng.choice([1, 2])
            data.memberships.append((membership_id, team_id, account_id, first, last, int(commitment * 100), role))
    others = [s for s in scheme_ids if s != default_scheme]
    for account_id in users:
        data.workload_scheme_of[account_id] = default_scheme if rng.random() < 0.6 else rng.choice(others)
    link_id = 0
    defaults: set[int] = set()
    for key in account_keys:
        links = []
        for project in rng.sample(list(PROJECTS), rng.choice([0, 1, 1, 2, 3])):
            link_id += 1
            links.append((link_id, project, project not in defaults))
            defaults.add(project)
        data.account_links[key] = links
    return data


def _user(account_id: str) -> dict[str, str]:
    return {"self": _seed.user_link(account_id), "accountId": account_id}


def _month_end(first: str) -> str:
    day = _dt.date.fromisoformat(first)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()


_SCHEME_MEMBERS_PATH = re.compile(r"^/4/workload-schemes/([^/]+)/members$")
_ACCOUNT_LINKS_PATH = re.compile(r"^/4/accounts/([^/]+)/links$")
_USER_SCHEDULE_PATH = re.compile(r"^/4/user-schedule/([^/]+)$")


class ReportingEndpoints:
    """The endpoints above; TempoSandbox inherits them."""

    _reporting: ReportingData
    _host: str

    # -- seed -------------------------------------------------------------------------------
    def _load_reporting(self, seed: int, users: list[str]) -> None:
        schemes = self._schemes  # type: ignore[attr-defined]
        org = self._org  # type: ignore[attr-defined]
        self._reporting = generate_reporting(
            seed,
            users,
            [account["key"] for account in self._accounts],  # type: ignore[attr-defined]
            [scheme["id"] for scheme in schemes],
            next(scheme["id"] for scheme in schemes if scheme["defaultScheme"]),
            org.memberships,
            {team["id"]: (team.get("lead") or {}).get("accountId") for team in org.teams},
        )
        self._log_seq = 0
        self._count_scheme_members()
        seen: set[tuple[str, str]] = set()
        for team_id in org.memberships:
            for year in range(2022, 2026):
                for month in range(1, 13):
                    for approval in self.timesheet_approvals(team_id, f"{year}-{month:02d}-01"):  # type: ignore[attr-defined]
                        key = (approval["user"]["accountId"], approval["period"]["from"])
                        if key not in seen:
                            seen.add(key)
                            self._seed_history(approval)

    def _seed_history(self, approval: dict[str, Any]) -> None:
        status = approval["status"]
        if status["key"] == "OPEN":
            return
        account_id = approval["user"]["accountId"]
        done = _seed.parse_ts(status["updatedAt"])
        submitted = {k: v for k, v in status.items() if k not in ("actor", "key", "updatedAt")}
        base = {"period": approval["period"], "user": _user(account_id)}
        if "reviewer" in approval:
            base["reviewer"] = _user(approval["reviewer"]["accountId"])
        rng = random.Random(f"tempo-sandbox-log:{account_id}:{approval['period']['from']}")
        if status["key"] == "APPROVED":
            at = done - rng.randrange(3600, 3 * 86400)
            self._append_log(at, {**base, "status": {"key": "IN_REVIEW", "actor": _user(account_id), **submitted}})
        self._append_log(done, {**base, "status": dict(status)})

    def _append_log(self, epoch: int, entry: dict[str, Any]) -> dict[str, Any]:
        entry["status"]["updatedAt"] = _seed.fmt_epoch(epoch)
        self._log_seq += 1
        logs = self._reporting.logs
        logs.insert(bisect.bisect_right(logs, (epoch, self._log_seq)), (epoch, self._log_seq, entry))
        return entry

    def _count_scheme_members(self) -> None:
        """Each workload scheme's memberCount is the number of its members (the served bytes are rebuilt)."""
        for scheme in self._schemes:  # type: ignore[attr-defined]
            scheme["memberCount"] = len(self.workload_scheme_members(scheme["id"]))
        self._small_bytes()  # type: ignore[attr-defined]

    # -- data access (fresh copies) -----------------------------------------------------------
    def team_memberships(self) -> list[dict]:
        """Every membership as POST /team-memberships/search serves it, ordered by id."""
        host = self._ensure_host()  # type: ignore[attr-defined]
        teams = {team["id"]: team["name"] for team in self._org.teams}  # type: ignore[attr-defined]
        out = []
        for membership_id, team_id, account_id, first, last, percent, role in self._reporting.memberships:
            out.append(
                {
                    "self": f"{host}/4/team-memberships/{membership_id}",
                    "id": membership_id,
                    "team": {"self": f"{host}/4/teams/{team_id}", "id": team_id, "name": teams[team_id]},
                    "member": _user(account_id),
                    "role": {"self": f"{host}/4/roles/{role}", "id": role, "name": ROLES[role]},
                    "commitmentPercent": percent,
                    "from": first,
                    "to": (_dt.date.fromisoformat(last) + _DAY).isoformat(),
                    "inclusiveTo": last,
                }
            )
        return out

    def workload_scheme_members(self, scheme_id: int) -> list[str]:
        if scheme_id not in {scheme["id"] for scheme in self._schemes}:  # type: ignore[attr-defined]
            raise KeyError(scheme_id)
        return [user for user, scheme in self._reporting.workload_scheme_of.items() if scheme == scheme_id]

    def account_links(self, account_key: str) -> list[dict]:
        host = self._ensure_host()  # type: ignore[attr-defined]
        return [
            {
                "self": f"{host}/4/account-links/{link_id}",
                "id": link_id,
                "account": {"self": f"{host}/4/accounts/{account_key}"},
                "scope": {"self": f"{_seed.JIRA_SITE}/rest/api/2/project/{project}", "id": project, "type": "PROJECT"},
                "default": default,
            }
            for link_id, project, default in self._reporting.account_links[account_key]
        ]

    def user_schedule(self, account_id: str, date_from: str, date_to: str) -> list[dict]:
        """The user's days in [from, to] as GET /user-schedule/{accountId} serves them."""
        scheme_id = self._reporting.workload_scheme_of[account_id]
        scheme = next(s for s in self._schemes if s["id"] == scheme_id)  # type: ignore[attr-defined]
        required = {d["day"]: d["requiredSeconds"] for d in scheme["days"]}
        org = self._org  # type: ignore[attr-defined]
        holiday_scheme = next(s for s, members in org.scheme_members.items() if account_id in members)
        holidays: dict[int, dict[str, dict]] = {}
        day, last = _dt.date.fromisoformat(date_from), _dt.date.fromisoformat(date_to)
        out = []
        while day <= last:
            if day.year not in holidays:
                by_date = {h["date"]: h for h in self.holidays(holiday_scheme, day.year)}  # type: ignore[attr-defined]
                holidays[day.year] = by_date
            seconds = required[_WEEKDAYS[day.weekday()]]
            holiday = holidays[day.year].get(day.isoformat())
            record: dict[str, Any] = {"date": day.isoformat()}
            if holiday is None:
                record.update(requiredSeconds=seconds, type="WORKING_DAY" if seconds else "NON_WORKING_DAY")
            else:
                kind = "HOLIDAY" if seconds else "HOLIDAY_AND_NON_WORKING_DAY"
                record.update(requiredSeconds=max(0, seconds - holiday["durationSeconds"]), type=kind, holiday=holiday)
            out.append(record)
            day += _DAY
        return out

    def timesheet_approval_logs(self) -> list[dict]:
        """Every approval log entry, in serving order."""
        return [json.loads(json.dumps(entry)) for _, _, entry in self._reporting.logs]

    # -- changes ------------------------------------------------------------------------------
    def set_workload_scheme(self, account_id: str, scheme_id: int) -> None:
        """Moves a user to another workload scheme: every day of their schedule follows it."""
        with self._lock:  # type: ignore[attr-defined]
            if account_id not in self._reporting.workload_scheme_of:
                raise KeyError(account_id)
            self.workload_scheme_members(int(scheme_id))  # KeyError for an unknown scheme
            self._reporting.workload_scheme_of[account_id] = int(scheme_id)
            self._count_scheme_members()

    def timesheet_approval_action(self, account_id: str, period_from: str, action: str) -> dict:
        """Records a status change of one user's timesheet (the period starting at period_from); returns the entry."""
        if action not in _ACTIONS:
            raise ValueError(f"action must be one of {sorted(_ACTIONS)}")
        _common.parse_date(period_from, "periodFrom")
        with self._lock:  # type: ignore[attr-defined]
            if account_id not in self._reporting.workload_scheme_of:
                raise KeyError(account_id)
            logs = self._reporting.logs
            previous = next(
                (
                    e
                    for _, _, e in reversed(logs)
                    if (e["user"]["accountId"], e["period"]["from"]) == (account_id, period_from)
                ),
                None,
            )
            entry: dict[str, Any] = {
                "period": {"from": period_from, "to": _month_end(period_from)},
                "user": _user(account_id),
            }
            reviewer = (previous or {}).get("reviewer")
            if reviewer:
                entry["reviewer"] = dict(reviewer)
            actor = reviewer["accountId"] if reviewer and action in ("approve", "reject", "reopen") else account_id
            entry["status"] = {"key": _ACTIONS[action], "actor": _user(actor)}
            now = int(self.clock_now().timestamp())  # type: ignore[attr-defined]
            epoch = max(now, logs[-1][0] + 1) if logs else now
            return json.loads(json.dumps(self._append_log(epoch, entry)))

    def _reporting_control(self, method: str, path: str, body: dict) -> tuple[int, bytes] | None:
        """The /_control routes of this module, or None for another path."""
        if path == "/_control/workload-scheme-members" and method == "POST":
            self.set_workload_scheme(str(body["accountId"]), int(body["schemeId"]))
            return 200, b'{"ok":true}'
        if path == "/_control/timesheet-approval-actions" and method == "POST":
            entry = self.timesheet_approval_action(str(body["accountId"]), str(body["periodFrom"]), str(body["action"]))
            return 201, _seed.dumps(entry)
        return None

    # -- endpoints ----------------------------------------------------------------------------
    def _search_team_memberships(self, path, query, qpairs, body) -> bytes:
        inp = self._json_body(body)  # type: ignore[attr-defined]
        filters: dict[str, set | None] = {}
        for name, kind in (("teamIds", int), ("accountIds", str), ("roleIds", int)):
            values = inp.get(name)
            if values is not None and not isinstance(values, list):
                raise _common.ApiError(400, f"{name} must be a list")
            try:
                filters[name] = {kind(v) for v in values} if values else None
            except (TypeError, ValueError):
                raise _common.ApiError(400, f"Invalid value for {name}: {values}") from None
        records = [
            m
            for m in self.team_memberships()
            if (filters["teamIds"] is None or m["team"]["id"] in filters["teamIds"])
            and (filters["accountIds"] is None or m["member"]["accountId"] in filters["accountIds"])
            and (filters["roleIds"] is None or m["role"]["id"] in filters["roleIds"])
        ]
        blobs = [_seed.dumps(m) for m in records]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_workload_scheme_members(self, path, query, qpairs, body) -> bytes:
        value = _SCHEME_MEMBERS_PATH.match(path).group(1)
        try:
            members = self.workload_scheme_members(int(value))
        except (KeyError, ValueError):
            raise _common.ApiError(404, "Workload scheme cannot be found in the system") from None
        blobs = [_seed.dumps(_user(account_id)) for account_id in members]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_account_links(self, path, query, qpairs, body) -> bytes:
        key = _ACCOUNT_LINKS_PATH.match(path).group(1)
        if key not in self._reporting.account_links:
            raise _common.ApiError(404, "Account cannot be found in the system")
        blobs = [_seed.dumps(link) for link in self.account_links(key)]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_user_schedule(self, path, query, qpairs, body) -> bytes:
        account_id = _USER_SCHEDULE_PATH.match(path).group(1)
        q = dict(qpairs)
        date_from, date_to = _common.required_date_window(q)
        if account_id not in self._reporting.workload_scheme_of:
            raise _common.ApiError(404, "User cannot be found in the system")
        records = self.user_schedule(account_id, date_from, date_to)
        self_url = f"{self._host}{path}?{query}" if query else f"{self._host}{path}"
        return _seed.dumps({"self": self_url, "metadata": {"count": len(records)}, "results": records})

    def _search_timesheet_approval_logs(self, path, query, qpairs, body) -> bytes:
        q = dict(qpairs)
        limit = _common._int_param(q.get("limit"), "limit", 50)
        if not 1 <= limit <= 5000:
            raise _common.ApiError(400, "limit must be between 1 and 5000")
        inp = self._json_body(body)  # type: ignore[attr-defined]
        now = self.clock_now()  # type: ignore[attr-defined]
        oldest_day = now.date().replace(year=now.year - 2, day=min(now.day, 28) if now.month == 2 else now.day)
        oldest = _seed.parse_ts(f"{oldest_day.isoformat()}T00:00:00Z")
        updated = inp.get("updatedFrom")
        if updated in (None, ""):
            updated_from = oldest
        else:
            updated_from = _seed.parse_ts(_common.parse_updated_from(str(updated)))
            if updated_from < oldest:
                raise _common.ApiError(400, "The 'updatedFrom' must be within past 2 years")
        users = inp.get("userAccountIds")
        if users is not None and not isinstance(users, list):
            raise _common.ApiError(400, "userAccountIds must be a list")
        user_set = {str(u) for u in users} if users else None
        after = _common._decode_token(q["nextPageToken"]) if q.get("nextPageToken") else None
        with self._lock:  # type: ignore[attr-defined]
            entries = list(self._reporting.logs)
        served: list[tuple[int, int, dict]] = []
        more = False
        for epoch, seq, entry in entries:
            if epoch < updated_from or (after is not None and (epoch, seq) <= after):
                continue
            if user_set is not None and entry["user"]["accountId"] not in user_set:
                continue
            if len(served) >= limit:
                more = True
                break
            served.append((epoch, seq, entry))
        meta: dict[str, Any] = {"limit": limit}
        if more:
            token = _common._encode_token(served[-1][0], served[-1][1])
            meta["nextPageToken"] = token
            meta["nextPageUrl"] = f"{self._host}{path}?{urlencode([('nextPageToken', token), ('limit', limit)])}"
        return _common._envelope(self._host, path, query, meta, [_seed.dumps(e) for _, _, e in served])


REPORTING_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/team-memberships/search": {"POST": ReportingEndpoints._search_team_memberships},
    "/4/timesheet-approvals/logs/search": {"POST": ReportingEndpoints._search_timesheet_approval_logs},
}
REPORTING_PATH_ROUTES: list[tuple[re.Pattern[str], dict[str, Callable[..., bytes]]]] = [
    (_SCHEME_MEMBERS_PATH, {"GET": ReportingEndpoints._get_workload_scheme_members}),
    (_ACCOUNT_LINKS_PATH, {"GET": ReportingEndpoints._get_account_links}),
    (_USER_SCHEDULE_PATH, {"GET": ReportingEndpoints._get_user_schedule}),
]
