"""SourceTempo: the manifest-backed source, plus the one hook the manifest cannot declare."""

from __future__ import annotations

import ast
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, List, Mapping

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    FailureType,
    Status,
    TraceType,
    Type,
)
from airbyte_cdk.sources.declarative.interpolation import InterpolatedString
from airbyte_cdk.sources.declarative.yaml_declarative_source import YamlDeclarativeSource
from airbyte_cdk.sources.streams.concurrent.abstract_stream import AbstractStream
from airbyte_cdk.sources.streams.concurrent.cursor import ConcurrentCursor
from airbyte_cdk.sources.types import StreamSlice
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_tempo.cdk_internals import (
    components_config,
    fail_to_start_after,
    install_log_rewrites,
    refresh_rejection,
    retriever_of,
    share_http_session,
    spec_component,
    use_components_config,
)
from source_tempo.components.auth import PersistedConfig
from source_tempo.components.config import register_secrets
from source_tempo.components.cursor_ceiling import CursorCeiling
from source_tempo.components.cursors import FirstSyncPartitioningCursor
from source_tempo.components.errors import apply_read_timeout_override, stops_the_sync
from source_tempo.components.jira import JIRA_STREAMS, JIRA_SYNC, check_jira, jira_config
from source_tempo.components.tombstones import WorklogTombstones
from source_tempo.components.work_attributes import AttributeColumnFiller, with_attribute_columns

MANIFEST = Path(__file__).with_name("manifest.yaml")
# Streams read in cursor order, which checkpoint in the middle of a partition and split a first sync (worklogs, and
# the rows of their attribute values, read from the same pages).
PAGE_CHECKPOINTED_STREAMS = frozenset({"worklogs", "worklog-attribute-values"})
DELETIONS_STREAM = "worklog-deletions"  # its endpoint, Tempo's audit log, is also where worklog tombstones come from
# The CDK's own last error of a sync in which a stream failed (see SourceTempo.read).
_CDK_SYNC_FAILURE = "Concurrent read failure"
# Streams that send another stream's requests, through that stream's HTTP session and so its response cache (see
# plan-days in the manifest).
SHARED_READS = {"plan-days": "plans"}
# Streams whose requests are another stream's: `check` does not probe them, as that stream's probe (or the core read)
# is their request too.
SAME_REQUESTS_AS = {"plan-days": "plans", "worklog-attribute-values": "worklogs"}
# The stream whose schema gets a column per work attribute, and the stream that lists them.
WORKLOGS_STREAM, WORK_ATTRIBUTES_STREAM = "worklogs", "work-attributes"
# What the manifest's 403 message says, so that `check` can tell a missing permission from other answers.
FORBIDDEN_MARKER = "(HTTP 403)"
# The manifest's defaults (concurrency_level, the worklogs paginator), measured: see docs/tempo.md, Performance.
WORKLOGS_PAGE_SIZE = 2500
DEFAULT_WORKERS = 8
RECORDS_IN_FLIGHT = 20_000  # workers x page size is held to this: the memory bound


def unquoted(message: str) -> str:
    """The text of a failed check's message, which the CDK's check writes as `repr(reason)`: in quotes, with its
    quotes and backslashes escaped (ConcurrentDeclarativeSource.check). Another message is returned as it is."""
    try:
        text = ast.literal_eval(message)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return message
    return text if isinstance(text, str) else message


