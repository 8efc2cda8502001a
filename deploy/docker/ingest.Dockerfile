# syntax=docker/dockerfile:1.7
# lexstream-ingest: validation, hashing, dedup, originals bucket (internal API :8081, Kafka)
#
# Build context is the repository root:
#   docker build -f deploy/docker/ingest.Dockerfile -t lexstream-ingest:<version> .
# (deploy/docker/ingest.Dockerfile.dockerignore keeps the context small.)
# Runs as a non-root user on a read-only root filesystem; /tmp is the one writable path
# (a volume here, an emptyDir in Kubernetes).

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11.11-slim-bookworm AS builder
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
WORKDIR /src
# Third-party dependencies first, in their own layer: it is rebuilt only when the lock changes.
# The workspace needs every member's pyproject.toml to be read, but --package installs only
# what lexstream-ingest depends on.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/ingest/pyproject.toml services/ingest/
COPY services/ocr/pyproject.toml services/ocr/
COPY services/transcribe/pyproject.toml services/transcribe/
COPY services/index/pyproject.toml services/index/
COPY services/gateway/pyproject.toml services/gateway/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package lexstream-ingest

# Then the two workspace members this image runs, installed as wheels (--no-editable), so the
# runtime stage needs the virtual environment only, never the sources.
COPY shared/src shared/src
COPY services/ingest/src services/ingest/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package lexstream-ingest

FROM python:3.11.11-slim-bookworm AS runtime

# python-magic needs libmagic at run time (content sniffing).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 unar \
    && rm -rf /var/lib/apt/lists/*

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
EXPOSE 8081
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8081/health/live', timeout=4).status != 200)"]
ENTRYPOINT ["python", "-m", "lexstream.ingest"]
