"""Financial Manager (cost tracking) in the Tempo sandbox: projects, portfolios, project attributes, billing rates
tables, global rates, and per project its budget, budget milestones, expenses, fixed revenues, labor and expense
actuals, planned labor, team members' roles and rates, time approvals, financial summary, scope tasks and timeframe.

``generate_finance`` builds them from the seed's users and accounts and the catalogs' roles, with a random stream of
its own (so nothing else in the seed changed); a pure function of its arguments, and like the rest of the seed it
never reads the current date: every date lies in 2022-2025. Records are in the shapes of
``reference/tempo-openapi-v4.yaml`` (no field it does not define), their ``self`` links on the Tempo host.

* 6 projects (ids are UUIDs like Tempo's); the last is TIME_BASED (no rates, no expenses, no fixed revenues, as
  Tempo leaves them out) and has neither budget nor timeframe: its budget and timeframe answer 204 No Content.
* 3 portfolios: two share a project, the third is empty.
* 3 project attributes (SELECT_LIST, TEXT, NUMBER) whose values the projects carry.
* 2 billing rates tables, each with a rate per role (roles 1-5, the catalogs' ones); global billing and cost rates
  per role, and one without ``roleId`` (the default role, as Tempo sends it).
* Per monetary project: 2-4 budget milestones, 0-4 expenses (some recurring monthly: one expense actual per
  occurrence), 0-3 fixed revenues; per project 3-5 team members with a role and rates, 10-40 labor actuals
  (worklog-like time records), a few plans of 2-5 days each (planned labor), 5-15 scope tasks, and a time approval
  per member and month of the project's active months.

What the endpoints assume where Tempo's documentation is silent:

* Paged lists (projects, portfolios, a portfolio's projects, billing rates tables, expenses, fixed revenues, actuals,
  planned labor, scope tasks, time approvals) page with ``offset``/``limit`` like the other lists.
* An unknown project, portfolio or billing rates table answers 404 (``... cannot be found in the system``).
* ``actuals/labor`` and ``actuals/expenses`` take ``to`` (``YYYY-MM-DD``, default: everything, the seeded world being
  in the past); ``financials/summary`` takes ``date`` likewise and sums the actuals up to it.
* ``time-approvals`` requires ``from`` and ``to`` (400 otherwise, 400 when from > to) and answers every monthly period
  that lies within them, ordered by period then user; ``teamMemberId`` and ``status`` filter.
* ``plans/labor`` takes optional ``from``/``to`` (days of the plan within them); without, the whole project.
* ``global-rates/by-role`` requires ``rateCategory`` BILLING or COST (400 otherwise); its answer is ``{results}``.

Endpoints (see server.py for the shared behaviour: auth, paging, errors)::

    GET /4/projects                                   offset/limit (Projects by page)
    GET /4/portfolios                                 offset/limit
    GET /4/portfolios/{id}/projects                   offset/limit
    GET /4/project-attributes                         {projectAttributes, self}
    GET /4/billing-rates-tables                       offset/limit
    GET /4/billing-rates-tables/{id}                  the table with its rates
    GET /4/global-rates/by-role                       rateCategory (required)
    GET /4/projects/{id}/budget                       one object, or 204
    GET /4/projects/{id}/budget-milestones            {milestones, self}
    GET /4/projects/{id}/expenses                     offset/limit
    GET /4/projects/{id}/fixed-revenues               offset/limit
    GET /4/projects/{id}/actuals/labor                to, offset/limit
    GET /4/projects/{id}/actuals/expenses             to, offset/limit
    GET /4/projects/{id}/plans/labor                  from, to, offset/limit
    GET /4/projects/{id}/team-members/roles           {roles}
    GET /4/projects/{id}/team-members/rates           {rates}
    GET /4/projects/{id}/time-approvals               from, to (required), teamMemberId, status, offset/limit
    GET /4/projects/{id}/financials/summary           date; one object
    GET /4/projects/{id}/scope/tasks                  offset/limit
    GET /4/projects/{id}/timeframe                    one object, or 204
"""

