"""`source-tempo spec` without the CDK: the manifest's spec block, written as the CDK writes it.

Why: the CDK's `spec` builds the whole declarative source first, and importing airbyte_cdk alone costs about
2 s of CPU on a 2-core machine (its package imports nearly every module it has), where PyYAML and orjson take
a tenth of a second. The message is the spec block as is: `connection_specification`, `documentation_url` and
`advanced_auth` under the protocol's names, with the protocol's two defaults. unit_tests/test_spec.py checks
that it equals the CDK's own answer, so a manifest change the CDK would render differently fails there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict

import orjson
import yaml

MANIFEST = Path(__file__).with_name("manifest.yaml")


def spec_message() -> Dict[str, Any]:
    with open(MANIFEST, encoding="utf-8") as manifest:
        spec = yaml.load(manifest, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["spec"]
    body: Dict[str, Any] = {"connectionSpecification": spec["connection_specification"]}
    if spec.get("documentation_url"):
        body["documentationUrl"] = spec["documentation_url"]
    body["supportsNormalization"] = False
    body["supportsDBT"] = False
    if spec.get("advanced_auth"):
        body["advanced_auth"] = spec["advanced_auth"]
    return {"type": "SPEC", "spec": body}


def write_spec() -> None:
    sys.stdout.buffer.write(orjson.dumps(spec_message()) + b"\n")
    sys.stdout.flush()
