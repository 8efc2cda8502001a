"""Stopping a worker makes its alert fire on the live Prometheus.

The rule under test is LexstreamStageStalled from deploy/prometheus/rules, loaded a second
time from the profile's rules.d folder with short windows (its ``for`` and rate windows cut
to seconds, a ``test_prefix`` label naming this session), so the test takes a minute and
not the rule's ten. With ocr stopped, a scan waits on ``ocr.requested``: the index service's
gauges report the lag, nothing processes that topic, and the alert fires; ocr started again
takes the scan, and the document ends indexed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.observability.conftest import ObservedSystem, unique
from tests.observability.live import PROMETHEUS_URL
from tests.samples import SCANNED_COURT_PDF, sample
from tests.support.wait import eventually, wait_terminal

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"


def live_rules_folder() -> Path:
    """The rules.d folder of the running Prometheus, read from its own configuration."""
    config = httpx.get(f"{PROMETHEUS_URL}/api/v1/status/config", timeout=10).json()
    rule_files = yaml.safe_load(config["data"]["yaml"]).get("rule_files", [])
    folders = [Path(f).parent for f in rule_files if Path(f).parent.name == "rules.d"]
    assert folders, f"the live Prometheus loads no rules.d folder: {rule_files}"
    return folders[0]


def shortened(alert: str, prefix: str) -> dict[str, Any]:
    """The rule as deployed, with its windows in seconds and a label naming this session."""
    for path in sorted(RULES.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == alert:
                    rule = dict(rule)
                    rule["expr"] = re.sub(r"\[\d+m\]", "[30s]", rule["expr"])
                    rule["for"] = "10s"
                    rule["labels"] = {**rule.get("labels", {}), "test_prefix": prefix}
                    return {"groups": [{"name": f"test-{prefix}", "rules": [rule]}]}
    raise AssertionError(f"no alert {alert} in {RULES}")


def reload_prometheus() -> None:
    httpx.post(f"{PROMETHEUS_URL}/-/reload", timeout=30).raise_for_status()


def firing(alert: str, prefix: str) -> list[dict[str, Any]]:
    alerts = httpx.get(f"{PROMETHEUS_URL}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
    return [
        a
        for a in alerts
        if a["labels"].get("alertname") == alert
        and a["labels"].get("test_prefix") == prefix
        and a["state"] == "firing"
    ]


@pytest.mark.usefixtures("mixed_batch")
def test_stopping_ocr_fires_the_stalled_stage_alert(observed_system: ObservedSystem) -> None:
    prefix = observed_system.prefix
    rules_file = live_rules_folder() / f"test-{prefix}.yml"
    rules_file.write_text(yaml.safe_dump(shortened("LexstreamStageStalled", prefix)))
    services = observed_system.services
    try:
        reload_prometheus()
        assert not firing("LexstreamStageStalled", prefix)  # all stages are keeping up
        services.procs["ocr"].terminate()
        services.procs["ocr"].wait(timeout=30)
        with observed_system.client() as client:
            response = client.post(
                "/v1/documents",
                data={"external_id": f"stalled-{prefix}", "source": "observe"},
                files={"file": ("stalled.pdf", unique(sample(SCANNED_COURT_PDF).read_bytes()))},
            )
            assert response.status_code == 202, response.text
            document_id = response.json()["document_id"]
            alerts = eventually(
                lambda: firing("LexstreamStageStalled", prefix),
                what="LexstreamStageStalled firing",
                timeout_s=180,
                interval_s=2,
            )
            labels = alerts[0]["labels"]
            assert labels["group"] == f"{prefix}-ocr", labels
            assert labels["topic"] == f"{prefix}.ocr.requested.v1", labels
            assert labels["severity"] == "page"
            services.start("ocr")
            final = wait_terminal(client, document_id, 300, poll_s=0.5)
            assert final["status"] == "indexed", final
    finally:
        rules_file.unlink(missing_ok=True)
        reload_prometheus()
        if services.procs["ocr"].poll() is not None:
            services.start("ocr")
