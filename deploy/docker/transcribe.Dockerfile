# syntax=docker/dockerfile:1.7
# lexstream-transcribe: GPU (CUDA 12, cuDNN 9) Whisper transcription via faster-whisper / CTranslate2
#
# Build context is the repository root:
#   docker build -f deploy/docker/transcribe.Dockerfile -t lexstream-transcribe:<version> .
# (deploy/docker/transcribe.Dockerfile.dockerignore keeps the context small.)
# Runs as a non-root user on a read-only root filesystem; /tmp is the one writable path
# (a volume here, an emptyDir in Kubernetes).
#
# CTranslate2 4.x wheels need CUDA 12 and cuDNN 9 from the base image. Ubuntu 22.04 ships
# Python 3.10, so the builder installs a uv-managed CPython 3.11 (a relocatable build) under
# /opt/python and the runtime copies it together with the virtual environment that points at it.
# Without a GPU the same image runs on CPU (LEXSTREAM_TRANSCRIBE_DEVICE=cpu).

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04 AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_INSTALL_DIR=/opt/python \
    UV_PYTHON_PREFERENCE=only-managed \
    UV_PROJECT_ENVIRONMENT=/opt/venv
RUN uv python install 3.11.11
WORKDIR /src
# Third-party dependencies first, in their own layer: it is rebuilt only when the lock changes.
# The workspace needs every member's pyproject.toml to be read, but --package installs only
# what lexstream-transcribe depends on.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/ingest/pyproject.toml services/ingest/
COPY services/ocr/pyproject.toml services/ocr/
COPY services/transcribe/pyproject.toml services/transcribe/
COPY services/index/pyproject.toml services/index/
COPY services/gateway/pyproject.toml services/gateway/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package lexstream-transcribe --python 3.11.11

# Then the two workspace members this image runs, installed as wheels (--no-editable), so the
# runtime stage needs the virtual environment only, never the sources.
COPY shared/src shared/src
COPY services/transcribe/src services/transcribe/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package lexstream-transcribe --python 3.11.11

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04 AS runtime
RUN groupadd --system --gid 10001 lexstream \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin lexstream
COPY --from=builder /opt/python /opt/python
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    HF_HUB_OFFLINE=1 \
    LEXSTREAM_HEALTH_PORT=8090 \
    LEXSTREAM_TRANSCRIBE_MODEL=base-offline \
    LEXSTREAM_TRANSCRIBE_DEVICE=cuda
WORKDIR /tmp
VOLUME ["/tmp"]
EXPOSE 8090
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8090/health/live', timeout=4).status != 200)"]
ENTRYPOINT ["python", "-m", "lexstream.transcribe"]
