"""Tests of the sandbox's teams, timesheet approvals, plans and holiday schemes (sandbox/org.py),
through the real HTTP server. Their OpenAPI shapes are checked in test_sandbox.py."""

from __future__ import annotations

from collections import Counter

import pytest

from integration_tests.test_sandbox import call, session
from sandbox import TempoSandbox
from sandbox import org as org_mod


def test_org_seed_is_deterministic_and_leaves_the_other_data_alone() -> None:
    users = [f"user-{n}" for n in range(25)]
    assert org_mod.generate_org(42, users) == org_mod.generate_org(42, users)
    assert org_mod.generate_org(42, users).plans != org_mod.generate_org(43, users).plans
    with TempoSandbox(worklogs=300, seed=42) as a, TempoSandbox(worklogs=300, seed=42) as b:
        for path, params in (
            ("/plans", {"from": "2022-01-01", "to": "2026-12-31"}),
            ("/timesheet-approvals/team/3", {"from": "2024-01-01"}),
        ):
            assert call(a, "GET", path, params).content == call(b, "GET", path, params).content


def test_seeded_org_is_realistic(sandbox: TempoSandbox) -> None:
    teams = sandbox.teams()
    assert len(teams) == 2 and any("lead" not in t for t in teams) and any("program" in t for t in teams)
    plans = sandbox.plans()
    assert 30 <= len(plans) <= 50 and all(
        p["updatedAt"] < "2026-01-01" and p["updatedAt"].endswith(".000Z") for p in plans
    )
    assert Counter(p["updatedAt"] for p in plans).most_common(1)[0][1] >= 4, "plans sharing one updatedAt second"
    assert {p["assignee"]["type"] for p in plans} == {"USER", "GENERIC"}
    schemes = sandbox.holiday_schemes()
    members = [m for s in schemes for m in sandbox.holiday_scheme_members(s["id"])]
    assert sum(s["defaultScheme"] for s in schemes) == 1 and len(members) == len(set(members)) == 25
    assert all(s["memberCount"] == len(sandbox.holiday_scheme_members(s["id"])) for s in schemes)


def test_approvals_answer_for_the_month_containing_from(sandbox: TempoSandbox) -> None:
    by_day = {}
    for day in ("2024-03-01", "2024-03-17", "2024-03-31"):
        page = call(sandbox, "GET", "/timesheet-approvals/team/3", {"from": day}).json()
        by_day[day] = page["results"]
        assert page["metadata"] == {"count": len(page["results"])}
    assert by_day["2024-03-01"] == by_day["2024-03-17"] == by_day["2024-03-31"]
    assert all(a["period"] == {"from": "2024-03-01", "to": "2024-03-31"} for a in by_day["2024-03-01"])
    total = sum(
        len(call(sandbox, "GET", f"/timesheet-approvals/team/{t}", {"from": f"{y}-{m:02d}-01"}).json()["results"])
        for t in (3, 8)
        for y in range(2022, 2027)
        for m in range(1, 13)
    )
    assert 50 <= total <= 200
    assert call(sandbox, "GET", "/timesheet-approvals/team/3", {"from": "2026-06-01"}).json()["results"] == []


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("/timesheet-approvals/team/3", {}, 400),
        ("/timesheet-approvals/team/3", {"from": "2024-13-01"}, 400),
        ("/timesheet-approvals/team/3", {"from": "2024-03-10", "to": "2024-03-01"}, 400),
        ("/timesheet-approvals/team/99", {"from": "2024-03-01"}, 404),
        ("/timesheet-approvals/team/abc", {"from": "2024-03-01"}, 404),
        ("/plans", {"from": "2024-01-01"}, 400),
        ("/plans", {"from": "2024-02-01", "to": "2024-01-01"}, 400),
        ("/plans", {"from": "2024-01-01", "to": "2024-12-31", "updatedFrom": "yesterday"}, 400),
        ("/holiday-schemes/99/holidays", {"year": 2024}, 404),
        ("/holiday-schemes/1/holidays", {"year": "this"}, 400),
        ("/holiday-schemes/99/members", {}, 404),
    ],
)
def test_bad_requests_are_refused(sandbox: TempoSandbox, path: str, params: dict, status: int) -> None:
    r = call(sandbox, "GET", path, params)
    assert r.status_code == status and r.json()["errors"][0]["message"]


