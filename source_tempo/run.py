"""Console-script entrypoint: `source-tempo spec|check|discover|read ...`.

`spec` is answered without importing the CDK (source_tempo/spec.py): importing airbyte_cdk alone costs about
2 s of CPU, since its package imports nearly every module it has. Every other command goes through the CDK
(source_tempo/launch.py), which is imported only then.
"""

from __future__ import annotations

import sys
from typing import List


def run(args: List[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    if args == ["spec"]:
        from source_tempo.spec import write_spec

        write_spec()
        return
    from source_tempo.launch import run as launch

    launch(args)
