"""Local Tempo REST API v4 sandbox (standard library only).

    from sandbox import TempoSandbox
    with TempoSandbox(worklogs=3000, seed=42) as sb:
        sb.base_url, sb.token   # "http://127.0.0.1:<port>/4", "sandbox-token"

See ``server.py`` for every behaviour the sandbox assumes.
"""

from .seed import BULK_UPDATED_AT, DEFAULT_HOST, SEED_END, SeedData, bulk_size, generate
from .server import (
    HOST,
    SANDBOX_USER_ACCOUNT_ID,
    TOKEN_NO_WORKLOGS,
    TOKEN_OTHER_REGION,
    TOKENS,
    VALID_TOKEN,
    SandboxFaults,
    TempoSandbox,
)

__all__ = [
    "BULK_UPDATED_AT",
    "DEFAULT_HOST",
    "HOST",
    "SANDBOX_USER_ACCOUNT_ID",
    "SEED_END",
    "TOKENS",
    "TOKEN_NO_WORKLOGS",
    "TOKEN_OTHER_REGION",
    "VALID_TOKEN",
    "SandboxFaults",
    "SeedData",
    "TempoSandbox",
    "bulk_size",
    "generate",
]
