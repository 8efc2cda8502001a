"""Upload-to-searchable latency of a one-page text PDF on the running system (`make up`).

For each of N runs: upload a fresh one-page PDF carrying a unique token through the gateway,
then poll `/v1/search?q=<token>` until it is found. The baseline, measured in the same run, is
the floor set by Elasticsearch alone: index the same text directly and poll the same search
until it is visible (refresh interval included). Prints the median of each and their ratio.

    uv run python bench/pipeline/upload_to_searchable.py [--runs 10]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def one_page_pdf(text: str) -> bytes:
    """A minimal valid PDF with one page of Helvetica text."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def wait_found(client: httpx.Client, token: str, timeout_s: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if client.get("/v1/search", params={"q": token}).json()["total"] > 0:
            return time.perf_counter()
        time.sleep(0.05)
    raise TimeoutError(token)


def pipeline_run(client: httpx.Client) -> float:
    token = f"lexbench{secrets.token_hex(6)}"
    pdf = one_page_pdf(f"Order of the court in the matter {token} dated today.")
    start = time.perf_counter()
    response = client.post(
        "/v1/documents", files={"file": (f"{token}.pdf", pdf, "application/pdf")}
    )
    response.raise_for_status()
    return wait_found(client, token) - start


def baseline_run(es: httpx.Client) -> float:
    token = f"lexbase{secrets.token_hex(6)}"
    index = "lexstream-bench-baseline"
    start = time.perf_counter()
    es.put(f"/{index}/_doc/{token}", json={"content": f"Order in the matter {token}"})
    while True:
        body = {"query": {"match": {"content": token}}}
        if es.post(f"/{index}/_search", json=body).json()["hits"]["total"]["value"]:
            return time.perf_counter() - start
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--gateway", default="http://127.0.0.1:8080")
    parser.add_argument("--elasticsearch", default="http://127.0.0.1:9200")
    args = parser.parse_args()
    key = (ROOT / ".lexstream" / "admin-key").read_text().strip()
    with (
        httpx.Client(base_url=args.gateway, headers={"X-API-Key": key}, timeout=60) as client,
        httpx.Client(base_url=args.elasticsearch, timeout=30) as es,
    ):
        pipeline = [pipeline_run(client) for _ in range(args.runs)]
        baseline = [baseline_run(es) for _ in range(args.runs)]
        es.delete("/lexstream-bench-baseline")
    p, b = statistics.median(pipeline), statistics.median(baseline)
    print(f"upload-to-searchable, one-page text PDF, {args.runs} runs")
    print(
        f"  lexstream pipeline  median {p:.3f} s"
        f"  (min {min(pipeline):.3f}, max {max(pipeline):.3f})"
    )
    print(f"  baseline (ES index+refresh+search of the same text)  median {b:.3f} s")
    print(f"  ratio pipeline/baseline: {p / b:.1f}x")


if __name__ == "__main__":
    main()
