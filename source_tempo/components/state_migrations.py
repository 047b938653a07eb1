"""States the manifest's cursor cannot read as they are: the upstream connector's, and one past Tempo's retention.

Why not YAML: the manifest's LegacyToPerPartitionStateMigration is the only declarative migration, and it does
neither: turning `{"startDate": ...}` into `{"updatedAt": ...}`, or dropping a state older than the 180 days
Tempo keeps audit events, need a date check and a warning that says what to do.
"""

from __future__ import annotations

import logging
from dataclasses import InitVar, dataclass
from datetime import datetime
from typing import Any, Mapping

from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.migrations.state_migration import StateMigration
from airbyte_cdk.sources.types import Config

from source_tempo.components.transforms import to_utc_second

LOGGER = logging.getLogger("airbyte")


@dataclass
class UpstreamStartDateStateMigration(StateMigration):
    """Accepts a worklogs state saved by the upstream connector (0.3.x/0.4.x): `{"startDate": "2024-05-01"}`.

    Why: upstream's cursor was the worklog's startDate, which misses edits to old worklogs. Its state
    becomes `updatedFrom` of that date, so the first sync after the upgrade reads everything updated
    since then instead of crashing or starting over.
    """

    config: Config = None  # type: ignore[assignment]
    parameters: InitVar[Mapping[str, Any]] = None  # type: ignore[assignment]

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        return bool(stream_state) and "startDate" in stream_state and "updatedAt" not in stream_state

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        value = str(stream_state["startDate"])[:10]
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            LOGGER.warning(f"Ignoring the worklogs state {dict(stream_state)!r}: its startDate is not a date.")
            return {}
        LOGGER.info(
            f"Migrated the upstream worklogs state startDate={value} to updatedAt={value}T00:00:00Z. "
            "The old connector's cursor missed edits to worklogs dated before its state: run one full refresh "
            "of worklogs to repair them."
        )
        return {"updatedAt": f"{value}T00:00:00Z"}


@dataclass
class DeletionsStateWithinRetention(StateMigration):
    """Drops a worklog-deletions state older than Tempo's 180-day audit retention, with a warning.

    Why: Tempo refuses a papertrail `from` older than 180 days (HTTP 400), and the deletions before that
    are gone from Tempo anyway. Such a state (the connector did not run for half a year) would fail every
    sync; dropped, the stream reads from `oldest_from` (the manifest's `deletions_oldest_from`), and the user
    is told that deletions in between may have been missed. A state that is not a timestamp is dropped too.
    """

    oldest_from: str = ""
    config: Config = None  # type: ignore[assignment]
    parameters: InitVar[Mapping[str, Any]] = None  # type: ignore[assignment]

    def __post_init__(self, parameters: Mapping[str, Any]) -> None:
        self.oldest_from_template = InterpolatedString.create(self.oldest_from, parameters=parameters or {})

    def should_migrate(self, stream_state: Mapping[str, Any]) -> bool:
        if not stream_state:
            return False
        saved = stream_state.get("deletedAt")
        try:
            return to_utc_second(str(saved)) < self.oldest()
        except ValueError:
            return True

    def migrate(self, stream_state: Mapping[str, Any]) -> Mapping[str, Any]:
        oldest = self.oldest()
        LOGGER.warning(
            f"Stream worklog-deletions: the saved state {dict(stream_state)!r} is older than the 180 days Tempo keeps "
            f"deletions for. Worklogs deleted between then and {oldest} may have been missed; reading from {oldest}. "
            "Run a full refresh of worklogs (with a destination that replaces its data) to drop them."
        )
        return {}

    def oldest(self) -> str:
        return to_utc_second(str(self.oldest_from_template.eval(self.config or {})))
