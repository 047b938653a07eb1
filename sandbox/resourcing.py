"""Permission roles, skill assignments and flex plans of the Tempo sandbox.

``generate_resourcing`` builds them from the teams, users, team memberships, generic resources and skills already
seeded, with a random stream of its own (so nothing else in the seed changed); a pure function of its arguments:

* Permission roles: per team a non-editable "Team lead" role (the lead, or nobody, may view and approve
  worklogs, timesheets and plans of the team) and an editable "Team viewers" role (two members may view); and two
  GLOBAL roles without access entities ("Tempo administrators", "Finance"). Ids 1, 2, ... in that order.
* Skill assignments: every user with a team membership and every generic resource has 0 to 3 of the seeded skills
  (PageableSkillAssignment: ``{assigneeId, assigneeType, self, skills}``).
* Flex plans: 8 flex plans of the teams and Jira issues, in 2024-2026.

Endpoints (see server.py for the shared behaviour: auth, paging, errors)::

    GET  /4/permission-roles            offset/limit; ``teamId`` keeps the roles whose access entities hold that team
    GET  /4/permission-roles/global     offset/limit: the GLOBAL roles
    POST /4/skill-assignments/search    SkillAssignmentsSearchInput ``{assignees: [{assigneeId, assigneeType}]}``
    POST /4/flex-plans/search           FlexPlanSearchInput: from, to, teamIds, issueIds, flexPlanIds

Assumed where Tempo's documentation is silent: GET /4/permission-roles without ``teamId`` answers every role, GLOBAL
ones too ("all Permission Roles"). The skill search answers one record per known assignee asked for (in the order
asked, an assignee without skills with an empty list, unknown ones left out), paged by ``offset``/``limit`` in the
query like the lists (PageableSkillAssignment); ``assignees`` is required, 0 to 100 entries whose ``assigneeId`` is a
non-empty string and ``assigneeType`` USER or GENERIC (400 otherwise). The flex plan search answers every flex plan
overlapping [from, to] (either may be missing; ``YYYY-MM-DD``, 400 otherwise) that matches the id filters, in one
answer (``{flexPlans, issueIds}``: no paging), ordered by id.

The data is rendered per request with the current Tempo host, so ``faults.next_host`` applies to its links too.
"""

from __future__ import annotations

import datetime as _dt
import random
from typing import Any, Callable

from . import common as _common
from . import seed as _seed

_TEAM_LEAD_PERMISSIONS = [
    "permissions.worklog.view",
    "permissions.worklog.manage",
    "permissions.approval.view",
    "permissions.approval.manage",
    "permissions.plan.view",
    "permissions.plan.manage",
]
_VIEWER_PERMISSIONS = ["permissions.worklog.view", "permissions.approval.view", "permissions.plan.view"]
_GLOBAL_ROLES = [
    ("Tempo administrators", ["tempo.administrator", "tempo.accounts.manage", "tempo.teams.manage"]),
    ("Finance", ["tempo.accounts.view", "tempo.financialmanager.view"]),
]
_FLEX_TITLES = ["Release hardening", "Kundenworkshop", "Data migration", "Onboarding 👋", "Q3 roadmap", "Support rota"]


def _user(account_id: str) -> dict[str, str]:
    return {"self": _seed.user_link(account_id), "accountId": account_id}


