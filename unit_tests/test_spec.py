"""`source-tempo spec` answers from the manifest without the CDK, and says exactly what the CDK would say."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type

from source_tempo import SourceTempo
from source_tempo.run import run
from source_tempo.spec import spec_message


def _cdk_spec() -> dict:
    spec = SourceTempo().spec(logging.getLogger("airbyte"))
    return orjson.loads(orjson.dumps(AirbyteMessageSerializer.dump(AirbyteMessage(type=Type.SPEC, spec=spec))))


def test_spec_without_the_cdk_equals_the_cdks_spec() -> None:
    assert spec_message() == _cdk_spec()


def test_console_spec_prints_the_cdks_spec(monkeypatch) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", out)
    run(["spec"])
    out.flush()
    lines = out.buffer.getvalue().decode().splitlines()  # type: ignore[attr-defined]
    assert [json.loads(line) for line in lines] == [_cdk_spec()]


@pytest.mark.timeout(120)
def test_console_spec_does_not_import_the_cdk() -> None:
    """Importing airbyte_cdk costs about 2 s of CPU: `spec` must answer without it (docs/tempo.md, Performance)."""
    code = (
        "import sys; from source_tempo.run import run; run(['spec']); "
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.startswith('airbyte_cdk'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "[]"
    assert json.loads(result.stdout)["type"] == "SPEC"
