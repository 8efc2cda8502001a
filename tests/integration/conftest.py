"""Integration tests get names of their own.

The e2e suite's services (a session fixture) keep running while these tests run; if both used
the same topic prefix and consumer groups, those processes would take messages meant for the
services the integration tests start in-process. A separate prefix keeps them apart.
"""

from __future__ import annotations

import pytest
from tests.conftest import settings_for, stack_env_for

from lexstream.shared.settings import CommonSettings


@pytest.fixture(scope="session")
def stack_env(session_prefix: str) -> dict[str, str]:
    return stack_env_for(f"{session_prefix}i")


@pytest.fixture(scope="session")
def settings(stack_env: dict[str, str]) -> CommonSettings:
    return settings_for(stack_env)
