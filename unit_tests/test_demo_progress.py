"""The demo's progress display: one line that fits the terminal, redrawn with \\r only on a terminal."""

from __future__ import annotations

import io

import pytest

import demo.__main__ as demo

STREAMS = ["accounts", "customers", "worklogs", "timesheet-approval-logs"] + [f"stream-{n}" for n in range(21)]


def test_the_line_counts_records_streams_done_and_the_stream_being_read() -> None:
    counts = dict.fromkeys(STREAMS, 0) | {"accounts": 60, "worklogs": 12285}
    line = demo.progress_line(counts, 7, "worklogs", 12.34, 80)
    assert line == "  records 12,345 · streams 7/25 done · worklogs 12,285 · 12.3 s"


@pytest.mark.parametrize("width", [79, 60, 40, 20])
def test_the_line_never_exceeds_the_width(width: int) -> None:
    counts = dict.fromkeys(STREAMS, 123456789)
    line = demo.progress_line(counts, 24, "timesheet-approval-logs", 12345.6, width)
    assert len(line) <= width
    if width >= 60:
        assert "streams 24/25 done" in line


def _progress(monkeypatch, tty: bool, columns: int) -> tuple[demo.Progress, io.StringIO]:
    stderr = io.StringIO()
    stderr.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(demo.sys, "stderr", stderr)
    monkeypatch.setenv("COLUMNS", str(columns))
    clock = iter(range(0, 1000, 6))
    monkeypatch.setattr(demo.time, "monotonic", lambda: float(next(clock)))
    return demo.Progress(STREAMS), stderr


def test_on_a_terminal_the_line_is_redrawn_in_place_within_columns(monkeypatch) -> None:
    progress, stderr = _progress(monkeypatch, tty=True, columns=50)
    for stream in ("accounts", "worklogs", "worklogs"):
        progress.record(stream)
        progress.show()
    progress.stream_done("accounts")
    progress.show()
    progress.close()

    drawn = stderr.getvalue()
    assert "\n" not in drawn
    frames = drawn.split("\r")[1:]
    assert all(len(frame) <= 49 for frame in frames)
    assert "streams 1/25 done" in frames[-3] and frames[-1] == ""  # the last frame cleared


def test_without_a_terminal_it_prints_plain_lines(monkeypatch) -> None:
    progress, stderr = _progress(monkeypatch, tty=False, columns=80)
    progress.record("worklogs")
    progress.show()
    progress.close()

    assert "\r" not in stderr.getvalue()
    assert stderr.getvalue().splitlines() == ["  records 1 · streams 0/25 done · worklogs 1 · 6.0 s"]


def test_query_results_are_aligned_under_their_columns() -> None:
    lines = demo.format_table(["month", "hours"], [("2026-03", 3.5), ("2026-02", None), ("2026-01", 12.25)])
    assert lines == ["  month    hours", "  2026-03    3.5", "  2026-02", "  2026-01  12.25"]
