"""Writes the panel tables of docs/dashboards.md from the dashboards' JSON (between the
``<!-- panels:begin -->`` and ``<!-- panels:end -->`` markers), so the page cannot drift:
``python deploy/grafana/render_docs.py`` rewrites it, ``--check`` fails when it is stale
(tests/observability/test_rules.py runs the check)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
PAGE = ROOT / "docs" / "dashboards.md"
BEGIN, END = "<!-- panels:begin -->", "<!-- panels:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    out: list[str] = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        out += [f"## {board['title']} (`{path.name}`, uid `{board['uid']}`)", ""]
        if board.get("description"):
            out += [board["description"], ""]
        variables = [
            v for v in board.get("templating", {}).get("list", []) if v.get("type") == "query"
        ]
        if variables:
            described = []
            for v in variables:
                query = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
                described.append(f"`${v['name']}` ({v.get('label', v['name'])}: `{query}`)")
            out += ["Variables: " + "; ".join(described) + ".", ""]
        for panel in board["panels"]:
            if panel["type"] == "row":
                out += [
                    f"### {panel['title']}",
                    "",
                    "| panel | type | what it shows | query |",
                    "|---|---|---|---|",
                ]
                continue
            queries = "<br>".join(f"`{_cell(t['expr'])}`" for t in panel.get("targets", []))
            out.append(
                f"| {_cell(panel['title'])} | {panel['type']} |"
                f" {_cell(panel.get('description', ''))} | {queries} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def rendered_page() -> str:
    text = PAGE.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


def main() -> int:
    page = rendered_page()
    if "--check" in sys.argv:
        if page != PAGE.read_text():
            print("docs/dashboards.md is stale: run python deploy/grafana/render_docs.py")
            return 1
        return 0
    PAGE.write_text(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
