"""The testcontainers mode of the test suite (tests/containers.py): its settings reach every
component, and without a Docker engine it refuses to run instead of falling back."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, settings_for
from tests.containers import MODE_VARIABLE, server_environment

from lexstream.shared.settings import CommonSettings


def test_server_environment_is_read_by_the_settings() -> None:
    env = server_environment("kafka.test:19092", "http://es.test:19200", "s3.test:19000", "k", "s")
    settings = settings_for(env, CommonSettings)
    assert settings.kafka_bootstrap_servers == "kafka.test:19092"
    assert settings.elasticsearch_url == "http://es.test:19200"
    assert settings.s3_endpoint == "s3.test:19000"
    assert settings.s3_access_key == "k"
    assert settings.s3_secret_key.get_secret_value() == "s"
    assert settings.s3_secure is False


def test_containers_without_a_docker_engine_is_a_usage_error() -> None:
    env = {
        **os.environ,
        MODE_VARIABLE: "containers",
        "DOCKER_HOST": "unix:///nonexistent/docker.sock",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/unit/shared"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert "needs a Docker engine" in result.stderr
