"""The web workspace (``services/gateway/web``, a Preact single-page application) as built.

``npm run build`` there writes ``web/dist``: ``index.html`` and hashed
scripts and styles, flat, so the gateway's ``/ui/{name}`` serves them under the page's strict
CSP (no inline script or style). ``/ui/workspace`` is the application; its screens are in the
URL's fragment (``/ui/workspace#/search?q=...``), which browsers never send to a server: a
privileged search never lands in an access log or a proxy's.
"""

from __future__ import annotations

from pathlib import Path

DIST = Path(__file__).parent / "web" / "dist"
ENTRY = "workspace"
BUILD_HINT = "the web workspace is not built: cd services/gateway/web && npm ci && npm run build"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}


def built_file(name: str, dist: Path | None = None) -> tuple[Path, str] | None:
    """The built file ``/ui/{name}`` names, with its media type; None if there is none.

    Only files the build wrote at the top of ``dist`` with a known type: a name is looked up
    among them, never joined to a path, so no name reaches outside the folder.
    """
    dist = DIST if dist is None else dist  # read when asked: tests point DIST elsewhere
    wanted = "index.html" if name == ENTRY else name
    if wanted == "index.html" and name != ENTRY:
        return None  # the application has one address
    try:
        files = {entry.name: entry for entry in dist.iterdir() if entry.is_file()}
    except OSError:
        return None
    path = files.get(wanted)
    media_type = MEDIA_TYPES.get(Path(wanted).suffix)
    if path is None or media_type is None:
        return None
    return path, media_type
