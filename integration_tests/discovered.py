"""Helpers that work from the connector's own discover output, so tests follow the streams it declares."""

from __future__ import annotations

import json

from integration_tests.connector_cli import Run


def configured(catalog: dict) -> dict:
    """Every discovered stream, incremental where the source defines a cursor (as Airbyte would set it up)."""
    streams = []
    for stream in catalog["streams"]:
        incremental = stream.get("source_defined_cursor") and "incremental" in stream["supported_sync_modes"]
        streams.append(
            {
                "stream": stream,
                "sync_mode": "incremental" if incremental else "full_refresh",
                "destination_sync_mode": "append",
                **({"cursor_field": stream["default_cursor_field"]} if incremental else {}),
            }
        )
    return {"streams": streams}


def ids(result: Run, stream: dict) -> list[tuple]:
    """The primary keys (tuples) of the records a run delivered for a discovered stream, sorted. A stream without
    a primary key (global-configuration, one record) is keyed by its whole record."""

    def key(record: dict) -> tuple:
        if not stream.get("source_defined_primary_key"):
            return (json.dumps(record, sort_keys=True),)
        values = []
        for path in stream["source_defined_primary_key"]:
            value = record
            for part in path:
                value = value.get(part)  # a null field is left out of the record: global-rates' default role
            values.append(value)
        return tuple(values)

    return sorted(map(key, result.records(stream["name"])), key=repr)
