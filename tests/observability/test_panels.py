"""Every PromQL expression of every dashboard in deploy/grafana/dashboards, evaluated on the live
Prometheus after a mixed batch went through the running system: none may error, none may
return no series. Grafana's variables are given the values a viewer starts with (All).

GPU panels (``hw_gpu_*``, ``hw_temperature_*``, ``hw_power_*``) are proven only where
transcribe runs on CUDA; elsewhere the test proves transcribe reports its model on the CPU,
and names the panels it could not prove.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.observability.conftest import prometheus_query
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DASHBOARDS = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"
# what Grafana substitutes: All for multi-value variables, and windows that cover the batch
VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "15s",
    "$__range": "1h",
}
GPU_METRICS = re.compile(r"\b(hw_gpu_\w+|hw_temperature_\w+|hw_power_\w+)")


@dataclass(frozen=True)
class Query:
    board: str
    panel: str
    expr: str

    @property
    def label(self) -> str:
        return f"{self.board} / {self.panel}: {self.expr}"

    @property
    def needs_gpu(self) -> bool:
        return bool(GPU_METRICS.search(self.expr))


def substitute(expr: str, variables: dict[str, str]) -> str:
    for name in sorted(variables, key=len, reverse=True):  # $__range before $__r...
        expr = expr.replace(name, variables[name])
    expr = re.sub(r"\$\{(\w+)\}", lambda m: variables.get("$" + m.group(1), ".*"), expr)
    return re.sub(r"\$(\w+)", ".*", expr)  # every other variable: All (allValue ".*")


def dashboard_queries() -> list[Query]:
    queries = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                queries.append(Query(path.name, panel["title"], target["expr"]))
    return queries


def variable_queries() -> list[tuple[str, str, str]]:
    """(board, metric, label) of every ``label_values(metric, label)`` variable."""
    found = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for variable in json.loads(path.read_text()).get("templating", {}).get("list", []):
            query = variable.get("query")
            text = query.get("query", "") if isinstance(query, dict) else str(query or "")
            match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", text.strip())
            if match:
                found.append((path.name, match.group(1), match.group(2)))
    return found


def test_the_dashboards_are_well_formed() -> None:
    """What Grafana needs to import them: unique ids per board, a refId and the datasource
    variable on every target (the full schema check is deploy/check.sh's)."""
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), (path.name, ids)
        for panel in board["panels"]:
            assert panel.get("gridPos"), (path.name, panel["title"])
            for target in panel.get("targets", []):
                assert target.get("refId"), (path.name, panel["title"])
                assert target["datasource"]["uid"] == "${datasource}", (path.name, panel["title"])


@pytest.mark.usefixtures("mixed_batch")
def test_every_panel_returns_series() -> None:
    queries = dashboard_queries()
    assert len(queries) >= 30, len(queries)
    on_gpu = bool(prometheus_query('lexstream_transcribe_model_loaded{device="cuda"}'))
    if not on_gpu:
        assert prometheus_query('lexstream_transcribe_model_loaded{device="cpu"}'), (
            "transcribe reports no model at all"
        )
    empty: list[Query] = []
    proven: list[str] = []
    not_here: list[str] = []
    for query in queries:
        if query.needs_gpu and not on_gpu:
            not_here.append(f"{query.board} / {query.panel}")
            continue
        result = prometheus_query(substitute(query.expr, VARIABLES))  # an error fails here
        if result:
            proven.append(query.label)
        else:
            empty.append(query)
    # A recording rule's series appears only once its group has been evaluated after the batch
    # (every 5 s locally; the pipeline SLI samples each minute's boundary): panels still empty
    # are queried again for up to two minutes before they count as empty.

    def none_left() -> bool:
        answered = [q for q in empty if prometheus_query(substitute(q.expr, VARIABLES))]
        proven.extend(q.label for q in answered)
        empty[:] = [q for q in empty if q not in answered]
        return not empty

    if empty:
        with contextlib.suppress(AssertionError):  # the assertion below names the panels
            eventually(none_left, what="series for every panel", timeout_s=120, interval_s=5)
    assert not empty, "panels without series:\n" + "\n".join(q.label for q in empty)
    for board, metric, label in variable_queries():
        series = prometheus_query(substitute(metric, VARIABLES))
        values = {s["metric"].get(label) for s in series} - {None}
        if not values and GPU_METRICS.search(metric) and not on_gpu:
            continue
        assert values, f"{board}: variable label_values({metric}, {label}) has no values"
    panels = {q.rsplit(":", 1)[0] for q in proven}
    print(  # noqa: T201 - the count of proven panels is this test's report
        f"\nproven on the live Prometheus: {len(proven)} queries of {len(panels)} panels"
        f" ({len(not_here)} GPU queries need a GPU here: {sorted(set(not_here))})"
    )


@pytest.mark.usefixtures("observe_servers")
def test_an_unknown_metric_would_have_been_caught() -> None:
    """The check above can fail: a panel on a metric nobody exports returns no series."""
    assert prometheus_query("sum(rate(lexstream_no_such_metric_total[5m]))") == []


def test_variables_take_grafanas_starting_values() -> None:
    expr = 'sum(rate(x{service=~"$service", g=~"${group}"}[$__rate_interval])) / $__range'
    assert substitute(expr, VARIABLES) == 'sum(rate(x{service=~".*", g=~".*"}[5m])) / 1h'
