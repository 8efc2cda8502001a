"""The built web workspace as /ui/{name} serves it (gateway/workspace.py): only the build's
own top-level files of known types, the application at one address."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexstream.gateway.workspace import ENTRY, built_file


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html>")
    (folder / "index-abc123.js").write_text("export {}")
    (folder / "index-abc123.css").write_text("body{}")
    (folder / "notes.txt").write_text("not served")
    (folder / "nested").mkdir()
    (folder / "nested" / "x.js").write_text("")
    (tmp_path / "secret.js").write_text("outside")
    return folder


def test_the_application_and_its_assets_are_served_with_their_types(dist: Path) -> None:
    assert built_file(ENTRY, dist) == (dist / "index.html", "text/html")
    assert built_file("index-abc123.js", dist) == (dist / "index-abc123.js", "text/javascript")
    assert built_file("index-abc123.css", dist) == (dist / "index-abc123.css", "text/css")


@pytest.mark.parametrize(
    "name", ["index.html", "notes.txt", "nested", "../secret.js", "..", "missing.js", ""]
)
def test_nothing_else_is_served(dist: Path, name: str) -> None:
    assert built_file(name, dist) is None


def test_an_unbuilt_workspace_serves_nothing(tmp_path: Path) -> None:
    assert built_file(ENTRY, tmp_path / "absent") is None


SOURCE = Path(__file__).resolve().parents[3] / "services" / "gateway" / "web" / "src"
#: what would put server content on the page as markup, or run text as code
FORBIDDEN = ("innerHTML", "outerHTML", "dangerouslySetInnerHTML", "insertAdjacentHTML", "eval(")


def test_the_workspace_never_parses_server_content_as_html() -> None:
    sources = sorted(SOURCE.rglob("*.ts*"))
    assert len(sources) >= 5, "the workspace's sources were not found"
    found = [
        f"{path.relative_to(SOURCE)}: {word}"
        for path in sources
        for word in FORBIDDEN
        if word in path.read_text()
    ]
    assert found == []


def test_the_workspace_sets_no_inline_style() -> None:
    # the CSP allows no inline style: positions are SVG attributes, looks are CSS classes
    found = [path.name for path in SOURCE.rglob("*.tsx") if "style=" in path.read_text()]
    assert found == []
