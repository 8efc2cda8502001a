"""The service boundaries hold: no service imports another, and the gateway does not ship
the index's extraction stack."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "services are independent of each other KEPT" in result.stdout
    assert "the shared package imports no service KEPT" in result.stdout


def test_the_gateway_does_not_depend_on_the_index() -> None:
    project = tomllib.loads((ROOT / "services/gateway/pyproject.toml").read_text())
    dependencies = [
        d.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        for d in project["project"]["dependencies"]
    ]
    assert "lexstream-shared" in dependencies
    assert not {"lexstream-index", "eyecite", "courts-db", "lingua-language-detector"} & set(
        dependencies
    )
    assert "lexstream-index" not in project.get("tool", {}).get("uv", {}).get("sources", {})
