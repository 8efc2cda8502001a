"""Load run: ``uv run python bench/load/run.py --duration 600``.

Starts a private stack and the five services (tests/reliability/stack.py: ports 29xxx and
27xxx, never the shared stack), keeps uploads and searches in flight for ``--duration``
seconds (loopback only), prints the table of throughput, shed load, errors and p50/p99 per
endpoint and each service's memory at the start and the end, and stops what it started.
With ``--gateway URL --key KEY`` it loads a running gateway instead (memory not sampled).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx
from bench.load.loadgen import run_load
from tests.reliability.stack import PrivateStack, Services, new_prefix, prefix_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--uploaders", type=int, default=4)
    parser.add_argument("--searchers", type=int, default=8)
    parser.add_argument("--gateway", help="load this running gateway (loopback) instead")
    parser.add_argument("--key", help="its API key")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.gateway:
        report = asyncio.run(
            run_load(
                args.gateway,
                args.key,
                duration_s=args.duration,
                uploaders=args.uploaders,
                searchers=args.searchers,
            )
        )
    else:
        stack = PrivateStack.create()
        try:
            stack.start()
            prefix = new_prefix()
            services = Services(
                env={**stack.service_env(), **prefix_env(prefix)},
                logs=Path(tempfile.mkdtemp(prefix="lexstream-load-logs-")),
            )
            services.start_all()
            try:
                matter = f"LOAD-{prefix}"
                httpx.post(
                    f"{services.gateway_url}/v1/matters",
                    headers={"X-API-Key": services.admin_key},
                    json={"matter_id": matter, "name": "load"},
                    timeout=60,
                ).raise_for_status()
                report = asyncio.run(
                    run_load(
                        services.gateway_url,
                        services.admin_key,
                        duration_s=args.duration,
                        uploaders=args.uploaders,
                        searchers=args.searchers,
                        matter_id=matter,
                        services=services,
                    )
                )
            finally:
                services.stop_all()
        finally:
            stack.destroy()
    print(
        f"load for {report.duration_s} s, {args.uploaders} uploaders "
        f"+ {args.searchers} searchers in flight\n"
    )
    print(report.table())
    if args.json:
        args.json.write_text(json.dumps(report.__dict__, indent=2))


if __name__ == "__main__":
    main()
