"""Mock-server tests: each stream read end to end through HttpMocker and entrypoint_wrapper."""
