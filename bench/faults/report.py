"""Render the reliability results as the table of docs/reliability.md.

    uv run pytest tests/reliability              # appends one row per scenario
    uv run python bench/faults/report.py         # prints the Markdown table (latest row each)

Rows come from ``.lexstream/reliability-results.jsonl`` (``LEXSTREAM_RELIABILITY_RESULTS``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = Path(
    os.environ.get(
        "LEXSTREAM_RELIABILITY_RESULTS", str(ROOT / ".lexstream" / "reliability-results.jsonl")
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description="print the reliability results table")
    parser.add_argument("results", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    latest: dict[str, dict[str, object]] = {}
    for line in args.results.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            latest[str(row["scenario"])] = row
    print(
        "| scenario | submitted | indexed | failed with reason | lost | duplicated "
        "| submitting (s) | notes |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for scenario, row in latest.items():
        print(
            f"| {scenario} | {row['submitted']} | {row['indexed']} | "
            f"{row['failed_with_reason']} | {row['lost']} | {row['duplicated']} | "
            f"{row.get('seconds', '')} | {row.get('notes', '')} |"
        )


if __name__ == "__main__":
    main()
