# syntax=docker/dockerfile:1.7
# lexstream-gateway: search API, matters, files, audit (HTTP :8080)
#
# Build context is the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t lexstream-gateway:<version> .
# (deploy/docker/gateway.Dockerfile.dockerignore keeps the context small.)
# Runs as a non-root user on a read-only root filesystem; /tmp is the one writable path
# (a volume here, an emptyDir in Kubernetes).

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# The web workspace (services/gateway/web, Preact + Vite): built here and packed into the
# gateway's wheel (web/dist; pyproject.toml lists it as a hatch artifact, since git ignores it),
# so the image serves /ui/workspace without node at run time.
FROM node:20.19.5-bookworm-slim AS web
WORKDIR /src/services/gateway/web
COPY services/gateway/web/package.json services/gateway/web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY services/gateway/web/index.html services/gateway/web/tsconfig.json services/gateway/web/vite.config.ts ./
COPY services/gateway/web/src src
# vite writes ../src/lexstream/gateway/web/dist (vite.config.ts), i.e. beside the package
RUN npx tsc --noEmit && npx vite build && test -f ../src/lexstream/gateway/web/dist/index.html

FROM python:3.11.11-slim-bookworm AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /src
# Third-party dependencies first, in their own layer: it is rebuilt only when the lock changes.
# The workspace needs every member's pyproject.toml to be read, but --package installs only
# what lexstream-gateway depends on.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/ingest/pyproject.toml services/ingest/
COPY services/ocr/pyproject.toml services/ocr/
COPY services/transcribe/pyproject.toml services/transcribe/
COPY services/index/pyproject.toml services/index/
COPY services/gateway/pyproject.toml services/gateway/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package lexstream-gateway

# Then the workspace members this image runs (the gateway imports lexstream.index for the
# search document model), installed as wheels (--no-editable), so the runtime stage needs
# the virtual environment only, never the sources.
COPY shared/src shared/src
COPY services/index/src services/index/src
COPY services/gateway/src services/gateway/src
COPY --from=web /src/services/gateway/src/lexstream/gateway/web/dist services/gateway/src/lexstream/gateway/web/dist
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package lexstream-gateway

FROM python:3.11.11-slim-bookworm AS runtime

RUN groupadd --system --gid 10001 lexstream \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin lexstream
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp
WORKDIR /tmp
VOLUME ["/tmp"]
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health/live', timeout=4).status != 200)"]
ENTRYPOINT ["python", "-m", "lexstream.gateway"]
