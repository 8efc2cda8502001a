#!/usr/bin/env bash
# Offline checks of the deployment artefacts (no cluster, no Docker engine, no network
# beyond the package registries used once to install the tools):
#   1. render each Kustomize overlay (kustomize v5, the engine behind `kubectl kustomize`);
#   2. validate the rendered core objects against the Kubernetes schemas (kubernetes-validate,
#      strict); KEDA and Strimzi custom resources are checked by deploy_checks.py instead,
#      because kubernetes-validate carries no schemas for CRDs;
#   3. checkov on the rendered manifests and the Dockerfiles (checks/checkov-skips.txt lists
#      the skipped ids with reasons);
#   4. the compose file (`docker compose config`, which needs no engine; where there is no
#      Compose plugin, the Compose v2 CLI is built from its Go module), plus structural checks
#      of compose, the collector config, the dashboards' PromQL and the Dockerfiles.
# Tools go to .stack/deploy-tools (ignored), never into the workspace lock.
set -euo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DEPLOY")"
TOOLS="${LEXSTREAM_DEPLOY_TOOLS:-$ROOT/.stack/deploy-tools}"
KUSTOMIZE_VERSION="v5.5.0"
COMPOSE_VERSION="v2.32.4"     # only built where no `docker compose` plugin exists
KUBERNETES_VERSION="1.31.0"   # oldest Kubernetes the manifests promise to work on
OVERLAYS=(development production)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n== %s\n' "$*" >&2; }

install_tools() {
  local requirements="$DEPLOY/checks/requirements.txt"
  if ! cmp -s "$requirements" "$TOOLS/venv/.requirements.txt" 2>/dev/null; then
    step "installing check tools into $TOOLS/venv"
    rm -rf "$TOOLS/venv"
    uv venv --quiet --python 3.11 "$TOOLS/venv"
    VIRTUAL_ENV="$TOOLS/venv" uv pip install --quiet -r "$requirements"
    cp "$requirements" "$TOOLS/venv/.requirements.txt"
  fi
  # `go install` builds report "(devel)" as their version, so a stamp file records it.
  if [[ ! -x "$TOOLS/bin/kustomize" || "$(cat "$TOOLS/bin/.kustomize-version" 2>/dev/null)" \
        != "$KUSTOMIZE_VERSION" ]]; then
    step "installing kustomize $KUSTOMIZE_VERSION from the Go module proxy"
    # Debian bookworm's kubectl (package kubernetes-client, 1.20.2) embeds kustomize v2.0.3,
    # which rejects these kustomizations; kustomize v5 comes from its Go module instead.
    mkdir -p "$TOOLS/bin"
    GOBIN="$TOOLS/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    echo "$KUSTOMIZE_VERSION" >"$TOOLS/bin/.kustomize-version"
  fi
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  else
    # No Compose plugin (and no engine) here: build the same Compose v2 CLI from its Go
    # module; `config` resolves and validates the model without talking to an engine.
    if [[ ! -x "$TOOLS/bin/docker-compose" || "$(cat "$TOOLS/bin/.compose-version" \
          2>/dev/null)" != "$COMPOSE_VERSION" ]]; then
      step "building docker compose $COMPOSE_VERSION from the Go module proxy (a few minutes, once)"
      GOBIN="$TOOLS/compose-build" go install "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
      mv "$TOOLS/compose-build/cmd" "$TOOLS/bin/docker-compose"
      rmdir "$TOOLS/compose-build"
      echo "$COMPOSE_VERSION" >"$TOOLS/bin/.compose-version"
    fi
    COMPOSE=("$TOOLS/bin/docker-compose")
  fi
}

install_tools
PY="$TOOLS/venv/bin/python"
CHECKS=("$PY" "$DEPLOY/checks/deploy_checks.py")
export BC_SKIP_MAPPING=TRUE  # checkov: no calls to Prisma Cloud for guidelines
SKIPS="$("${CHECKS[@]}" skips "$DEPLOY/checks/checkov-skips.txt")"
status=0
run() { "$@" || status=1; }

checkov_json() {  # framework target report
  # checkov exits 1 when a check fails; the report is judged by deploy_checks.py.
  "$TOOLS/venv/bin/checkov" --quiet --compact --skip-download --framework "$1" \
    --skip-check "$SKIPS" -o json "${@:4}" -d "$2" >"$3" 2>"$3.log" || true
  if [[ ! -s "$3" ]]; then
    echo "FAIL checkov ($1) wrote no report:" >&2; cat "$3.log" >&2; status=1; return 1
  fi
}

