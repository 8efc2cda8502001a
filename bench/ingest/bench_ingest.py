"""Ingest throughput through the HTTP path against a raw S3 put of the same bytes (same run).

Starts its own ingest process (``python -m lexstream.ingest``) on a free port with a fresh
topic prefix and buckets, against the local stack (Kafka :9092, Elasticsearch :9200, S3 :9000),
creates the matter it uploads into (ingest refuses unknown matters; the registry is the
gateway's matters index, written here through the gateway's ``MatterStore``) and sends the
service token (``LEXSTREAM_INGEST_TOKEN``) the internal API requires, as the gateway does; then:

(a) N small files (default 1,000 x 4 KiB text), uploaded with C concurrent requests, against
    the same bytes put with the minio client from C threads;
(b) L large files (default 3 x 100 MB; ``--full``: 3 x 500 MB), one after the other, streamed
    from disk, against ``fput_object`` of the same files with the same part size.

Reports MB/s and files/s of each, the ratio ingest/raw (target for (b): >= 0.8) and the
ingest process's peak resident memory during (b) (VmHWM, reset before (b); target < 250 MB).
(b) runs twice: plain uploads, and uploads declaring their sha256 in ``Repr-Digest`` (RFC 9530),
which ingest checks (``--put-while-receiving``: and puts to S3 while the body arrives); then
the plain files again as duplicates, which shows what receiving, hashing and spooling alone
cost.

    uv run python bench/ingest/bench_ingest.py [--full] [--small 1000] [--concurrency 8]
        [--large 3] [--large-mb 100] [--put-while-receiving]

The smallest run (a check that it works, well under a minute):
``--small 20 --large 1 --large-mb 10``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
from minio import Minio
from minio.deleteobjects import DeleteObject

from lexstream.gateway.stores import (
    MatterStore,
    apikeys_index,
    audit_index,
    bootstrap_gateway_indices,
)
from lexstream.ingest.digeststream import repr_digest
from lexstream.shared.matters import matters_index
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import PART_SIZE, sha256_file

MB = 1_000_000
MATTER = "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RssWatch:
    """Peak resident memory of a process: the kernel's VmHWM (reset via clear_refs), with
    sampling of VmRSS as a fallback where the reset is not allowed."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sampled = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _field(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def start(self) -> None:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.reset = True
        except OSError:
            self.reset = False
        self.sampled = self._field("VmRSS")
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.sampled = max(self.sampled, self._field("VmRSS"))

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return max(self.sampled, self._field("VmHWM") if self.reset else 0)


class CpuBusy:
    """How many of the machine's cores were busy (all processes: client, ingest, S3 server)
    while inside ``with``, summed over every use: /proc/stat jiffies, busy / wall."""

    def __init__(self) -> None:
        self.busy = 0.0
        self.wall = 0.0

    @staticmethod
    def _busy_jiffies() -> int:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    def __enter__(self) -> None:
        self._start = (self._busy_jiffies(), time.perf_counter())

    def __exit__(self, *exc: object) -> None:
        jiffies, wall = self._start
        self.busy += (self._busy_jiffies() - jiffies) / os.sysconf("SC_CLK_TCK")
        self.wall += time.perf_counter() - wall

    def cores(self) -> float:
        return self.busy / self.wall if self.wall else 0.0


