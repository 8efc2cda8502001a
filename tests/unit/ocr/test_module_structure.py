"""The ocr package's import structure: no cycles, and formats that need neither PDFium nor
Tesseract do not load them (the plain-text, HTML and e-mail plugins)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import lexstream.ocr

PACKAGE = Path(lexstream.ocr.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["lexstream", "ocr", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The ocr modules ``path`` imports at module level (``TYPE_CHECKING`` blocks included:
    a cycle there is still a cycle in the design), with the packages each one loads first."""
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, ast.If | ast.Try):
            statements.extend([*node.body, *node.orelse])
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            while name.startswith("lexstream.ocr"):
                if name in MODULES:
                    found.add(name)
                name = name.rpartition(".")[0]
    return found


def _graph() -> dict[str, set[str]]:
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    for name in graph:  # importing a.b.c runs a/__init__ and a/b/__init__ first
        parent = name.rpartition(".")[0]
        if parent in MODULES and parent != name:
            graph[name].add(parent)
    return graph


def test_the_structure_check_reads_the_modules_it_is_about() -> None:
    graph = _graph()
    assert "lexstream.ocr.extractors.plaintext" in graph
    assert "lexstream.ocr.tesseract.engine" in graph["lexstream.ocr.tesseract.pool"]
    assert "lexstream.ocr.extractors.base" in graph["lexstream.ocr.tesseract.engine"]


def test_no_import_cycle_in_the_ocr_package() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_extractors_know_only_the_page_ocr_protocol_not_tesseract() -> None:
    graph = _graph()
    leaks = {
        (name, target)
        for name, targets in graph.items()
        if name.startswith("lexstream.ocr.extractors")
        for target in targets
        if target.startswith("lexstream.ocr.tesseract")
    }
    assert not leaks
    for leaf in ("lexstream.ocr.errors", "lexstream.ocr.languages"):
        assert not graph[leaf] - {"lexstream.ocr", "lexstream.ocr.errors"}, leaf


def _fresh_import(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


_EACH_ON_ITS_OWN = """
import importlib, sys, traceback
for module in sys.argv[1:]:
    ours = [m for m in sys.modules if m == "lexstream.ocr" or m.startswith("lexstream.ocr.")]
    for loaded in ours:
        del sys.modules[loaded]  # third-party libraries stay loaded: only our order matters
    try:
        importlib.import_module(module)
    except Exception:
        print(module, traceback.format_exc().strip().splitlines()[-1])
"""


def test_every_ocr_module_imports_on_its_own_first() -> None:
    """Each module imported first (the ocr package unloaded before each one), as a process
    that starts with it would: a cycle shows as an ImportError on a partly built module."""
    result = subprocess.run(
        [sys.executable, "-c", _EACH_ON_ITS_OWN, *MODULES],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _loaded_after(module: str) -> set[str]:
    heavy = ("pypdfium2", "pypdfium2_raw", "tesserocr", "lexstream.ocr.tesseract")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {module}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(filter(None, result.stdout.strip().split(",")))


@pytest.mark.parametrize(
    "module",
    [
        "lexstream.ocr.extractors.plaintext",
        "lexstream.ocr.extractors.html",
        "lexstream.ocr.extractors.mail",
    ],
)
def test_text_formats_load_neither_pdfium_nor_tesseract(module: str) -> None:
    assert _loaded_after(module) == set()


def test_the_pdf_path_does_load_them() -> None:
    """The check above sees PDFium and the Tesseract package where they are loaded."""
    assert {"pypdfium2", "lexstream.ocr.tesseract"} <= _loaded_after("lexstream.ocr.extract")
