"""Tempo's catalogs and settings in the sandbox: account categories and their types, work attributes, roles,
programs, generic resources, skills, timesheet periods and the global configuration.

``generate_catalogs`` builds them from the seed's categories, work-attribute keys, users and teams, with a random
stream of its own (so nothing else in the seed changed); a pure function of its arguments.  They are consistent
with the rest of the sandbox: the categories are the ones accounts carry, the work attributes are the keys
worklogs use, the program ``Customer Platform`` holds team 3, periods are calendar months like the timesheet
approvals, and the global configuration says so (``approvalPeriod: MONTH``).

What the endpoints assume where Tempo's documentation is silent:

* account-categories, account-category-types, roles and programs are unpaginated (``{self, metadata: {count},
  results}``); ``GET /4/account-categories?id=N`` answers that category only (none when unknown).
* work-attributes and skills page with ``offset``/``limit`` in the query like the other lists.
* ``POST /4/generic-resources/search`` takes ``offset``/``limit`` (and ``ids``, ``query``) in the JSON body; its
  answer has no ``self`` (PageableGenericResourceWithoutSelfLink) and ``metadata.next`` only when more exist.
* ``GET /4/periods``: ``from`` and ``to`` are required ``YYYY-MM-DD`` (400 otherwise, 400 when from > to); the
  answer is ``{"periods": [{from, to}, ...]}``, every calendar month that overlaps [from, to].
* ``GET /4/globalconfiguration`` answers one object.
"""

from __future__ import annotations

import copy
import datetime as _dt
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from . import common as _common
from . import org as _org
from . import seed as _seed

CATEGORY_TYPES = ["BILLABLE", "NON_BILLABLE", "CAPITALIZED", "OPERATIONAL"]
_WORK_ATTRIBUTES = [
    ("_Billable_", "Billable", "CHECKBOX", True),
    ("_Account_", "Account", "ACCOUNT", False),
    ("_Location_", "Location", "STATIC_LIST", False),
    ("_Color_", "Colour", "STATIC_LIST", False),
    ("_Ticket_", "Support ticket", "INPUT_FIELD", False),
    ("_Overtime_", "Overtime hours", "INPUT_NUMERIC", False),
]
_STATIC_LISTS = {"_Location_": _seed._LOCATIONS, "_Color_": _seed._COLORS}
_ROLES = ["Member", "Developer", "Team lead", "Product owner", "Designer"]
_SKILLS = ["Java", "Python", "Kotlin", "SQL", "React", "AWS", "Kubernetes", "UX research", "Støtte på norsk", "日本語"]
_GENERIC_RESOURCES = ["Backend Developer", "Frontend Developer", "QA Engineer", "Data Engineer", "Designer (contract)"]
_SEED_START_EPOCH = int(_dt.datetime(2022, 1, 1, tzinfo=_dt.timezone.utc).timestamp())


@dataclass
class CatalogData:
    category_types: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    work_attributes: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    programs: list[dict[str, Any]] = field(default_factory=list)
    generic_resources: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    global_configuration: dict[str, Any] = field(default_factory=dict)


def _iso_ms(epoch: int) -> str:
    return _seed.fmt_epoch(epoch)[:-1] + ".000Z"