from __future__ import annotations

import calendar
import copy
import datetime as _dt
import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from . import common as _common
from . import seed as _seed

ROLE_IDS = range(1, 6)  # the catalogs' roles (sandbox/catalogs.py)
_PROJECT_NAMES = [
    "Operation Bedlam",
    "Northwind Migration",
    "Kraków Office Fit-out",
    "Data Platform 2.0",
    "Zürich Support Desk",
    "Internal Tooling",
]
_STATUSES = ["IN_PROGRESS", "IN_PROGRESS", "COMPLETED", "ON_HOLD", "IN_PLANNING", "IN_PROGRESS"]
_EXPENSE_CATEGORIES = ["Office Space", "Travel", "Hardware", "Licences", "Catering"]
_REVENUE_CATEGORIES = ["Milestone payment", "Retainer", "Licence fee"]
_COUNTRIES = ["Canada", "Norway", "Japan", "Brazil"]
_APPROVAL_STATES = ["APPROVED", "APPROVED", "APPROVED", "IN_REVIEW", "REJECTED", "OPEN"]


@dataclass
class FinanceData:
    projects: list[dict[str, Any]] = field(default_factory=list)
    portfolios: list[dict[str, Any]] = field(default_factory=list)
    #: portfolio id -> project ids
    portfolio_projects: dict[str, list[str]] = field(default_factory=dict)
    project_attributes: list[dict[str, Any]] = field(default_factory=list)
    #: BillingRatesTableWithRates records
    billing_rates_tables: list[dict[str, Any]] = field(default_factory=list)
    #: rateCategory -> GlobalRate records
    global_rates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: project id -> what is under it: budget (or None), milestones, expenses, fixed_revenues, labor_actuals,
    #: expense_actuals, planned_labor, roles, rates, time_approvals, scope_tasks, timeframe (or None)
    under: dict[str, dict[str, Any]] = field(default_factory=dict)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _amount(value: float, currency: str) -> dict[str, Any]:
    return {"currencyCode": currency, "value": round(value, 2)}


def _user(tempo_id: str, account_id: str) -> dict[str, Any]:
    """UserApiBean: the Tempo user id, and the Jira user it is."""
    return {
        "id": tempo_id,
        "userLink": {"linked": {"ecosystem": "JIRA", "originId": account_id, "self": _seed.user_link(account_id)}},
    }


def _task(issue_id: int) -> dict[str, Any]:
    return {"linked": {"ecosystem": "JIRA", "originId": str(issue_id), "self": _seed.issue_link(issue_id)}}