class SourceTempo(YamlDeclarativeSource):
    def __init__(
        self,
        catalog: ConfiguredAirbyteCatalog | None = None,
        config: Mapping[str, Any] | None = None,
        state: List[AirbyteStateMessage] | None = None,
        config_path: str | None = None,
    ) -> None:
        super().__init__(
            path_to_yaml=str(MANIFEST), catalog=catalog, config=config, state=state, config_path=config_path
        )
        # Every component gets this very dict: the OAuth authenticator writes a rotated refresh token into it
        # and saves it to the file it came from (source_tempo/components/auth.py). The CDK keeps it privately.
        use_components_config(self, PersistedConfig(components_config(self), config_path))
        self.saved_states = {
            message.stream.stream_descriptor.name: dict(message.stream.stream_state.__dict__)
            for message in state or []
            if message.stream is not None and message.stream.stream_state is not None
        }
        register_secrets(components_config(self))
        # the manifest's read timeout, or SOURCE_TEMPO_READ_TIMEOUT_SECONDS (the same dict the streams are built from)
        apply_read_timeout_override(self.resolved_manifest)  # type: ignore[arg-type]

    def validate_config(self) -> None:
        """Raises the first problem of the config as a config error naming the field, before any request.

        These are the manifest's validations (spec.config_normalization_rules), which the CDK runs itself when it
        builds the streams; run here where the CDK would answer first with its own JSON-schema check, whose
        message does not name the field: by the `source-tempo` command line, and at the start of `check`.
        """
        spec_component(self).validate_config(components_config(self))

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        # the CDK's entrypoint has just replaced the secret forms registered as the source was built
        register_secrets(components_config(self))
        catalog = super().discover(logger, config)
        worklogs = next((stream for stream in catalog.streams if stream.name == WORKLOGS_STREAM), None)
        if worklogs is not None:
            attributes = self.work_attributes(logger, config)
            worklogs.json_schema = with_attribute_columns(worklogs.json_schema, attributes)
        return catalog

    def work_attributes(self, logger: logging.Logger, config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The site's work attributes, read like the work-attributes stream (see components/work_attributes.py).

        Empty when the token may not read them (HTTP 403): the worklogs schema is then the plain one, and a warning
        says why. Any other failure fails discover with the stream's message.
        """
        stream = next(stream for stream in self.streams(config) if stream.name == WORK_ATTRIBUTES_STREAM)
        try:
            return [dict(record.data) for partition in stream.generate_partitions() for record in partition.read()]
        except AirbyteTracedException as error:
            if FORBIDDEN_MARKER not in (error.message or ""):
                raise
            logger.warning(
                f"{filter_secrets(error.message)} The worklogs schema has no work attribute columns "
                "(attribute_<key>); give the token that permission and refresh the schema to get them."
            )
            return []

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: List[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        # the CDK's entrypoint has just replaced the secret forms registered as the source was built
        register_secrets(components_config(self))
        install_log_rewrites()
        # A stream that fails (a 403 above all) does not stop the others: the CDK reads them to the end, saves
        # their state, then fails the sync with a last error that quotes the raw HTTP log line of each failure.
        # That last error is the one a user sees first, so it is rewritten to name every stream that was not read
        # with its own message (e.g. the missing permission), and how many streams were read completely. The sync
        # still ends failed: a stream the token may not read must never look like a stream without data.
        # An error that every stream would meet (a rejected token, an unreachable host: `stops_the_sync`) stops
        # the sync instead: streams not started yet fail without a request (see `streams`), the requests under
        # way end, and that one error is the sync's last and only one.
        failed: dict[str, str] = {}
        failure_types: set[FailureType | None] = set()
        completed: set[str] = set()
        self.stopped_by: Any = None
        # the work attribute columns the destination has for worklogs: filled from each record (see `discover`)
        attribute_columns = AttributeColumnFiller(
            next((c.stream.json_schema for c in catalog.streams if c.stream.name == WORKLOGS_STREAM), None)
        )
        # The Jira streams read the ids the Tempo records of this sync reference (source_tempo/components/jira.py).
        selected = {configured.stream.name for configured in catalog.streams}
        jira = jira_config(components_config(self)) is not None  # a fresh registry and cache for every sync
        if jira:
            JIRA_SYNC.begin(selected - set(JIRA_STREAMS), self.saved_states.get(JIRA_STREAMS[0]))
        try:
            for message in super().read(logger, config, catalog, state):
                if attribute_columns and message.type == Type.RECORD and message.record.stream == WORKLOGS_STREAM:
                    attribute_columns.fill(message.record.data)
                if jira:
                    self._to_jira_sync(message)
                trace = message.trace if message.type == Type.TRACE else None
                if trace and trace.type == TraceType.STREAM_STATUS and trace.stream_status:
                    if trace.stream_status.status == AirbyteStreamStatus.COMPLETE:
                        completed.add(trace.stream_status.stream_descriptor.name)
                if trace and trace.error:
                    # A stream's error trace quotes the response body; a server that echoes the token must not
                    # make it print. (The CDK masks secrets in logs, not in these traces.)
                    error = trace.error
                    error.message = filter_secrets(error.message) if error.message else error.message
                    error.internal_message = filter_secrets(error.internal_message) if error.internal_message else None
                    error.stack_trace = filter_secrets(error.stack_trace) if error.stack_trace else None
                    error.message = refresh_rejection(error.message, error.internal_message) or error.message
                    if self.stopped_by is None and stops_the_sync(error.message):
                        self.stopped_by = error
                    if self.stopped_by is not None:
                        continue  # the other streams' errors after a stop are its echo
                    if error.stream_descriptor is not None and error.message:
                        if failed.get(error.stream_descriptor.name) == error.message:
                            continue  # another partition of the stream (a window of worklogs) failed the same way
                        failed.setdefault(error.stream_descriptor.name, error.message)
                        failure_types.add(error.failure_type)
                yield message
        except AirbyteTracedException as error:
            if error.internal_message == _CDK_SYNC_FAILURE and self.stopped_by is not None:
                read_completely = f" Read completely before it: {', '.join(sorted(completed))}." if completed else ""
                error.message = (
                    f"{self.stopped_by.message} The sync stopped at this error: no stream can be read until it is "
                    f"fixed.{read_completely}"
                )
                error.failure_type = self.stopped_by.failure_type
            elif error.internal_message == _CDK_SYNC_FAILURE and failed:
                read_completely = ", ".join(sorted(completed))
                error.message = (
                    f"The sync did not read {len(failed)} stream(s): {', '.join(failed)}. "
                    + " ".join(failed.values())
                    + (
                        f" Read completely: {read_completely}."
                        if completed
                        else " No other stream was read completely."
                    )
                )
                if failure_types == {FailureType.transient_error}:
                    # The CDK calls this last error a config error; when every stream failed on a timeout, a 5xx
                    # or a wait too long, running the sync again is the fix, and the platform retries transients.
                    error.failure_type = FailureType.transient_error
            raise
        finally:
            if jira:
                JIRA_SYNC.end()

    @staticmethod
    def _to_jira_sync(message: AirbyteMessage) -> None:
        """Tempo records and stream ends to the Jira registry; jira-issues' state gets the referenced issue ids."""
        if message.type == Type.RECORD and message.record is not None:
            JIRA_SYNC.note_record(message.record.stream, message.record.data)
        elif message.type == Type.TRACE and message.trace and message.trace.stream_status:
            if message.trace.stream_status.status in (AirbyteStreamStatus.COMPLETE, AirbyteStreamStatus.INCOMPLETE):
                JIRA_SYNC.stream_done(message.trace.stream_status.stream_descriptor.name)
        elif message.type == Type.STATE and message.state and message.state.stream:
            stream = message.state.stream
            if stream.stream_descriptor.name == JIRA_STREAMS[0] and stream.stream_state is not None:
                cursor = dict(stream.stream_state.__dict__)
                for key, value in JIRA_SYNC.state_with_ids(cursor).items():
                    setattr(stream.stream_state, key, value)

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """The manifest's CheckStream on the core streams decides; then the token's reach is probed and logged.

        Core streams (the manifest's `check.stream_names`, worklogs: the reason to use the connector) must be
        readable, or the check fails with the stream's message. Every other stream whose endpoint answers
        403 is logged as a warning and listed in the check's message, without failing it: a token may rightly
        lack scopes for streams the connection does not select, and a sync that selects one reports it by name.
        """
        install_log_rewrites()
        # the CDK's entrypoint has just replaced the secret forms registered as the source was built
        register_secrets(components_config(self))
        try:
            self.validate_config()
        except AirbyteTracedException as error:
            if error.failure_type != FailureType.config_error:
                raise
            return AirbyteConnectionStatus(status=Status.FAILED, message=error.message)
        status = super().check(logger, config)
        if status.status != Status.SUCCEEDED:
            # The CDK's message is the stream's error as it is, unlike its traces: a server quoting the token in its
            # answer must not make the check print it.
            status.message = filter_secrets(unquoted(status.message)) if status.message else status.message
            return status
        jira_problem = check_jira(components_config(self) or {})
        if jira_problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=jira_problem)
        unreadable = self.forbidden_streams(logger, config)
        for message in unreadable.values():
            logger.warning(f"{message} The sync fails for this stream if it is selected.")
        if unreadable:
            status.message = (
                f"Connected; the token cannot read these streams (HTTP 403), so deselect them or give the token "
                f"their scopes: {', '.join(unreadable)}."
            )
        if DELETIONS_STREAM in unreadable and config.get("worklog_tombstones", True) is not False:
            # Tombstones read the audit log in every incremental worklogs sync: without it the core stream fails.
            status.status = Status.FAILED
            status.message = (
                "The token cannot read Tempo's audit log (HTTP 403), which `worklog_tombstones` needs: every "
                "incremental worklogs sync would fail. Give the token's user that permission (a Full access token "
                "reads it), or set `worklog_tombstones` to false and sync worklogs without tombstones."
            )
        return status

    def forbidden_streams(self, logger: logging.Logger, config: Mapping[str, Any]) -> dict[str, str]:
        """Stream name -> its 403 message, for the streams outside the check whose endpoint the token may not read.

        One request per stream, the stream's own first request (its requester: auth, api_budget, error
        handler) with `limit=1` where it pages and the cursor's filter set to today, so that it is small.
        Only a 403 counts: any other answer is the sync's business. Streams that iterate over a parent
        (timesheet-approvals, holidays, ...) are not probed, as their requests need a parent's id, nor those of
        SAME_REQUESTS_AS, whose request is another stream's; a sync reports them by name too.
        """
        core = set(self.resolved_manifest["check"].get("stream_names") or [])
        children = {
            stream.get("name")
            for stream in self.resolved_manifest["streams"]
            if (stream.get("retriever") or {}).get("partition_router")
        }
        midnight = datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00Z")  # today's changes: a small answer
        probe = StreamSlice(partition={}, cursor_slice={"start_time": midnight, "end_time": midnight})
        forbidden: dict[str, str] = {}
        for stream in self.streams(config):
            retriever = retriever_of(stream)
            requester = getattr(retriever, "requester", None)
            if stream.name in core or stream.name in children or stream.name in SAME_REQUESTS_AS or requester is None:
                continue
            # the first page's options, as the sync sends them (the paginator's `limit` in the query or the body)
            options, paginator = retriever.request_option_provider, retriever.paginator
            params = {**options.get_request_params(stream_slice=probe), **paginator.get_request_params()}
            body = {**(options.get_request_body_json(stream_slice=probe) or {}), **paginator.get_request_body_json()}
            for where in (params, body):
                if "limit" in where:
                    where["limit"] = 1
            try:
                requester.send_request(stream_slice=probe, request_params=params, request_body_json=body or None)
            except AirbyteTracedException as error:
                if FORBIDDEN_MARKER in (error.message or ""):
                    forbidden[stream.name] = filter_secrets(error.message)
            except Exception as error:  # a probe must never fail a check that passed
                logger.info(f"Could not probe stream {stream.name}: {type(error).__name__}")
        return forbidden

    def streams(self, config: Mapping[str, Any]) -> List[AbstractStream]:  # type: ignore[override]
        started = datetime.now(timezone.utc)
        streams = super().streams(config)  # runs the manifest's config validations first
        config = components_config(self) or {}
        if jira_config(config) is None:  # without `jira`, the catalog of a Tempo-only connector
            streams = [stream for stream in streams if stream.name not in JIRA_STREAMS]
        by_name = {stream.name: stream for stream in streams}
        for stream in streams:
            cursor = getattr(stream, "cursor", None)
            if stream.name in PAGE_CHECKPOINTED_STREAMS and type(cursor) is ConcurrentCursor:
                # the same defaults and bound as the manifest's concurrency_level: 20,000 records in flight
                page_size = int(config.get("page_size") or WORKLOGS_PAGE_SIZE)
                workers = min(int(config.get("num_workers") or DEFAULT_WORKERS), max(1, RECORDS_IN_FLIGHT // page_size))
                FirstSyncPartitioningCursor.enable_on(
                    cursor,
                    every=page_size,
                    # one window per worker: each window's first page is a request however few worklogs it
                    # holds, so more windows cost a small site most of its requests (see docs, Performance)
                    windows=workers,
                    start_date=config.get("start_date"),
                )
        if config.get("worklog_tombstones", True) is not False and "worklogs" in by_name:
            oldest_from = InterpolatedString.create(
                self.resolved_manifest["definitions"]["deletions_oldest_from"], parameters={}
            ).eval(config)
            WorklogTombstones.enable_on(by_name["worklogs"], by_name[DELETIONS_STREAM], oldest_from)
        for reader, owner in SHARED_READS.items():
            if reader in by_name and owner in by_name:
                share_http_session(retriever_of(by_name[reader]).requester, retriever_of(by_name[owner]).requester)
        for stream in streams:  # last: in front of the cursor classes set above
            CursorCeiling.apply_to(stream, started, self.saved_states.get(stream.name))
        for stream in streams:  # after a stop (see `read`), a stream not started yet is not started
            fail_to_start_after(stream, self.stop_message)
        return streams

    def stop_message(self) -> str | None:
        stopped_by = getattr(self, "stopped_by", None)  # None before the first read
        return stopped_by.message if stopped_by is not None else None
