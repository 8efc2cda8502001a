#!/usr/bin/env bash
# Builds the Jaeger v2 binary from its Go module once and caches it under .stack/bin.
# About 12 minutes on 2 cores the first time; a no-op when the cached binary exists.
# Usage: deploy/local/build-jaeger.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${LEXSTREAM_STACK_DIR:-$ROOT/.stack}"
JAEGER_VERSION="${LEXSTREAM_JAEGER_VERSION:-v1.76.0}"
BIN_DIR="$STACK_DIR/bin"
BIN="$BIN_DIR/jaeger-$JAEGER_VERSION"

if [[ "${1:-}" != "--force" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [[ -x "$candidate/go" ]] && PATH="$candidate:$PATH"
  done
fi
command -v go >/dev/null 2>&1 || { echo "build-jaeger: no Go toolchain (deploy/local/system-deps.sh installs golang)" >&2; exit 1; }

mkdir -p "$BIN_DIR"
# one build at a time (make test and a stack.sh start may both ask): the second waits and
# then finds the binary
exec 9>"$BIN_DIR/.jaeger-build.lock"
flock 9
if [[ "${1:-}" != "--force" && -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi
WORK="$(mktemp -d "$STACK_DIR/jaeger-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
start=$(date +%s)
# a throwaway module whose only purpose is to pin the jaeger tool at one version
go mod init lexstream.local/jaeger-build >/dev/null 2>&1
GOFLAGS=-mod=mod go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2
# low priority (every core, niced): the build must not starve the other work on a small machine
GOMAXPROCS="${LEXSTREAM_JAEGER_BUILD_PROCS:-$(nproc)}" nice -n 19 \
  go build -trimpath -ldflags="-s -w" -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
mv "$BIN.tmp" "$BIN"
echo "build-jaeger: built $BIN in $(( $(date +%s) - start )) s" >&2
echo "$BIN"