def _month_end(day: _dt.date) -> _dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: _dt.date, months: int) -> _dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def generate_finance(
    seed: int, users: list[str], account_keys: list[str], host: str = _seed.DEFAULT_HOST
) -> FinanceData:
    """The seeded Financial Manager data for the given users and accounts.  Pure function of its arguments."""
    rng = random.Random(f"tempo-sandbox-finance:{seed}")
    data = FinanceData()
    tempo_ids = {account_id: _uuid(rng) for account_id in users}

    def user(account_id: str) -> dict[str, Any]:
        return _user(tempo_ids[account_id], account_id)

    attribute_ids = [_uuid(rng) for _ in range(3)]
    options = [{"id": _uuid(rng), "value": country} for country in _COUNTRIES]
    data.project_attributes = [
        {
            "id": attribute_ids[0],
            "name": "Country",
            "self": f"{host}/4/project-attributes/{attribute_ids[0]}",
            "type": "SELECT_LIST",
            "selectListOptions": options,
        },
        {
            "id": attribute_ids[1],
            "name": "Cost centre",
            "self": f"{host}/4/project-attributes/{attribute_ids[1]}",
            "type": "TEXT",
        },
        {
            "id": attribute_ids[2],
            "name": "Priority",
            "self": f"{host}/4/project-attributes/{attribute_ids[2]}",
            "type": "NUMBER",
        },
    ]

    for index, name in enumerate(_PROJECT_NAMES):
        project_id = _uuid(rng)
        base = f"{host}/4/projects/{project_id}"
        monetary = index < len(_PROJECT_NAMES) - 1
        currency = "EUR" if index % 3 == 1 else "USD"
        start = _dt.date(2022, 1, 1) + _dt.timedelta(days=rng.randrange(0, 900))
        end = min(_add_months(start, rng.randrange(4, 14)) - _dt.timedelta(days=1), _dt.date(2025, 12, 31))
        members = rng.sample(users, rng.randint(3, 5))
        issues = sorted(rng.sample(range(10001, 10400), rng.randint(5, 15)))
        owner = rng.choice(users)
        option = rng.choice(options)
        project: dict[str, Any] = {
            "id": project_id,
            "name": name,
            "self": base,
            "status": _STATUSES[index],
            "owner": user(owner),
            "editable": True,
            "generalAccess": rng.choice(["RESTRICTED", "USERS_WITH_APP_ACCESS"]),
            "type": "MONETARY_BASED" if monetary else "TIME_BASED",
            "isUsingApproval": True,
            "tags": rng.sample(["Q1", "Q2", "Marketing", "Internal", "Strategic"], rng.randint(0, 2)),
            "scope": {
                "self": f"{base}/scope",
                "tasks": {"self": f"{base}/scope/tasks"},
                "source": {
                    "reference": ",".join(str(i) for i in issues[:2]),
                    "title": f"{name} epics",
                    "type": "EPICS",
                },
            },
            "timeframe": {"self": f"{base}/timeframe"},
            "laborActuals": {"self": f"{base}/actuals/labor"},
            "roles": {"self": f"{base}/team-members/roles"},
            "autoSync": {"schedule": rng.choice(["OFF", "DAILY", "WEEKLY"])},
            "attributeValues": [
                {
                    "id": attribute_ids[0],
                    "type": "SELECT_LIST",
                    "input": {"option": {"id": option["id"], "name": option["value"]}},
                },
                {"id": attribute_ids[1], "type": "TEXT", "input": {"value": f"CC-{rng.randrange(100, 999)}"}},
            ],
        }
        under: dict[str, Any] = {"budget": None, "timeframe": None}
        cost_rates = {m: float(rng.randrange(40, 120)) for m in members}
        billing_rates = {m: cost_rates[m] * 1.5 for m in members}
        if monetary:
            project.update(
                isFixedPrice=index == 2,
                isTrackingRevenue=index != 3,
                isUsingAccountRates=False,
                isUsingGlobalCostRates=index % 2 == 0,
                defaultBillingRate=_amount(100, currency),
                defaultCostRate=_amount(60, currency),
                budgetMilestones={"self": f"{base}/budget-milestones"},
                expenses={"self": f"{base}/expenses"},
                expenseActuals={"self": f"{base}/actuals/expenses"},
                rates={"self": f"{base}/team-members/rates"},
            )
            milestones = []
            total = 0.0
            for number in range(rng.randint(2, 4)):
                total += rng.randrange(10, 80) * 1000
                milestone_day = min(_add_months(start, 3 * (number + 1)), end)
                milestones.append(
                    {
                        "id": _uuid(rng),
                        "date": milestone_day.isoformat(),
                        "budget": _amount(total, currency),
                        "description": f"Phase {number + 1}",
                    }
                )
            under["milestones"] = milestones
            under["budget"] = {"amount": dict(milestones[-1]["budget"]), "self": f"{base}/budget"}
            project["budget"] = copy.deepcopy(under["budget"])
            under["timeframe"] = {
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "isCalculated": index % 2 == 1,
                "self": f"{base}/timeframe",
            }
            expenses, expense_actuals = [], []
            for _ in range(rng.randint(0, 4) if index != 1 else 0):  # project 1 has no expenses
                expense_id = _uuid(rng)
                day = start + _dt.timedelta(days=rng.randrange(0, max(1, (end - start).days)))
                value = rng.randrange(50, 5000)
                count = rng.choice([0, 0, 3, 6])
                recurrence = (
                    {"type": "MonthlyRecurrence", "monthlyBy": "DAY_OF_MONTH", "interval": 1, "count": count}
                    if count
                    else {"type": "NoRecurrence"}
                )
                expense = {
                    "id": expense_id,
                    "self": f"{base}/expenses/{expense_id}",
                    "amount": _amount(value, currency),
                    "category": {"name": rng.choice(_EXPENSE_CATEGORIES)},
                    "date": day.isoformat(),
                    "description": f"{rng.choice(_EXPENSE_CATEGORIES)} for {name}",
                    "recurrence": recurrence,
                }
                if account_keys and rng.random() < 0.5:
                    key = rng.choice(account_keys)
                    expense["account"] = {"key": key, "self": f"{host}/4/accounts/{key}"}
                expenses.append(expense)
                for occurrence in range(count or 1):
                    expense_actuals.append(
                        {
                            "cost": _amount(value, currency),
                            "date": _add_months(day, occurrence).isoformat(),
                            "expense": {"self": expense["self"]},
                        }
                    )
            under["expenses"] = expenses
            under["expense_actuals"] = sorted(expense_actuals, key=lambda a: (a["date"], a["expense"]["self"]))
            revenues = []
            for _ in range(rng.randint(0, 3)):
                revenue_id = _uuid(rng)
                day = start + _dt.timedelta(days=rng.randrange(0, max(1, (end - start).days)))
                revenues.append(
                    {
                        "id": revenue_id,
                        "self": f"{base}/fixed-revenues/{revenue_id}",
                        "amount": _amount(rng.randrange(5, 50) * 1000, currency),
                        "category": {"name": rng.choice(_REVENUE_CATEGORIES)},
                        "date": day.isoformat(),
                        "description": f"Invoice {rng.randrange(1000, 9999)}",
                        "recurrence": {"type": "NoRecurrence"},
                    }
                )
            under["fixed_revenues"] = revenues
        else:
            under.update(milestones=[], expenses=[], expense_actuals=[], fixed_revenues=[])

        roles = {m: rng.choice(list(ROLE_IDS)) for m in members}
        under["roles"] = [
            {"role": {"id": roles[m], "self": f"{host}/4/roles/{roles[m]}"}, "teamMember": user(m)} for m in members
        ]
        rates = []
        for m in members:
            rate_id = _uuid(rng)
            record: dict[str, Any] = {
                "teamMember": user(m),
                "costRates": {
                    "values": [{"id": rate_id, "rate": _amount(cost_rates[m], currency), "source": "TEAM_MEMBER"}]
                },
            }
            if monetary:
                record["billingRates"] = {
                    "values": [
                        {"rate": _amount(100, currency), "source": "PROJECT"},
                        {
                            "effectiveDate": _add_months(start, 2).isoformat(),
                            "id": _uuid(rng),
                            "rate": _amount(billing_rates[m], currency),
                            "source": "TEAM_MEMBER",
                        },
                    ]
                }
            rates.append(record)
        under["rates"] = rates

        labor = []
        for _ in range(rng.randint(10, 40)):
            m = rng.choice(members)
            seconds = rng.choice([1800, 3600, 7200, 14400, 28800])
            billable = seconds if rng.random() < 0.7 else 0
            actual: dict[str, Any] = {
                "date": (start + _dt.timedelta(days=rng.randrange(0, max(1, (end - start).days)))).isoformat(),
                "task": _task(rng.choice(issues)),
                "timeRecordId": _uuid(rng),
                "timeSpentSeconds": seconds,
                "billableSeconds": billable,
                "user": user(m),
                "userRole": {"self": f"{host}/4/roles/{roles[m]}"},
                "worklogId": rng.randrange(1, 3000),
            }
            if monetary:
                actual.update(
                    costRate=_amount(cost_rates[m], currency),
                    billingRate=_amount(billing_rates[m], currency),
                    cost=_amount(cost_rates[m] * seconds / 3600, currency),
                    revenue=_amount(billing_rates[m] * billable / 3600, currency),
                )
            labor.append(actual)
        under["labor_actuals"] = sorted(labor, key=lambda a: (a["date"], a["timeRecordId"]))

        planned = []
        for _ in range(rng.randint(1, 4)):
            plan_id = rng.randrange(100, 100000)
            m = rng.choice(members)
            first = start + _dt.timedelta(days=rng.randrange(0, max(1, (end - start).days)))
            task = _task(rng.choice(issues))
            for offset in range(rng.randint(2, 5)):
                seconds = rng.choice([3600, 14400, 28800])
                day_plan: dict[str, Any] = {
                    "date": (first + _dt.timedelta(days=offset)).isoformat(),
                    "planId": plan_id,
                    "plannedSeconds": seconds,
                    "task": task,
                    "user": user(m),
                    "userRole": {"self": f"{host}/4/roles/{roles[m]}"},
                    "cost": _amount(cost_rates[m] * seconds / 3600 if monetary else 0, currency),
                }
                if monetary:
                    day_plan.update(
                        costRate=_amount(cost_rates[m], currency),
                        billingRate=_amount(billing_rates[m], currency),
                        revenue=_amount(billing_rates[m] * seconds / 3600, currency),
                    )
                planned.append(day_plan)
        under["planned_labor"] = sorted(planned, key=lambda p: (p["date"], p["planId"]))

        under["scope_tasks"] = [
            {"id": _uuid(rng), "taskLink": _task(issue), **({"group": f"group-{issue % 3}"} if issue % 2 else {})}
            for issue in issues
        ]

        approvals = []
        month = start.replace(day=1)
        reviewer = user(owner)
        while month <= end:
            period = {"from": month.isoformat(), "to": _month_end(month).isoformat()}
            for m in sorted(members):
                spent = sum(
                    a["timeSpentSeconds"]
                    for a in labor
                    if a["user"]["userLink"]["linked"]["originId"] == m and period["from"] <= a["date"] <= period["to"]
                )
                key = rng.choice(_APPROVAL_STATES)
                updated = _seed.fmt_epoch(
                    int(_dt.datetime.combine(_month_end(month), _dt.time(), _dt.timezone.utc).timestamp())
                    + rng.randrange(86400, 5 * 86400)
                )
                status: dict[str, Any] = {"key": key, "updatedAt": updated[:-1] + ".000Z"}
                if key == "REJECTED":
                    status["comment"] = "Please split the support hours"
                approval: dict[str, Any] = {
                    "projectId": project_id,
                    "self": f"{base}/time-approvals?from={period['from']}&to={period['to']}"
                    f"&teamMemberId={tempo_ids[m]}",
                    "period": period,
                    "status": status,
                    "timeSpentSeconds": spent,
                    "billableSeconds": spent,
                    "user": user(m),
                    "laborCosts": {
                        "self": f"{base}/time-approvals/labor-costs?from={period['from']}"
                        f"&to={period['to']}&teamMemberId={tempo_ids[m]}"
                    },
                }
                if key != "OPEN":
                    approval["reviewer"] = reviewer
                if monetary:
                    approval["totalCost"] = _amount(cost_rates[m] * spent / 3600, currency)
                    approval["totalRevenue"] = _amount(billing_rates[m] * spent / 3600, currency)
                approvals.append(approval)
            month = _add_months(month, 1)
        under["time_approvals"] = approvals
        under["currency"] = currency
        under["monetary"] = monetary
        data.projects.append(project)
        data.under[project_id] = under

    ids = [p["id"] for p in data.projects]
    groups = [("Customer work", ids[0:3]), ("Strategic", ids[2:5]), ("Archive", [])]
    for name, members_of in groups:
        portfolio_id = _uuid(rng)
        portfolio = {
            "id": portfolio_id,
            "name": name,
            "self": f"{host}/4/portfolios/{portfolio_id}",
            "owner": user(rng.choice(users)),
            "editable": True,
            "shared": bool(members_of),
            "projects": {"self": f"{host}/4/portfolios/{portfolio_id}/projects"},
            "colorKey": rng.choice(["BLUE_NAVY", "GREEN", "PURPLE"]),
            "description": f"Portfolio {name}",
            "scope": {
                "completedTaskCount": 0,
                "totalTaskCount": sum(len(data.under[p]["scope_tasks"]) for p in members_of),
            },
            "staff": {
                "totalUniqueCount": len({r["teamMember"]["id"] for p in members_of for r in data.under[p]["roles"]})
            },
            "totalTimeSpentSeconds": sum(
                a["timeSpentSeconds"] for p in members_of for a in data.under[p]["labor_actuals"]
            ),
        }
        data.portfolios.append(portfolio)
        data.portfolio_projects[portfolio_id] = list(members_of)

    for name in ("Standard rates", "Partner rates"):
        table_id = _uuid(rng)
        data.billing_rates_tables.append(
            {
                "id": table_id,
                "name": name,
                "self": f"{host}/4/billing-rates-tables/{table_id}",
                "rates": [
                    {
                        "defaultRateUsed": role == 1,
                        "rate": {"value": float(rng.randrange(80, 200))},
                        "role": {"id": role, "self": f"{host}/4/roles/{role}"},
                    }
                    for role in ROLE_IDS
                ],
            }
        )

    for category in ("BILLING", "COST"):
        rates: list[dict[str, Any]] = [{"rates": [{"value": 100.0 if category == "BILLING" else 60.0}]}]
        for role in ROLE_IDS:
            base_rate = float(rng.randrange(50, 150))
            rates.append(
                {
                    "roleId": role,
                    "rates": [
                        {"value": base_rate},
                        {"effectiveDate": "2025-01-01", "value": round(base_rate * 1.05, 2)},
                    ],
                }
            )
        data.global_rates[category] = rates
    return data