def generate_resourcing(
    seed: int,
    host: str,
    teams: list[dict[str, Any]],
    memberships: list[dict[str, Any]],
    generic_resources: list[dict[str, Any]],
    skills: list[dict[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """``{"roles": [...], "skill_assignments": [...], "flex_plans": [...]}`` for these seeded records."""
    rng = random.Random(f"tempo-sandbox-resourcing:{seed}")
    members: dict[int, list[str]] = {}
    for membership in memberships:
        members.setdefault(membership["team"]["id"], [])
        if membership["member"]["accountId"] not in members[membership["team"]["id"]]:
            members[membership["team"]["id"]].append(membership["member"]["accountId"])
    roles: list[dict[str, Any]] = []

    def role(name: str, access: str, editable: bool, team_ids: list[int], users: list[str], keys: list[str]) -> None:
        role_id = len(roles) + 1
        roles.append(
            {
                "self": f"{host}/4/permission-roles/{role_id}",
                "id": role_id,
                "name": name,
                "accessType": access,
                "editable": editable,
                "accessEntities": [{"self": f"{host}/4/teams/{team_id}", "id": team_id} for team_id in team_ids],
                "permittedUsers": [_user(account_id) for account_id in users],
                "permissions": [{"key": key} for key in keys],
            }
        )

    for team in teams:
        lead = (team.get("lead") or {}).get("accountId")
        role(f"Team lead: {team['name']}", "TEAM", False, [team["id"]], [lead] if lead else [], _TEAM_LEAD_PERMISSIONS)
        viewers = members.get(team["id"], [])
        role(f"Team viewers: {team['name']}", "TEAM", True, [team["id"]], viewers[:2], _VIEWER_PERMISSIONS)
    everyone = sorted({account_id for team_members in members.values() for account_id in team_members})
    for name, keys in _GLOBAL_ROLES:
        role(name, "GLOBAL", True, [], rng.sample(everyone, min(2, len(everyone))), keys)

    def skill_refs() -> list[dict[str, Any]]:
        chosen = sorted(rng.sample(range(len(skills)), rng.randrange(0, min(4, len(skills) + 1))))
        return [{"self": skills[i]["self"], "id": skills[i]["id"], "name": skills[i]["name"]} for i in chosen]

    assignments = [
        {
            "self": f"{host}/4/skill-assignments/{account_id}/USER",
            "assigneeId": account_id,
            "assigneeType": "USER",
            "skills": skill_refs(),
        }
        for account_id in everyone
    ]
    assignments += [
        {
            "self": f"{host}/4/skill-assignments/{resource['id']}/GENERIC",
            "assigneeId": str(resource["id"]),
            "assigneeType": "GENERIC",
            "skills": skill_refs(),
        }
        for resource in generic_resources
    ]

    flex_plans = []
    first = _dt.date(2024, 1, 1)
    for flex_id in range(1, 9):
        start = first + _dt.timedelta(days=rng.randrange(0, 900))
        plan: dict[str, Any] = {
            "self": f"{host}/4/flex-plans/{flex_id}",
            "id": flex_id,
            "title": rng.choice(_FLEX_TITLES),
            "startDate": start.isoformat(),
            "endDate": (start + _dt.timedelta(days=rng.choice([13, 27, 59, 89]))).isoformat(),
            "plannedSeconds": rng.choice([36000, 144000, 288000, 576000]),
            "teamId": rng.choice(teams)["id"],
        }
        if rng.random() < 0.75:
            plan["issueId"] = 10000 + rng.randrange(1500)
        if rng.random() < 0.6:
            plan["description"] = rng.choice(["Capacity for the release", "Shared pool, see Confluence", ""])
        flex_plans.append(plan)
    return {"roles": roles, "skill_assignments": assignments, "flex_plans": flex_plans}


def data(sandbox: Any) -> dict[str, list[dict[str, Any]]]:
    host = sandbox._ensure_host()
    return generate_resourcing(
        sandbox.seed,
        host,
        sandbox.teams(),
        sandbox.team_memberships(),
        sandbox.catalog("generic_resources"),
        sandbox.catalog("skills"),
    )


def _roles_page(sandbox: Any, path: str, query: str, qpairs: list, roles: list[dict[str, Any]]) -> bytes:
    blobs = [_seed.dumps(record) for record in roles]
    return sandbox._page_body(path, query, qpairs, sandbox._list_page(blobs))


def get_permission_roles(sandbox: Any, path: str, query: str, qpairs: list, body: bytes) -> bytes:
    roles = data(sandbox)["roles"]
    team = dict(qpairs).get("teamId")
    if team not in (None, ""):
        roles = [r for r in roles if any(str(e["id"]) == team for e in r["accessEntities"])]
    return _roles_page(sandbox, path, query, qpairs, roles)


def get_global_permission_roles(sandbox: Any, path: str, query: str, qpairs: list, body: bytes) -> bytes:
    roles = [r for r in data(sandbox)["roles"] if r["accessType"] == "GLOBAL"]
    return _roles_page(sandbox, path, query, qpairs, roles)


def search_skill_assignments(sandbox: Any, path: str, query: str, qpairs: list, body: bytes) -> bytes:
    search = sandbox._json_body(body, required=True)
    assignees = search.get("assignees")
    if not isinstance(assignees, list):
        raise _common.ApiError(400, "'assignees' is required and must be a list")
    if len(assignees) > 100:
        raise _common.ApiError(400, "'assignees' must have at most 100 entries")
    known = {(a["assigneeId"], a["assigneeType"]): a for a in data(sandbox)["skill_assignments"]}
    results = []
    for assignee in assignees:
        if not isinstance(assignee, dict):
            raise _common.ApiError(400, "each assignee must be an object")
        assignee_id, kind = assignee.get("assigneeId"), assignee.get("assigneeType")
        if not isinstance(assignee_id, str) or not assignee_id:
            raise _common.ApiError(400, "assigneeId must be a non-empty string")
        if kind not in ("USER", "GENERIC"):
            raise _common.ApiError(400, "assigneeType must be USER or GENERIC")
        if (assignee_id, kind) in known:
            results.append(known[(assignee_id, kind)])
    blobs = [_seed.dumps(record) for record in results]
    return sandbox._page_body(path, query, qpairs, sandbox._list_page(blobs))


def search_flex_plans(sandbox: Any, path: str, query: str, qpairs: list, body: bytes) -> bytes:
    search = sandbox._json_body(body)
    date_from = _common.parse_date(search["from"], "from") if search.get("from") else None
    date_to = _common.parse_date(search["to"], "to") if search.get("to") else None
    plans = []
    for plan in data(sandbox)["flex_plans"]:
        if (date_from and plan["endDate"] < date_from) or (date_to and plan["startDate"] > date_to):
            continue
        if search.get("teamIds") and plan["teamId"] not in set(search["teamIds"]):
            continue
        if search.get("flexPlanIds") and plan["id"] not in set(search["flexPlanIds"]):
            continue
        if search.get("issueIds") and plan.get("issueId") not in set(search["issueIds"]):
            continue
        plans.append(plan)
    issue_ids = sorted({plan["issueId"] for plan in plans if "issueId" in plan})
    return _seed.dumps({"flexPlans": plans, "issueIds": issue_ids})


RESOURCING_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/permission-roles": {"GET": get_permission_roles},
    "/4/permission-roles/global": {"GET": get_global_permission_roles},
    "/4/skill-assignments/search": {"POST": search_skill_assignments},
    "/4/flex-plans/search": {"POST": search_flex_plans},
}