def small_files(count: int, size: int) -> list[bytes]:
    line = b"The parties agree that the court has jurisdiction over this matter. "
    body = (line * (size // len(line) + 1))[: size - 40]
    return [f"file {i} {secrets.token_hex(8)}\n".encode() + body for i in range(count)]


def large_file(path: Path, size: int) -> None:
    """A PDF header and random bytes (libmagic: application/pdf; nothing compresses)."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        left = size - 9
        while left > 0:
            chunk = os.urandom(min(left, 8 * 1024 * 1024))
            handle.write(chunk)
            left -= len(chunk)


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


async def create_matter(settings: CommonSettings) -> list[str]:
    """The bench's matter, created as the gateway creates one; the indices made for it are
    returned, for the clean-up."""
    es = make_search_client(settings)
    try:
        await bootstrap_gateway_indices(es, settings)
        store = MatterStore(es, settings, cache_ttl_s=0)
        await store.create(
            tenant=settings.tenant,
            matter_id=MATTER,
            name="ingest benchmark",
            description=None,
            client=None,
            owner="bench",
        )
        return [index(settings) for index in (matters_index, apikeys_index, audit_index)]
    finally:
        await es.close()


async def delete_indices(settings: CommonSettings, names: list[str]) -> None:
    es = make_search_client(settings)
    try:
        for name in names:
            await es.options(ignore_status=404).indices.delete(index=name)
    finally:
        await es.close()


def report(name: str, nbytes: int, files: int, ingest_s: float, raw_s: float) -> None:
    mb = nbytes / MB
    print(
        f"{name}: {files} files, {mb:.1f} MB | ingest {mb / ingest_s:8.1f} MB/s "
        f"{files / ingest_s:8.1f} files/s | raw put {mb / raw_s:8.1f} MB/s "
        f"{files / raw_s:8.1f} files/s | ingest/raw = {raw_s / ingest_s:.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="number of small files")
    parser.add_argument("--small-size", type=int, default=4096)
    parser.add_argument("--large", type=int, default=3, help="number of large files")
    parser.add_argument("--large-mb", type=int, default=100)
    parser.add_argument("--full", action="store_true", help="large files of 500 MB")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--put-while-receiving",
        action="store_true",
        help="run ingest with LEXSTREAM_PUT_WHILE_RECEIVING (digest-declared uploads are put "
        "to S3 while they arrive)",
    )
    args = parser.parse_args()
    large_mb = 500 if args.full else args.large_mb

    prefix = f"bench{secrets.token_hex(3)}"
    port = free_port()
    token = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_INDEX_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
        "LEXSTREAM_HTTP_PORT": str(port),
        "LEXSTREAM_INGEST_TOKEN": token,
        "LEXSTREAM_LOG_LEVEL": "WARNING",
        "LEXSTREAM_PUT_WHILE_RECEIVING": "true" if args.put_while_receiving else "false",
    }
    settings = CommonSettings(index_prefix=prefix)
    s3 = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
    )
    raw_bucket = f"{prefix}-raw"
    s3.make_bucket(raw_bucket)
    indices = await create_matter(settings)
    process = subprocess.Popen([sys.executable, "-m", "lexstream.ingest"], env=env)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        async with httpx.AsyncClient(
            base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("ingest did not become ready")
                await asyncio.sleep(0.5)
            print(f"ingest pid {process.pid} on {base}; S3 {settings.s3_endpoint}; prefix {prefix}")

            # (a) small files
            files = small_files(args.small, args.small_size)
            total = sum(len(f) for f in files)
            gate = asyncio.Semaphore(args.concurrency)

            async def post(i: int, data: bytes) -> None:
                async with gate:
                    response = await client.post(
                        "/internal/v1/documents",
                        content=data,
                        params={"matter_id": MATTER},
                        headers={"X-Lexstream-Filename": quote(f"small-{i}.txt")},
                    )
                    response.raise_for_status()

            def put(i: int, data: bytes) -> None:
                s3.put_object(raw_bucket, f"small/{i}", io.BytesIO(data), len(data))

            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(put, range(len(files)), files))
            raw_s = time.perf_counter() - start
            start = time.perf_counter()
            await asyncio.gather(*(post(i, d) for i, d in enumerate(files)))
            ingest_s = time.perf_counter() - start
            report("(a) small", total, len(files), ingest_s, raw_s)

            # (b) large files, twice: plain uploads, and uploads that declare their sha256
            # (Repr-Digest: the client knows it, as a DMS does; hashed before the clock starts)
            # which ingest checks (and puts while they arrive, with --put-while-receiving).
            # Each against raw puts of its own files.
            paths: list[Path] = []
            declared: list[Path] = []
            for i in range(args.large):
                for group, name in ((paths, "large"), (declared, "declared")):
                    path = tmp / f"{name}-{i}.pdf"
                    large_file(path, large_mb * MB)
                    group.append(path)
            digests = {path: repr_digest(sha256_file(path)) for path in declared}
            watch = RssWatch(process.pid)
            watch.start()
            raw_s = ingest_s = raw_declared_s = declared_s = 0.0

            async def upload(path: Path, headers: dict[str, str]) -> dict[str, str]:
                response = await client.post(
                    "/internal/v1/documents",
                    content=file_chunks(path),
                    params={"matter_id": MATTER},
                    headers={
                        "X-Lexstream-Filename": path.name,
                        "Content-Length": str(large_mb * MB),
                        **headers,
                    },
                )
                response.raise_for_status()
                body: dict[str, str] = response.json()
                return body

            def raw_put(key: str, path: Path) -> float:
                start = time.perf_counter()
                s3.fput_object(raw_bucket, key, str(path), part_size=PART_SIZE)
                return time.perf_counter() - start

            raw_cpu, ingest_cpu = CpuBusy(), CpuBusy()
            for i in range(args.large):  # alternate, so that neither gets a warmer cache
                with raw_cpu:
                    raw_s += raw_put(f"large/{i}", paths[i])
                start = time.perf_counter()
                with ingest_cpu:
                    assert (await upload(paths[i], {}))["status"] == "stored"
                ingest_s += time.perf_counter() - start
                raw_declared_s += raw_put(f"declared/{i}", declared[i])
                start = time.perf_counter()
                body = await upload(declared[i], {"Repr-Digest": digests[declared[i]]})
                assert body["status"] == "stored", body
                declared_s += time.perf_counter() - start
            peak = watch.stop()
            report(
                f"(b) large ({large_mb} MB each)",
                sum(p.stat().st_size for p in paths),
                len(paths),
                ingest_s,
                raw_s,
            )
            report(
                f"(b) large, sha256 declared ({large_mb} MB each)",
                sum(p.stat().st_size for p in declared),
                len(declared),
                declared_s,
                raw_declared_s,
            )
            print(
                f"    cores busy (whole machine, of {os.cpu_count()}): raw puts"
                f" {raw_cpu.cores():.2f}, ingest uploads {ingest_cpu.cores():.2f}"
            )
            # Where the time goes: the same files again are duplicates (nothing is put), so
            # this is the cost of receiving, hashing and spooling alone.
            again_s = 0.0
            for path in paths:
                start = time.perf_counter()
                response = await client.post(
                    "/internal/v1/documents",
                    content=file_chunks(path),
                    params={"matter_id": MATTER},
                    headers={"X-Lexstream-Filename": path.name},
                )
                response.raise_for_status()
                assert response.json()["status"] == "duplicate", response.text
                again_s += time.perf_counter() - start
            print(
                f"    of which receiving + hashing + spooling (the same files again, duplicates):"
                f" {again_s:.1f} s of {ingest_s:.1f} s; the raw puts took {raw_s:.1f} s"
            )
            how = "VmHWM after reset" if watch.reset else "sampled VmRSS"
            print(f"ingest peak resident memory during (b): {peak / 2**20:.0f} MiB ({how})")
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
        await delete_indices(settings, indices)
        for bucket in (raw_bucket, f"{prefix}-originals", f"{prefix}-derived"):
            try:
                objects: Iterator[DeleteObject] = (
                    DeleteObject(o.object_name or "")
                    for o in s3.list_objects(bucket, recursive=True)
                )
                for _ in s3.remove_objects(bucket, objects):
                    pass
                s3.remove_bucket(bucket)
            except Exception as exc:
                print(f"clean-up of {bucket} failed: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
