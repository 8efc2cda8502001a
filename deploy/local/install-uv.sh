#!/usr/bin/env bash
# Puts uv (from PyPI) into $1/bin when no uv is on PATH. Called by `make up` / `make test`;
# the Makefile puts $1/bin on PATH, so no shell profile has to change.
set -euo pipefail
dest=${1:?usage: install-uv.sh DIR}
if command -v uv >/dev/null 2>&1; then exit 0; fi
command -v python3 >/dev/null 2>&1 || {
    echo "install-uv: python3 is missing (deploy/local/system-deps.sh installs it)" >&2
    exit 1
}
echo "installing uv into $dest (from PyPI)"
rm -rf "$dest.tmp"
# --target is not an install into the interpreter, so a Debian python3 marked
# externally managed (PEP 668) allows it; a python3 without pip gets a venv first.
if python3 -m pip --version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$dest.tmp" uv
else
    python3 -m venv "$dest.venv" || {
        echo "install-uv: python3 has neither pip nor venv (apt-get install python3-venv)" >&2
        exit 1
    }
    "$dest.venv/bin/pip" install --quiet --disable-pip-version-check --target "$dest.tmp" uv
    rm -rf "$dest.venv"
fi
rm -rf "$dest"
mv "$dest.tmp" "$dest"
[[ -x $dest/bin/uv ]] || { echo "install-uv: $dest/bin/uv missing after install" >&2; exit 1; }
"$dest/bin/uv" --version