def generate_catalogs(
    seed: int, users: list[str], teams: list[dict[str, Any]], host: str = _seed.DEFAULT_HOST
) -> CatalogData:
    """The seeded catalogs for the given users and teams.  Pure function of its arguments."""
    rng = random.Random(f"tempo-sandbox-catalogs:{seed}")
    data = CatalogData()
    data.category_types = [{"name": name} for name in CATEGORY_TYPES]
    for cat_id, key, name, kind in _seed._CATEGORIES:
        data.categories.append(
            {
                "self": f"{host}/4/account-categories/{key}",
                "id": cat_id,
                "key": key,
                "name": name,
                "type": {"name": kind},
            }
        )
    # a category without a type, as Tempo allows
    data.categories.append({"self": f"{host}/4/account-categories/500", "id": 5, "key": "500", "name": "Unsorted"})

    for key, name, kind, required in _WORK_ATTRIBUTES:
        attribute: dict[str, Any] = {
            "self": f"{host}/4/work-attributes/{key}",
            "key": key,
            "name": name,
            "type": kind,
            "required": required,
        }
        if kind == "STATIC_LIST":
            values = list(_STATIC_LISTS[key])
            attribute["values"] = values
            attribute["names"] = {value: value.title() for value in values}
        data.work_attributes.append(attribute)

    for role_id, name in enumerate(_ROLES, start=1):
        data.roles.append({"self": f"{host}/4/roles/{role_id}", "id": role_id, "name": name, "default": role_id == 1})

    programs: dict[int, dict[str, Any]] = {}
    for team in teams:
        program = team.get("program")
        if program:
            entry = programs.setdefault(
                program["id"],
                {
                    "self": f"{host}/4/programs/{program['id']}",
                    "id": program["id"],
                    "name": program["name"],
                    "manager": {"self": _seed.user_link(m := rng.choice(users)), "accountId": m},
                    "teams": {"self": f"{host}/4/programs/{program['id']}/teams", "values": []},
                },
            )
            entry["teams"]["values"].append({"self": team["self"], "id": team["id"], "name": team["name"]})
    # a program without a manager or teams
    programs[100202] = {
        "self": f"{host}/4/programs/100202",
        "id": 100202,
        "name": "Internal tools",
        "teams": {"self": f"{host}/4/programs/100202/teams", "values": []},
    }
    data.programs = [programs[key] for key in sorted(programs)]

    for resource_id, name in enumerate(_GENERIC_RESOURCES, start=1):
        created = rng.randrange(_SEED_START_EPOCH, _seed.SEED_END_EPOCH - 86400)
        updated = rng.randrange(created, _seed.SEED_END_EPOCH)
        creator, updater = rng.choice(users), rng.choice(users)
        data.generic_resources.append(
            {
                "self": f"{host}/4/generic-resources/{resource_id}",
                "id": resource_id,
                "name": name,
                "createdAt": _iso_ms(created),
                "createdBy": {"self": _seed.user_link(creator), "accountId": creator},
                "updatedAt": _iso_ms(updated),
                "updatedBy": {"self": _seed.user_link(updater), "accountId": updater},
            }
        )

    for skill_id, name in enumerate(_SKILLS, start=1):
        data.skills.append({"self": f"{host}/4/skills/{skill_id}", "id": skill_id, "name": name})

    data.global_configuration = {
        "allowLoggingOnClosedAccount": False,
        "approvalPeriod": "MONTH",  # the sandbox's timesheet periods are calendar months
        "approvalWeekStart": 1,
        "maxHoursPerDayPerUser": 12,
        "numberOfDaysAllowedIntoFuture": 30,
        "planApprovalEnabled": True,
        "remainingEstimateOptional": True,
        "startAndEndTimesEnabled": False,
        "startAndEndTimesForPlanningEnabled": True,
        "weekStart": 1,
        "worklogDescriptionOptional": False,
    }
    return data


def months_overlapping(date_from: str, date_to: str) -> list[dict[str, str]]:
    """Every calendar month (the sandbox's timesheet period) that overlaps [date_from, date_to]."""
    first = _dt.date.fromisoformat(date_from)
    last = _dt.date.fromisoformat(date_to)
    periods = []
    day = first.replace(day=1)
    while day <= last:
        start, end = _org.month_of(day)
        periods.append({"from": start.isoformat(), "to": end.isoformat()})
        day = end + _dt.timedelta(days=1)
    return periods


