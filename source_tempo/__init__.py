"""Airbyte source connector for Tempo (tempo.io) REST API v4."""

from source_tempo.source import SourceTempo

__all__ = ["SourceTempo"]