def test_plans_overlap_the_window_and_filter_on_updated_from(sandbox: TempoSandbox) -> None:
    everything = sandbox.plans()
    window = {"from": "2024-01-01", "to": "2024-06-30", "limit": 1000}
    served = call(sandbox, "GET", "/plans", window).json()["results"]
    expected = [
        p["id"]
        for p in everything
        if p["startDate"] <= "2024-06-30" and max(p["endDate"], p.get("recurrenceEndDate", "")) >= "2024-01-01"
    ]
    assert [p["id"] for p in served] == expected and expected
    assert all(p["totalPlannedSecondsInScope"] <= p["totalPlannedSeconds"] for p in served)
    cut = sorted(p["updatedAt"] for p in everything)[len(everything) // 2][:19] + "Z"
    newer = call(
        sandbox, "GET", "/plans", {**window, "from": "2021-01-01", "to": "2027-12-31", "updatedFrom": cut}
    ).json()
    assert {p["id"] for p in newer["results"]} == {p["id"] for p in everything if p["updatedAt"][:19] + "Z" >= cut}


def test_edited_plan_moves_to_the_clock(sandbox: TempoSandbox) -> None:
    target = sandbox.plans()[0]
    edited = sandbox.edit_plan(target["id"], description="moved")
    assert edited["updatedAt"] > target["updatedAt"] and edited["updatedAt"].endswith(".000Z")
    window = {"from": "2021-01-01", "to": "2027-12-31", "updatedFrom": edited["updatedAt"][:19] + "Z"}
    assert [p["id"] for p in call(sandbox, "GET", "/plans", window).json()["results"]] == [target["id"]]
    with pytest.raises(KeyError):
        sandbox.edit_plan(99999, description="x")


def test_fixed_holidays_keep_their_id_every_year_and_years_outside_the_seed_are_empty(sandbox: TempoSandbox) -> None:
    years = {
        y: call(sandbox, "GET", "/holiday-schemes/2/holidays", {"year": y}).json()["results"] for y in (2023, 2024)
    }
    fixed = [{h["id"]: h["date"][5:] for h in years[y] if h["type"] == "FIXED"} for y in (2023, 2024)]
    assert fixed[0] == fixed[1] and fixed[0]
    floating = [{h["id"] for h in years[y] if h["type"] == "FLOATING"} for y in (2023, 2024)]
    assert floating[0] and not floating[0] & floating[1]
    assert all(h["date"].startswith(str(y)) for y in years for h in years[y])
    assert call(sandbox, "GET", "/holiday-schemes/2/holidays", {"year": 2031}).json()["results"] == []
    assert "2024-04-01" in {h["date"] for h in years[2024]}  # Andre påskedag: Easter 2024 was on 31 March


def test_members_are_paged_and_gone_paths_answer_404(sandbox: TempoSandbox) -> None:
    first = call(sandbox, "GET", "/holiday-schemes/1/members", {"limit": 5}).json()
    assert first["metadata"]["count"] == 5 and "next" in first["metadata"]
    sandbox.faults.update(gone_paths=["/4/holiday-schemes/1/members", "/4/timesheet-approvals/team/8"])
    assert call(sandbox, "GET", "/holiday-schemes/1/members").status_code == 404
    assert call(sandbox, "GET", "/timesheet-approvals/team/8", {"from": "2024-01-01"}).status_code == 404
    assert call(sandbox, "GET", "/holiday-schemes/2/members").status_code == 200


def test_org_links_follow_next_host(sandbox: TempoSandbox) -> None:
    sandbox.faults.update(next_host="https://api.eu.tempo.io")
    s = session()
    team = call(sandbox, "GET", "/teams", s=s).json()["results"][0]
    assert team["self"].startswith("https://api.eu.tempo.io/") and team["links"]["self"].startswith("https://api.eu")
    approval = call(sandbox, "GET", "/timesheet-approvals/team/3", {"from": "2024-03-01"}, s=s).json()["results"][0]
    assert approval["self"].startswith("https://api.eu.tempo.io/4/timesheet-approvals/user/")
    holiday = call(sandbox, "GET", "/holiday-schemes/1/holidays", {"year": 2024}, s=s).json()["results"][0]
    assert holiday["self"].startswith("https://api.eu.tempo.io/4/holiday-schemes/1/holidays/")