class CatalogEndpoints:
    """The catalog endpoints of TempoSandbox (mixed in before OrgEndpoints, whose seed it extends)."""

    _catalogs: CatalogData
    _host: str

    def _load_org(self, seed: int, users: list[str]) -> None:
        super()._load_org(seed, users)  # type: ignore[misc]
        self._catalogs = generate_catalogs(seed, users, self._org.teams)  # type: ignore[attr-defined]

    def _org_collections(self) -> tuple[list, ...]:
        c = self._catalogs
        return (
            *super()._org_collections(),  # type: ignore[misc]
            c.categories,
            c.work_attributes,
            c.roles,
            c.programs,
            c.generic_resources,
            c.skills,
        )

    # -- data access (fresh copies) ------------------------------------------------
    def catalog(self, name: str) -> Any:
        """A fresh copy of one catalog by CatalogData field name, e.g. ``catalog("skills")``."""
        self._ensure_host()  # type: ignore[attr-defined]
        return copy.deepcopy(getattr(self._catalogs, name))

    def periods(self, date_from: str, date_to: str) -> list[dict[str, str]]:
        return months_overlapping(date_from, date_to)

    # -- endpoints ---------------------------------------------------------------------------
    def _get_account_categories(self, path, query, qpairs, body) -> bytes:
        wanted = dict(qpairs).get("id")
        records = self._catalogs.categories
        if wanted not in (None, ""):
            records = [c for c in records if str(c["id"]) == wanted]
        return _org._results_body(self._host, path, query, records)

    def _get_account_category_types(self, path, query, qpairs, body) -> bytes:
        return _org._results_body(self._host, path, query, self._catalogs.category_types)

    def _get_roles(self, path, query, qpairs, body) -> bytes:
        return _org._results_body(self._host, path, query, self._catalogs.roles)

    def _get_programs(self, path, query, qpairs, body) -> bytes:
        return _org._results_body(self._host, path, query, self._catalogs.programs)

    def _get_work_attributes(self, path, query, qpairs, body) -> bytes:
        blobs = [_seed.dumps(attribute) for attribute in self._catalogs.work_attributes]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_skills(self, path, query, qpairs, body) -> bytes:
        blobs = [_seed.dumps(skill) for skill in self._catalogs.skills]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _search_generic_resources(self, path, query, qpairs, body) -> bytes:
        search = self._json_body(body)  # type: ignore[attr-defined]
        paging = [(name, str(search[name])) for name in ("offset", "limit") if search.get(name) is not None]
        offset, limit = self._paging(paging)  # type: ignore[attr-defined]
        records = self._catalogs.generic_resources
        if search.get("ids"):
            records = [r for r in records if r["id"] in set(search["ids"])]
        if search.get("query"):
            records = [r for r in records if str(search["query"]).lower() in r["name"].lower()]
        page = records[offset : offset + limit]
        metadata: dict[str, Any] = {"count": len(page), "offset": offset, "limit": limit}
        link = f"{self._host}{path}"
        if offset + len(page) < len(records):
            metadata["next"] = link
        if offset > 0:
            metadata["previous"] = link
        return _seed.dumps({"metadata": metadata, "results": page})

    def _get_periods(self, path, query, qpairs, body) -> bytes:
        q = dict(qpairs)
        date_from, date_to = _common.required_date_window(q)
        return _seed.dumps({"periods": months_overlapping(date_from, date_to)})

    def _get_global_configuration(self, path, query, qpairs, body) -> bytes:
        return _seed.dumps(self._catalogs.global_configuration)


CATALOG_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/account-categories": {"GET": CatalogEndpoints._get_account_categories},
    "/4/account-category-types": {"GET": CatalogEndpoints._get_account_category_types},
    "/4/work-attributes": {"GET": CatalogEndpoints._get_work_attributes},
    "/4/roles": {"GET": CatalogEndpoints._get_roles},
    "/4/programs": {"GET": CatalogEndpoints._get_programs},
    "/4/generic-resources/search": {"POST": CatalogEndpoints._search_generic_resources},
    "/4/skills": {"GET": CatalogEndpoints._get_skills},
    "/4/periods": {"GET": CatalogEndpoints._get_periods},
    "/4/globalconfiguration": {"GET": CatalogEndpoints._get_global_configuration},
}