_PROJECT_PATH = re.compile(
    r"^/4/projects/([^/]+)/(budget|budget-milestones|expenses|fixed-revenues|actuals/labor|actuals/expenses"
    r"|plans/labor|team-members/roles|team-members/rates|time-approvals|financials/summary|scope/tasks|timeframe)$"
)
_PORTFOLIO_PROJECTS_PATH = re.compile(r"^/4/portfolios/([^/]+)/projects$")
_BILLING_RATES_TABLE_PATH = re.compile(r"^/4/billing-rates-tables/([^/]+)$")


class FinanceEndpoints:
    """The endpoints above; TempoSandbox inherits them."""

    _finance: FinanceData
    _finance_host: str
    _host: str

    # -- seed -------------------------------------------------------------------------------
    def _load_finance(self, seed: int, users: list[str]) -> None:
        self._finance_args = (seed, users, [account["key"] for account in self._accounts])  # type: ignore[attr-defined]
        self._finance = generate_finance(*self._finance_args)
        self._finance_host = _seed.DEFAULT_HOST

    def _finance_data(self) -> FinanceData:
        """The data with ``self`` links on the current Tempo host (faults.next_host)."""
        host = self._ensure_host()  # type: ignore[attr-defined]
        if host != self._finance_host:
            self._finance = generate_finance(*self._finance_args, host=host)
            self._finance_host = host
        return self._finance

    def _under(self, project_id: str) -> dict[str, Any]:
        under = self._finance_data().under.get(project_id)
        if under is None:
            raise KeyError(project_id)
        return under

    # -- data access (fresh copies) -----------------------------------------------------------
    def finance_projects(self) -> list[dict]:
        return copy.deepcopy(self._finance_data().projects)

    def portfolios(self) -> list[dict]:
        return copy.deepcopy(self._finance_data().portfolios)

    def portfolio_projects(self, portfolio_id: str) -> list[dict]:
        data = self._finance_data()
        by_id = {project["id"]: project for project in data.projects}
        return copy.deepcopy([by_id[p] for p in data.portfolio_projects[portfolio_id]])

    def project_attributes(self) -> list[dict]:
        return copy.deepcopy(self._finance_data().project_attributes)

    def billing_rates_tables(self) -> list[dict]:
        """The tables with their rates (GET /billing-rates-tables/{id}); the list leaves `rates` out."""
        return copy.deepcopy(self._finance_data().billing_rates_tables)

    def global_rates(self, category: str) -> list[dict]:
        return copy.deepcopy(self._finance_data().global_rates[category])

    def project_records(self, project_id: str, kind: str) -> Any:
        """What is under a project: ``kind`` is budget, milestones, expenses, fixed_revenues, labor_actuals,
        expense_actuals, planned_labor, roles, rates, time_approvals, scope_tasks or timeframe (budget and
        timeframe: one object, or None)."""
        return copy.deepcopy(self._under(project_id)[kind])

    def financial_summary(self, project_id: str, date: str | None = None) -> dict:
        """GET /projects/{id}/financials/summary: the actuals up to ``date`` (everything when None)."""
        under = self._under(project_id)
        currency = under["currency"]
        until = date or "9999-12-31"
        labor = sum(a.get("cost", {}).get("value", 0) for a in under["labor_actuals"] if a["date"] <= until)
        expense = sum(a["cost"]["value"] for a in under["expense_actuals"] if a["date"] <= until)
        labor_revenue = sum(a.get("revenue", {}).get("value", 0) for a in under["labor_actuals"] if a["date"] <= until)
        fixed = sum(r["amount"]["value"] for r in under["fixed_revenues"] if r["date"] <= until)
        base = f"{self._finance_host}/4/projects/{project_id}"
        actual: dict[str, Any] = {
            "labor": _amount(labor, currency),
            "expense": _amount(expense, currency),
            "total": _amount(labor + expense, currency),
        }
        cost: dict[str, Any] = {"actual": actual}
        if under["budget"] is not None:
            budget = under["budget"]["amount"]["value"]
            cost["budget"] = _amount(budget, currency)
            actual["remainingBudget"] = _amount(budget - labor - expense, currency)
        summary: dict[str, Any] = {"cost": cost, "self": f"{base}/financials/summary"}
        if under["monetary"]:
            revenue = labor_revenue + fixed
            profit = revenue - labor - expense
            summary["revenue"] = {
                "actual": {
                    "labor": _amount(labor_revenue, currency),
                    "fixedRevenue": _amount(fixed, currency),
                    "total": _amount(revenue, currency),
                    "profit": _amount(profit, currency),
                    "netProfitMargin": {"value": round(profit / revenue, 4) if revenue else 0.0},
                }
            }
        return summary

    def project_time_approvals(self, project_id: str, date_from: str, date_to: str) -> list[dict]:
        """The approvals of the monthly periods within [from, to]."""
        return [
            approval
            for approval in self.project_records(project_id, "time_approvals")
            if date_from <= approval["period"]["from"] and approval["period"]["to"] <= date_to
        ]

    # -- endpoints ----------------------------------------------------------------------------
    def _finance_page(self, path, query, qpairs, records: list) -> bytes:
        blobs = [_seed.dumps(record) for record in records]
        return self._page_body(path, query, qpairs, self._list_page(blobs))  # type: ignore[attr-defined]

    def _get_projects(self, path, query, qpairs, body) -> bytes:
        return self._finance_page(path, query, qpairs, self.finance_projects())

    def _get_portfolios(self, path, query, qpairs, body) -> bytes:
        return self._finance_page(path, query, qpairs, self.portfolios())

    def _get_portfolio_projects(self, path, query, qpairs, body) -> bytes:
        portfolio_id = _PORTFOLIO_PROJECTS_PATH.match(path).group(1)
        try:
            projects = self.portfolio_projects(portfolio_id)
        except KeyError:
            raise _common.ApiError(404, "Portfolio cannot be found in the system") from None
        return self._finance_page(path, query, qpairs, projects)

    def _get_project_attributes(self, path, query, qpairs, body) -> bytes:
        return _seed.dumps({"projectAttributes": self.project_attributes(), "self": f"{self._host}{path}"})

    def _get_billing_rates_tables(self, path, query, qpairs, body) -> bytes:
        tables = [{k: v for k, v in table.items() if k != "rates"} for table in self.billing_rates_tables()]
        return self._finance_page(path, query, qpairs, tables)

    def _get_billing_rates_table(self, path, query, qpairs, body) -> bytes:
        table_id = _BILLING_RATES_TABLE_PATH.match(path).group(1)
        tables = self.billing_rates_tables()
        if table_id == "default":
            table_id = tables[0]["id"]
        table = next((t for t in tables if t["id"] == table_id), None)
        if table is None:
            raise _common.ApiError(404, "Billing rates table cannot be found in the system")
        return _seed.dumps(table)

    def _get_global_rates(self, path, query, qpairs, body) -> bytes:
        category = dict(qpairs).get("rateCategory")
        if category not in ("BILLING", "COST"):
            raise _common.ApiError(400, f"Invalid value for rateCategory: {category}. Allowed values: BILLING, COST")
        return _seed.dumps({"results": self.global_rates(category)})

    def _get_project_child(self, path, query, qpairs, body) -> bytes:
        project_id, what = _PROJECT_PATH.match(path).groups()
        try:
            under = self._under(project_id)
        except KeyError:
            raise _common.ApiError(404, "Project cannot be found in the system") from None
        q = dict(qpairs)
        base = f"{self._host}/4/projects/{project_id}"
        if what in ("budget", "timeframe"):
            record = under[what]
            if record is None:
                raise _common.NoContent()
            return _seed.dumps(record)
        if what == "budget-milestones":
            return _seed.dumps({"milestones": under["milestones"], "self": f"{base}/budget-milestones"})
        if what == "team-members/roles":
            return _seed.dumps({"roles": under["roles"]})
        if what == "team-members/rates":
            return _seed.dumps({"rates": under["rates"]})
        if what == "financials/summary":
            date = _common.parse_date(q["date"], "date") if q.get("date") else None
            return _seed.dumps(self.financial_summary(project_id, date))
        if what in ("actuals/labor", "actuals/expenses"):
            until = _common.parse_date(q["to"], "to") if q.get("to") else "9999-12-31"
            kind = "labor_actuals" if what == "actuals/labor" else "expense_actuals"
            records = [a for a in under[kind] if a["date"] <= until]
        elif what == "plans/labor":
            first = _common.parse_date(q["from"], "from") if q.get("from") else "0000-01-01"
            last = _common.parse_date(q["to"], "to") if q.get("to") else "9999-12-31"
            records = [p for p in under["planned_labor"] if first <= p["date"] <= last]
        elif what == "time-approvals":
            date_from, date_to = _common.required_date_window(q)
            records = self.project_time_approvals(project_id, date_from, date_to)
            if q.get("teamMemberId"):
                records = [a for a in records if a["user"]["id"] == q["teamMemberId"]]
            if q.get("status"):
                records = [a for a in records if a["status"]["key"] == q["status"]]
        else:
            records = under[
                {"expenses": "expenses", "fixed-revenues": "fixed_revenues", "scope/tasks": "scope_tasks"}[what]
            ]
        return self._finance_page(path, query, qpairs, records)


FINANCE_ROUTES: dict[str, dict[str, Callable[..., bytes]]] = {
    "/4/projects": {"GET": FinanceEndpoints._get_projects},
    "/4/portfolios": {"GET": FinanceEndpoints._get_portfolios},
    "/4/project-attributes": {"GET": FinanceEndpoints._get_project_attributes},
    "/4/billing-rates-tables": {"GET": FinanceEndpoints._get_billing_rates_tables},
    "/4/global-rates/by-role": {"GET": FinanceEndpoints._get_global_rates},
}
FINANCE_PATH_ROUTES: list[tuple[re.Pattern[str], dict[str, Callable[..., bytes]]]] = [
    (_PROJECT_PATH, {"GET": FinanceEndpoints._get_project_child}),
    (_PORTFOLIO_PROJECTS_PATH, {"GET": FinanceEndpoints._get_portfolio_projects}),
    (_BILLING_RATES_TABLE_PATH, {"GET": FinanceEndpoints._get_billing_rates_table}),
]
