"""The deployment artefacts pass deploy/check.sh, and the checks catch what they claim to.

deploy/check.sh installs its tools (kustomize from the Go module proxy; kubernetes-validate,
checkov, PyYAML and promql-parser into .stack/deploy-tools/venv) on first use, then renders
the overlays and runs every check offline. The other tests break one thing in a copy of
deploy/ and assert that the matching check names it, so a check that silently passes
everything would be caught.

Its own tier (marker ``deploy``, not ``unit``): the first run installs tools and takes many
minutes. ``make test`` still runs it. Where the tools cannot be fetched (no network, no Go
toolchain) and none are installed yet, every test here is skipped and says why; once
installed, a failing check fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TOOLS = Path(os.environ.get("LEXSTREAM_DEPLOY_TOOLS", ROOT / ".stack" / "deploy-tools"))
TOOLS_PYTHON = TOOLS / "venv" / "bin" / "python"
KUSTOMIZE = TOOLS / "bin" / "kustomize"
CHECKS = DEPLOY / "checks" / "deploy_checks.py"

# every test here needs the tools that check_run's deploy/check.sh installs (or skips without)
pytestmark = [
    pytest.mark.deploy,
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.usefixtures("check_run"),
]


def missing_tools() -> list[str]:
    """The tools deploy/check.sh installs that are not (yet) there."""
    compose = TOOLS / "bin" / "docker-compose"
    has_compose = compose.is_file() or (
        shutil.which("docker") is not None
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    )
    wanted = {
        "kustomize": KUSTOMIZE.is_file(),
        "check venv (kubernetes-validate, checkov)": TOOLS_PYTHON.is_file(),
        "docker compose": has_compose,
    }
    return [name for name, present in wanted.items() if not present]


@pytest.fixture(scope="module")
def check_run() -> subprocess.CompletedProcess[str]:
    """One run of deploy/check.sh (it also installs the tools the other tests use).

    Skips the module when the run could not install its tools (they are fetched from the Go
    module proxy and PyPI), naming what is missing and the script's last words."""
    result = subprocess.run(
        ["bash", str(DEPLOY / "check.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"deploy/check.sh could not install {', '.join(missing)} into {TOOLS} (needs"
            f" network access to the Go module proxy and PyPI, and go and uv on PATH):"
            f" {result.stderr.strip()[-600:]}"
        )
    return result


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns("local"))
    return copy


def run_check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS_PYTHON), str(CHECKS), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def render(deploy: Path, overlay: str) -> Path:
    out = deploy.parent / f"{overlay}.yaml"
    rendered = subprocess.run(
        [str(KUSTOMIZE), "build", str(deploy / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    )
    out.write_text(rendered.stdout)
    return out


def test_check_script_passes(check_run: subprocess.CompletedProcess[str]) -> None:
    output = check_run.stdout + check_run.stderr
    assert check_run.returncode == 0, output
    assert "deploy checks passed" in output
    for step in (
        "ok   kubernetes-validate",
        "ok   manifests (development)",
        "ok   manifests (production)",
        "ok   checkov (checkov-production)",
        "ok   checkov (checkov-dockerfile)",
        "ok   compose config",
        "ok   compose (compose.yaml)",
        "ok   grafana dashboards",
        "ok   topics (compose = Kubernetes)",
    ):
        assert step in output, output


def test_production_overlay_schedules_transcribe_on_gpu_nodes(deploy_copy: Path) -> None:
    rendered = render(deploy_copy, "production").read_text()
    assert "nvidia.com/gpu: 1" in rendered
    assert 'nvidia.com/gpu.present: "true"' in rendered
    development = render(deploy_copy, "development").read_text()
    assert "nvidia.com/gpu: 1" not in development


def test_a_topic_without_dlq_is_refused(deploy_copy: Path) -> None:
    topics = deploy_copy / "k8s" / "topics" / "kafkatopics.yaml"
    documents = topics.read_text().split("\n---\n")
    kept = [d for d in documents if "topicName: lexstream.ocr.requested.v1.dlq" not in d]
    assert len(kept) == len(documents) - 1
    topics.write_text("\n---\n".join(kept))

    result = run_check("manifests", render(deploy_copy, "production"), "production")

    assert result.returncode == 1
    assert "topic lexstream.ocr.requested.v1 has no DLQ" in result.stderr


def test_a_writable_root_filesystem_is_refused(deploy_copy: Path) -> None:
    deployment = deploy_copy / "k8s" / "base" / "ocr" / "deployment.yaml"
    text = deployment.read_text()
    deployment.write_text(
        text.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    )

    result = run_check("manifests", render(deploy_copy, "production"), "production")

    assert result.returncode == 1
    assert "lexstream-ocr/ocr: root fs writable" in result.stderr


def test_scaling_on_the_wrong_consumer_group_is_refused(deploy_copy: Path) -> None:
    scaled = deploy_copy / "k8s" / "base" / "scaling" / "scaledobjects.yaml"
    scaled.write_text(
        scaled.read_text().replace("consumerGroup: lexstream-ocr", "consumerGroup: ocr")
    )

    result = run_check("manifests", render(deploy_copy, "production"), "production")

    assert result.returncode == 1
    assert "consumer group ocr is not lexstream-ocr" in result.stderr


def test_compose_topics_must_match_the_kafka_topics(deploy_copy: Path) -> None:
    script = deploy_copy / "kafka" / "create-topics.sh"
    script.write_text(script.read_text().replace("  lexstream.transcript.ready.v1:6:14 \\\n", ""))
    topics = deploy_copy.parent / "topics.yaml"
    topics.write_text(
        subprocess.run(
            [str(KUSTOMIZE), "build", str(deploy_copy / "k8s" / "topics")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )

    result = run_check("topics", topics, script)

    assert result.returncode == 1
    assert "lexstream.transcript.ready.v1 is a KafkaTopic" in result.stderr


def test_an_unpinned_compose_image_is_refused(deploy_copy: Path) -> None:
    compose = deploy_copy / "compose" / "compose.yaml"
    compose.write_text(compose.read_text().replace("prom/prometheus:v3.5.0", "prom/prometheus"))

    result = run_check("compose", compose)

    assert result.returncode == 1
    assert "prometheus: image 'prom/prometheus' is not pinned" in result.stderr


def test_a_dashboard_query_that_does_not_parse_is_refused(deploy_copy: Path) -> None:
    board_file = deploy_copy / "grafana" / "dashboards" / "lexstream-pipeline.json"
    board = json.loads(board_file.read_text())
    target = next(p for p in board["panels"] if p.get("targets"))["targets"][0]
    target["expr"] = "sum by (stage (rate(lexstream_documents_processed_total[5m]))"
    board_file.write_text(json.dumps(board))

    result = run_check(
        "dashboards",
        board_file.parent,
        deploy_copy / "grafana" / "provisioning" / "datasources" / "datasources.yaml",
    )

    assert result.returncode == 1
    assert "unclosed left parenthesis" in result.stderr


def test_checkov_failures_fail_unless_skipped_with_a_reason(
    deploy_copy: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    failed = {
        "check_id": "CKV_K8S_22",
        "check_name": "Use read-only filesystem for containers where possible",
        "resource": "Deployment.lexstream.lexstream-ocr",
        "file_path": "/production.yaml",
        "severity": None,
    }
    report.write_text(
        json.dumps(
            {
                "check_type": "kubernetes",
                "results": {"failed_checks": [failed]},
                "summary": {"passed": 1, "failed": 1, "skipped": 0, "parsing_errors": 0},
            }
        )
    )
    skips = deploy_copy / "checks" / "checkov-skips.txt"

    refused = run_check("checkov", report, skips)
    assert refused.returncode == 1
    assert "CKV_K8S_22 Deployment.lexstream.lexstream-ocr" in refused.stderr

    skips.write_text(skips.read_text() + "CKV_K8S_22  # reason given here\n")
    assert run_check("checkov", report, skips).returncode == 0


def test_a_misspelt_compose_key_is_refused_by_compose_itself(deploy_copy: Path) -> None:
    compose_file = deploy_copy / "compose" / "compose.yaml"
    text = compose_file.read_text()
    compose_file.write_text(text.replace("    healthcheck:\n", "    helthcheck:\n", 1))
    cli = TOOLS / "bin" / "docker-compose"
    command = [str(cli)] if cli.is_file() else ["docker", "compose"]
    secrets = dict.fromkeys(
        (
            "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD",
            "LEXSTREAM_S3_ACCESS_KEY",
            "LEXSTREAM_S3_SECRET_KEY",
            "LEXSTREAM_BOOTSTRAP_ADMIN_KEY",
            "LEXSTREAM_INGEST_TOKEN",
            "GRAFANA_ADMIN_PASSWORD",
        ),
        "x",
    )

    result = subprocess.run(
        [*command, "--env-file", "/dev/null", "-f", str(compose_file), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **secrets},
    )

    assert result.returncode != 0
    assert "Additional property helthcheck is not allowed" in result.stderr
