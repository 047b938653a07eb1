"""Airbyte source connector for Tempo (tempo.io) REST API v4."""

from typing import Any

__all__ = ["SourceTempo"]


def __getattr__(name: str) -> Any:
    """SourceTempo on first use: `source-tempo spec` must not import the CDK (see source_tempo/run.py)."""
    if name == "SourceTempo":
        from source_tempo.source import SourceTempo

        return SourceTempo
    raise AttributeError(f"module 'source_tempo' has no attribute {name!r}")