for overlay in "${OVERLAYS[@]}"; do
  step "overlay $overlay"
  rendered="$WORK/$overlay/rendered.yaml"
  mkdir -p "$WORK/$overlay"
  if ! "$TOOLS/bin/kustomize" build "$DEPLOY/k8s/overlays/$overlay" >"$rendered"; then
    echo "FAIL kustomize build $overlay" >&2; status=1; continue
  fi
  echo "ok   rendered $(grep -c '^kind:' "$rendered") objects"
  run "${CHECKS[@]}" split "$rendered" "$WORK/$overlay/core.yaml"
  if "$TOOLS/venv/bin/kubernetes-validate" --strict --quiet \
      --kubernetes-version "$KUBERNETES_VERSION" "$WORK/$overlay/core.yaml"; then
    echo "ok   kubernetes-validate (Kubernetes $KUBERNETES_VERSION, strict)"
  else
    echo "FAIL kubernetes-validate $overlay" >&2; status=1
  fi
  run "${CHECKS[@]}" manifests "$rendered" "$overlay"
  mkdir -p "$WORK/$overlay/checkov"
  cp "$rendered" "$WORK/$overlay/checkov/$overlay.yaml"
  if checkov_json kubernetes "$WORK/$overlay/checkov" "$WORK/checkov-$overlay.json"; then
    run "${CHECKS[@]}" checkov "$WORK/checkov-$overlay.json" "$DEPLOY/checks/checkov-skips.txt"
  fi
done

step "topics"
"$TOOLS/bin/kustomize" build "$DEPLOY/k8s/topics" >"$WORK/topics.yaml"
run "${CHECKS[@]}" topics "$WORK/topics.yaml" "$DEPLOY/kafka/create-topics.sh"

step "dockerfiles"
run "${CHECKS[@]}" dockerfiles "$DEPLOY/docker"
if checkov_json dockerfile "$DEPLOY/docker" "$WORK/checkov-dockerfile.json"; then
  run "${CHECKS[@]}" checkov "$WORK/checkov-dockerfile.json" "$DEPLOY/checks/checkov-skips.txt"
fi

step "compose"
# The secrets compose insists on (${VAR:?}) get throwaway values for the check.
if env MINIO_ROOT_USER=x MINIO_ROOT_PASSWORD=x LEXSTREAM_S3_ACCESS_KEY=x \
    LEXSTREAM_S3_SECRET_KEY=x LEXSTREAM_BOOTSTRAP_ADMIN_KEY=x LEXSTREAM_INGEST_TOKEN=x GRAFANA_ADMIN_PASSWORD=x \
    "${COMPOSE[@]}" --env-file /dev/null -f "$DEPLOY/compose/compose.yaml" \
    -f "$DEPLOY/compose/compose.cpu.yaml" config --quiet; then
  echo "ok   compose config ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"
else
  echo "FAIL compose config" >&2; status=1
fi
run "${CHECKS[@]}" compose "$DEPLOY/compose/compose.yaml" "$DEPLOY/compose/compose.cpu.yaml"

step "observability"
run "${CHECKS[@]}" collector "$DEPLOY/otel/collector.yaml"
run "${CHECKS[@]}" dashboards "$DEPLOY/grafana/dashboards" \
  "$DEPLOY/grafana/provisioning/datasources/datasources.yaml"
"$PY" -c 'import sys, yaml; [yaml.safe_load(open(p)) for p in sys.argv[1:]]' \
  "$DEPLOY/prometheus/prometheus.yml" \
  "$DEPLOY/grafana/provisioning/dashboards/dashboards.yaml" && echo "ok   prometheus/grafana YAML" \
  || { echo "FAIL prometheus/grafana YAML" >&2; status=1; }
for script in "$DEPLOY"/kafka/*.sh "$DEPLOY"/minio/*.sh; do
  sh -n "$script" || { echo "FAIL sh -n $script" >&2; status=1; }
done

step "result"
if [[ $status -eq 0 ]]; then echo "deploy checks passed"; else echo "deploy checks FAILED" >&2; fi
exit $status
