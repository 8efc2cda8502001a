"""Health probe for the local Kafka broker, used by deploy/local/stack.sh.

Speaks the Kafka protocol (a metadata request through aiokafka's admin client), so it only
passes once the broker is up and has joined its KRaft quorum, not merely when the port opens.
Exits 0 when healthy, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from aiokafka.admin import AIOKafkaAdminClient


async def list_topics(bootstrap_servers: str, timeout_ms: int = 5000) -> list[str]:
    """Return the broker's topic names; raises when the broker does not answer."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        request_timeout_ms=timeout_ms,
        client_id="lexstream-stack-health",
    )
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.CRITICAL)
    bootstrap = argv[1] if len(argv) > 1 else "127.0.0.1:9092"
    try:
        topics = asyncio.run(asyncio.wait_for(list_topics(bootstrap), timeout=10))
    except Exception as exc:
        print(f"kafka not healthy at {bootstrap}: {exc!r}", file=sys.stderr)
        return 1
    print(f"kafka healthy at {bootstrap}: {len(topics)} topics")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
