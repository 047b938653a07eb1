"""Deleted worklogs as tombstones in the worklogs stream, read from Tempo's audit log.

Why not YAML: a manifest stream reads one endpoint, and Tempo's worklog search returns only worklogs that exist.
A deletion is in the audit log, which the worklog-deletions stream reads; `WorklogTombstones` adds its requests
(through that stream's own retriever: paging, retries, event filter) as one more partition of worklogs.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.types import Record, StreamSlice
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo import cdk_internals
from source_tempo.components.transforms import to_utc_second

LOGGER = logging.getLogger("airbyte")


TOMBSTONE_FIELD = "_ab_cdc_deleted_at"


class WorklogTombstones(PartitionGenerator):
    """Adds to an incremental worklogs sync one more partition: the worklogs deleted since its cursor, as tombstones.

    Why: Tempo's worklog search returns only worklogs that exist, so a deleted worklog would stay in the
    destination for ever. Its deletion is in Tempo's audit log (what the worklog-deletions stream reads). Sent
    in the worklogs stream as `{tempoWorklogId, updatedAt, _ab_cdc_deleted_at}`, it makes Append + Deduped
    destinations drop the row: they keep the record with the newest cursor per key and delete the key when
    that record has `_ab_cdc_deleted_at`. `updatedAt` is the deletion time, so that the tombstone is the newest
    (one without a cursor value would lose to the live row). Why Python: a manifest stream reads one endpoint;
    the audit-log requests reuse the worklog-deletions stream's retriever (paging, retries, the event filter).

    The window starts where the previous sync's audit-log read ended, less an hour for the difference between
    Tempo's clock and this one: the state keeps it as `tombstones_from`, written when the tombstones are all
    sent. Without it (the first incremental sync) the window starts where the worklogs partition starts (the
    saved cursor less the lookback): a deletion before that was in the audit log when the previous sync ran.
    Tempo keeps audit events 180 days: an older start is moved up to `oldest_from`, with a warning. A first sync
    (no saved cursor, or one read in startDate windows) has no tombstones: it reads only worklogs that exist,
    and deletions during it are after its start, which the next sync's window covers. Tombstones never move
    the worklogs cursor (PageCheckpointingCursor skips them): the audit log is read alongside the worklogs, and
    a deletion newer than the last worklog read would otherwise push the cursor past worklogs edited in between.
    """

    STATE_KEY = "tombstones_from"

    def __init__(
        self,
        worklogs: PartitionGenerator,
        cursor: ConcurrentCursor,
        deletions: Any,
        oldest_from: str,
        stream_name: str = "worklogs",
    ) -> None:
        self.worklogs = worklogs
        self.cursor = cursor
        self.deletions = deletions  # the worklog-deletions stream's DeclarativePartitionFactory
        self.oldest_from = to_utc_second(oldest_from)
        self.worklogs_stream = stream_name

    @classmethod
    def enable_on(cls, stream: Any, deletions_stream: Any, oldest_from: str) -> None:
        """Wraps the partitions of a CDK-built DefaultStream (CDK 7 has no hook to add a partition).

        Only over a cursor that knows to skip tombstones (`skips_tombstones`: PageCheckpointingCursor)."""
        if not getattr(stream.cursor, "skips_tombstones", False):
            return
        deletions = cdk_internals.partition_factory(deletions_stream)
        if deletions is None:  # a CDK that builds streams otherwise: fail at start, not silently without tombstones
            raise RuntimeError(f"Stream {deletions_stream.name} has no partition factory to read deletions with")
        worklogs = cdk_internals.partition_generator(stream)
        cdk_internals.replace_partition_generator(
            stream,
            cls(worklogs, stream.cursor, deletions, oldest_from, stream.name),  # type: ignore[arg-type]
        )

    def generate(self) -> Iterable[Partition]:
        cursor = self.cursor
        first_sync = getattr(cursor, "windows", None) or not cursor.has_saved_position()
        start_key = cdk_internals.slice_start_key(cursor)
        starts = []
        for partition in self.worklogs.generate():
            starts.append(str((partition.to_slice() or {}).get(start_key) or ""))
            yield partition
        if first_sync or not all(starts) or not starts:
            return
        saved = cdk_internals.cursor_state(cursor).get("legacy")
        saved_from = saved.get(self.STATE_KEY) if isinstance(saved, dict) else None
        since = to_utc_second(min(starts))
        if saved_from:
            try:
                since = to_utc_second(str(saved_from))
            except ValueError:
                pass  # not a timestamp: read from the worklogs' start, as without one
        clock = datetime.now(timezone.utc)
        now = clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        if since > now:
            return  # a cursor ahead of this clock: nothing can have been deleted since
        if since < self.oldest_from:
            LOGGER.warning(
                f"Stream {self.worklogs_stream}: deletions are read from {since}, older than the 180 days Tempo keeps "
                f"them for. Worklogs deleted before {self.oldest_from} get no tombstone; if the destination holds "
                "any, run a full refresh of worklogs (with a destination that replaces its data) to drop them."
            )
            since = self.oldest_from
        deletions_slice = StreamSlice(partition={}, cursor_slice={"start_time": since, "end_time": now})
        next_from = (clock - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield TombstonePartition(self.deletions.create(deletions_slice), self.worklogs_stream, since, next_from)


class TombstonePartition(Partition):
    """The worklog deletions of one window, read from the audit log, as tombstones of the worklogs stream."""

    def __init__(self, deletions: Partition, stream_name: str, since: str, next_from: str) -> None:
        self.deletions = deletions
        self.worklogs_stream = stream_name
        self.since = since
        self.next_from = next_from  # where the next sync's window starts once every tombstone here is sent

    def read(self) -> Iterable[Record]:
        tombstone_slice = self.deletions.to_slice()
        try:
            for record in self.deletions.read():
                deleted_at = record.data["deletedAt"]
                yield Record(
                    data={
                        "tempoWorklogId": record.data["tempoWorklogId"],
                        "updatedAt": deleted_at,
                        TOMBSTONE_FIELD: deleted_at,
                    },
                    stream_name=self.worklogs_stream,
                    associated_slice=tombstone_slice,
                )
        except AirbyteTracedException as error:
            message = (
                f"Stream {self.worklogs_stream}: reading the worklogs deleted since {self.since} (for tombstones) "
                f"failed: {error.message} To sync worklogs without tombstones, set `worklog_tombstones` to false."
            )
            raise AirbyteTracedException(
                message=message, internal_message=error.internal_message, failure_type=error.failure_type
            ) from error

    def to_slice(self) -> Mapping[str, Any] | None:
        return self.deletions.to_slice()

    def stream_name(self) -> str:
        return self.worklogs_stream

    def __hash__(self) -> int:
        return hash((self.worklogs_stream, "tombstones", self.since))
