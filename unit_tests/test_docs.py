"""README.md and docs/tempo.md as a new user follows them: every link to a heading (`#anchor`, also across the two
files) lands on one, the commands they name exist, and the config table says what the spec requires."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"README.md": ROOT / "README.md", "docs/tempo.md": ROOT / "docs" / "tempo.md"}
SPEC = yaml.safe_load((ROOT / "source_tempo" / "manifest.yaml").read_text())["spec"]["connection_specification"]


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", path.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_link_to_a_heading_lands_on_one(page: str) -> None:
    path = PAGES[page]
    broken = []
    for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", path.read_text()):
        linked = (path.parent / target).resolve() if target else path
        if not linked.exists() or anchor not in _anchors(linked):
            broken.append(f"{target}#{anchor}")
    assert not broken, f"{page}: links to no heading: {broken}"


def test_the_config_table_says_what_the_spec_requires() -> None:
    """The spec requires nothing (the older flat `api_token` form must pass it); the docs say one of the two."""
    assert SPEC.get("required", []) == []
    docs = PAGES["docs/tempo.md"].read_text()
    table = docs.split("| Field | Title | Required | Default | Description |", 1)[1].split("\n\n", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|", table, re.MULTILINE)}
    assert set(rows) == set(SPEC["properties"])
    assert rows["credentials"].strip() == "yes, unless `api_token` is set"
    assert rows["api_token"].strip() == "only without `credentials`"
    assert all(rows[name].strip() == "no" for name in SPEC["properties"] if name not in ("credentials", "api_token"))
    assert "**What is required: `credentials`, or the older top-level `api_token`** (one of the two)" in docs


def test_the_files_the_docs_tell_a_user_to_run_exist() -> None:
    text = "\n".join(path.read_text() for path in PAGES.values())
    for name in re.findall(r"\b((?:scripts|examples|integration_tests|benchmarks)/[\w./-]+\.(?:sh|py|json))", text):
        assert (ROOT / name).exists(), name
    assert "python -m source_tempo.state" in text and (ROOT / "source_tempo" / "state.py").exists()
