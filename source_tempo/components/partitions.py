"""Partitions of a child stream whose parent lists the same value more than once.

user-schedules reads one schedule per user, and its users come from team memberships: a user in two teams is
listed twice, so the CDK's SubstreamPartitionRouter yields the partition `{"account_id": ...}` twice. The CDK's
per-partition cursor then skips the second one but logs "Partition duplication detected for stream
user-schedules" on every sync, a warning about a real duplicate that the stream should not produce. No manifest
field makes a SubstreamPartitionRouter yield each partition once (GroupingPartitionRouter deduplicates, but turns
every partition value into a list, which would change the stream's state and its request path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from airbyte_cdk.sources.declarative.partition_routers.substream_partition_router import SubstreamPartitionRouter
from airbyte_cdk.sources.types import StreamSlice


@dataclass
class DistinctSubstreamPartitionRouter(SubstreamPartitionRouter):
    """A SubstreamPartitionRouter that yields each partition once, the first time a parent record gives it.

    A subclass, not a wrapper: the CDK finds a child stream's parents (for stream groups, and to read a parent
    before its child) by `isinstance(router, SubstreamPartitionRouter)`.
    """

    def stream_slices(self) -> Iterable[StreamSlice]:
        seen: set[str] = set()
        for stream_slice in super().stream_slices():
            key = json.dumps(stream_slice.partition, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                yield stream_slice
