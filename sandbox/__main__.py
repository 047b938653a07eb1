"""Run the Tempo sandbox from a shell.

    python -m sandbox --port 8765 --worklogs 5000 [--seed 42]
        [--rate-limit 5] [--latency-ms 600] [--max-limit 1000] [--fail-5xx-every N]

Serves until Ctrl-C or SIGTERM.  Faults can be changed while it runs through
``POST /_control/faults`` (see server.py).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from .server import TempoSandbox


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--worklogs", type=int, default=5000, help="number of seeded worklogs")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rate-limit", type=float, default=None, help="requests per second per token (429 beyond)")
    p.add_argument("--latency-ms", type=float, default=0.0, help="delay before every /4 answer")
    p.add_argument("--max-limit", type=int, default=5000, help="largest page size served")
    p.add_argument("--fail-5xx-every", type=int, default=None, help="every Nth API request answers 503")
    p.add_argument("--next-host", default=None, help="host used in self/next links (default https://api.tempo.io)")
    args = p.parse_args(argv)

    started = time.perf_counter()
    faults = {
        "rate_limit_per_second": args.rate_limit,
        "latency_seconds": args.latency_ms / 1000.0,
        "max_limit": args.max_limit,
        "fail_5xx_every": args.fail_5xx_every,
    }
    if args.next_host:
        faults["next_host"] = args.next_host
    sb = TempoSandbox(worklogs=args.worklogs, seed=args.seed, port=args.port, **faults)
    sb.prewarm()
    sb.start()
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"Tempo sandbox: {args.worklogs} worklogs (seed {args.seed}) ready in {time.perf_counter() - started:.1f}s")
    print(f"base URL: {sb.base_url}")
    print(f"token:    {sb.token}")
    print(f"control:  {sb.control_url}  (GET stats, POST faults, POST/PUT/DELETE worklogs)")
    print("Ctrl-C or SIGTERM to stop.", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sb.stop()
        print("stopped; stats:", sb.stats(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
