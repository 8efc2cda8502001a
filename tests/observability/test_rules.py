"""The alerting and SLO rules (deploy/prometheus/rules) under ``promtool``: they load, every
``promtool test rules`` case passes, and every alert has a test case and a runbook section."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.observability.live import require_tool

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "tests"
RUNBOOK = ROOT / "docs" / "runbook.md"


def alert_names() -> list[str]:
    names = []
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            names += [rule["alert"] for rule in group["rules"] if "alert" in rule]
    return names


def _promtool() -> str:
    return require_tool("promtool", "Debian's prometheus package (deploy/local/system-deps.sh)")


def test_the_rules_load() -> None:
    files = sorted(str(p) for p in RULES.glob("*.yml"))
    assert files, f"no rule files in {RULES}"
    result = subprocess.run(
        [_promtool(), "check", "rules", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_promtool_case_passes() -> None:
    files = sorted(p.name for p in RULE_TESTS.glob("*.test.yml"))
    assert files
    result = subprocess.run(
        [_promtool(), "test", "rules", *files],
        cwd=RULE_TESTS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(files), result.stdout


def test_a_broken_case_makes_promtool_fail(tmp_path: Path) -> None:
    """The check above can fail: the same cases with one expected label changed do."""
    for path in RULE_TESTS.glob("*.test.yml"):
        text = path.read_text().replace("../rules/", f"{RULES}/")
        (tmp_path / path.name).write_text(text)
    broken = tmp_path / "lexstream-alerts.test.yml"
    broken.write_text(broken.read_text().replace("group: lexstream-ocr", "group: nobody", 1))
    result = subprocess.run(
        [_promtool(), "test", "rules", broken.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result.stdout


def test_every_alert_has_a_case_and_a_runbook_section() -> None:
    cases = "\n".join(p.read_text() for p in RULE_TESTS.glob("*.test.yml"))
    runbook = RUNBOOK.read_text()
    headings = {h.strip().lower() for h in re.findall(r"^#{2,3} (.+)$", runbook, flags=re.M)}
    names = alert_names()
    assert len(names) >= 8, names
    for name in names:
        assert f"alertname: {name}\n" in cases, f"{name} has no promtool case"
        assert name.lower() in headings, f"{name} has no section in docs/runbook.md"


def test_the_dashboards_page_is_generated_from_the_current_json() -> None:
    script = ROOT / "deploy" / "grafana" / "render_docs.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
