"""Storage outage: the HTTP path answers 503 + Retry-After and the topic consumers pause while
S3 is down; uploads succeed and consumption resumes once it is back.

The shared S3 server (:9000) is never touched: this test starts its own S3Proxy (the jars
`deploy/local/stack.sh` fetched) on a free port with its own data folder, and an ingest app
pointed at it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tests.integration.ingest.conftest import ingest_settings_for, running_ingest
from tests.integration.ingest.test_intake_paths import unique_text
from tests.support.wait import eventually, eventually_async

from lexstream.shared.events import ObjectRef
from lexstream.shared.storage import original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[3]
STACK_DIR = Path(os.environ.get("LEXSTREAM_STACK_DIR", ROOT / ".stack"))
JAVA = Path(os.environ.get("LEXSTREAM_STACK_JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class S3Proxy:
    """A private S3Proxy process (filesystem back end) that the test may stop and start."""

    def __init__(self, base: Path, port: int) -> None:
        self.base = base
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        (base / "data").mkdir(parents=True, exist_ok=True)
        self.conf = base / "s3proxy.conf"
        self.conf.write_text(
            f"s3proxy.endpoint=http://127.0.0.1:{port}\n"
            "s3proxy.authorization=aws-v2-or-v4\n"
            "s3proxy.identity=lexstream\n"
            "s3proxy.credential=lexstream-secret\n"
            "jclouds.provider=filesystem\n"
            f"jclouds.filesystem.basedir={base / 'data'}\n"
            "jclouds.region=us-east-1\n"
        )

    def start(self) -> None:
        log = (self.base / "s3.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(JAVA / "bin" / "java"),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-cp",
                str(STACK_DIR / "dist" / "s3" / "lib" / "*"),
                "org.gaul.s3proxy.Main",
                "--properties",
                str(self.conf),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process = self.process

        def answers() -> bool:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/", timeout=2)
            except httpx.HTTPError:
                if process.poll() is not None:
                    raise RuntimeError(f"S3Proxy exited, see {self.base / 's3.log'}") from None
                return False
            return True

        eventually(answers, what="S3Proxy answering", timeout_s=90, interval_s=0.5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def private_s3(tmp_path: Path) -> Iterator[S3Proxy]:
    if not (STACK_DIR / "dist" / "s3" / "lib").is_dir() or not (JAVA / "bin" / "java").exists():
        pytest.fail(f"S3Proxy jars or Java missing under {STACK_DIR} (run stack.sh fetch s3)")
    proxy = S3Proxy(tmp_path / "s3", free_port())
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
        shutil.rmtree(tmp_path / "s3", ignore_errors=True)


async def test_http_upload_answers_503_while_storage_is_down(
    private_s3: S3Proxy, stack_env: dict[str, str], tmp_path: Path
) -> None:
    prefix = f"{stack_env['LEXSTREAM_TOPIC_PREFIX']}o"
    env = {
        **stack_env,
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
    }
    settings = ingest_settings_for(
        env, tmp_path, s3_endpoint=f"127.0.0.1:{private_s3.port}", retry_attempts=2
    )
    async with running_ingest(settings) as ingest:

        async def post(data: bytes) -> httpx.Response:
            return await ingest.client.post(
                "/internal/v1/documents",
                content=data,
                params={"matter_id": "M-outage"},
                headers={"X-Lexstream-Filename": "outage.txt"},
            )

        before = await post(unique_text("before"))
        assert before.status_code == 202
        assert before.json()["status"] == "stored"

        await asyncio.to_thread(private_s3.stop)
        data = unique_text("during")
        down = await post(data)
        assert down.status_code == 503
        assert int(down.headers["Retry-After"]) > 0
        assert "temporarily unavailable" in down.json()["detail"]

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
            yield data

        streamed = await ingest.client.post(
            "/internal/v1/documents", content=chunks(), headers={"X-Lexstream-Filename": "s.txt"}
        )
        assert streamed.status_code == 503
        assert int(streamed.headers["Retry-After"]) > 0

        await asyncio.to_thread(private_s3.start)
        after = await post(data)  # the client's retry of the refused upload
        assert after.status_code == 202, after.text
        assert after.json()["status"] == "stored"
        again = await ingest.client.post(
            "/internal/v1/documents",
            content=chunks(),
            params={"matter_id": "M-outage"},
            headers={"X-Lexstream-Filename": "s.txt"},
        )
        assert again.status_code == 202
        assert again.json()["status"] == "duplicate"
        original = ObjectRef(
            bucket=ingest.store.originals, key=original_key(after.json()["sha256"])
        )
        assert await ingest.store.get_bytes(original) == data


async def test_topic_consumers_pause_while_storage_is_down_and_resume_after(
    private_s3: S3Proxy, stack_env: dict[str, str], tmp_path: Path
) -> None:
    """The consumption gate (shared with the workers): not ready and every consumer's
    partitions paused while S3 is away, consuming again once it is back."""
    prefix = f"{stack_env['LEXSTREAM_TOPIC_PREFIX']}g"
    env = {
        **stack_env,
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
    }
    settings = ingest_settings_for(env, tmp_path, s3_endpoint=f"127.0.0.1:{private_s3.port}")
    async with running_ingest(settings) as ingest:
        gate = ingest.app.state.gate
        consumers = [subscriber.consumer for subscriber in gate.broker.subscribers]
        assert len(consumers) == 3  # submitted, storage events, stored (containers)

        async def assigned() -> bool:
            return all(consumer.assignment() for consumer in consumers)

        await eventually_async(assigned, what="partitions assigned to the three consumers")
        assert (await ingest.client.get("/health/ready")).status_code == 200

        await asyncio.to_thread(private_s3.stop)

        async def paused() -> bool:
            return gate.paused and all(consumer.paused() for consumer in consumers)

        await eventually_async(paused, what="consumption paused", timeout_s=20)
        ready = await ingest.client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["s3"].startswith("down")
        assert ready.json()["checks"]["kafka"] == "ok"

        await asyncio.to_thread(private_s3.start)

        async def resumed() -> bool:
            return not gate.paused and not any(consumer.paused() for consumer in consumers)

        await eventually_async(resumed, what="consumption resumed", timeout_s=20)
        assert (await ingest.client.get("/health/ready")).status_code == 200
