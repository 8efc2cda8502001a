"""The gateway's package carries the built web workspace: the image installs the gateway as a
wheel (deploy/docker/gateway.Dockerfile, ``--no-editable``) after building ``web/dist``, and
git ignores ``web/dist``, which hatch would leave out of the wheel unless it is an artifact."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "services" / "gateway" / "src" / "lexstream" / "gateway" / "web" / "dist"


@pytest.mark.skipif(
    not (DIST / "index.html").is_file(),
    reason="the web workspace is not built (make web: cd services/gateway/web && npm run build)",
)
@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH (make python)")
def test_the_gateway_wheel_holds_the_built_workspace(tmp_path: Path) -> None:
    subprocess.run(
        ["uv", "build", "--package", "lexstream-gateway", "--wheel", "-o", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("lexstream_gateway-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    built = {f"lexstream/gateway/web/dist/{p.name}" for p in DIST.iterdir() if p.is_file()}
    assert "lexstream/gateway/web/dist/index.html" in built
    assert built <= names, f"left out of the wheel: {sorted(built - names)}"
    # the old one-file page is gone: the workspace is the only web page
    assert not {"lexstream/gateway/web/app.js", "lexstream/gateway/web/index.html"} & names
