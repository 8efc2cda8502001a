"""The gateway: the HTTP front for lawyers, paralegals and client systems."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from elasticsearch import (
    ApiError,
    BadRequestError,
    ConnectionError,
    ConnectionTimeout,
)
from elasticsearch.serializer import OrjsonSerializer
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexstream.gateway import (
    documents,
    hybrid,
    pages,
    routes_admin,
    routes_batch,
    routes_board,
    routes_dedup,
    routes_holds,
    routes_mail,
    routes_matters,
    routes_research,
    routes_saved,
    routes_search,
    routes_structure,
    workspace,
)
from lexstream.gateway.audit import AuditBacklogFull, AuditLog, audit_topic
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import FastJSONResponse, Gateway, UpstreamTimeout
from lexstream.gateway.identity import Authenticator
from lexstream.gateway.limits import AuthFailures, InFlight, RateLimiter, TooManyRequests
from lexstream.gateway.search import BadSearch, QueryCaps
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import ApiKeyStore, MatterStore, bootstrap_gateway_indices
from lexstream.shared.asyncapi import TopicUse
from lexstream.shared.clientguard import ClientGuard
from lexstream.shared.events import Topics
from lexstream.shared.health import Check, health_router
from lexstream.shared.kafka import ensure_topics, make_broker
from lexstream.shared.logs import setup_logging
from lexstream.shared.opsmetrics import ReadinessGauge, value_gauge
from lexstream.shared.runtime import wait_for
from lexstream.shared.search import documents_alias, make_search_client, status_index
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import Telemetry, setup_telemetry

log = logging.getLogger(__name__)

#: the topics of this service, for the AsyncAPI document (lexstream.shared.asyncapi): moves
#: (documents.py) for the index to apply, and the audit trail (audit.py)
TOPICS = TopicUse("gateway", sends=("moved", "audit"))


class BodyLimit:
    """Refuse request bodies above a limit (uploads have their own, larger one)."""

    def __init__(self, app: ASGIApp, limit: int, upload_path: str) -> None:
        self.app = app
        self.limit = limit
        self.upload_path = upload_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == self.upload_path:
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(self.limit, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(self.limit, send)


#: on every answer: nothing stored by browsers or proxies (answers carry privileged text), no
#: type sniffing, no referrer, no framing (the web page's CSP says frame-ancestors 'none' too)
SECURITY_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to each answer that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _BodyTooLarge(Exception):
    pass


async def _too_large(limit: int, send: Send) -> None:
    response = JSONResponse({"detail": f"the request body is larger than {limit} bytes"}, 413)
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _without_unused_422(schema: dict[str, Any]) -> None:
    """FastAPI documents 422 for every route; the gateway answers invalid requests with 400."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)


def create_app(
    settings: GatewaySettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or GatewaySettings()
    setup_logging("gateway", settings.log_level)
    telemetry = telemetry or setup_telemetry("lexstream-gateway", settings.otlp_endpoint)
    store = ObjectStore(settings)
    es = make_search_client(
        settings,
        request_timeout=settings.search_timeout_s,
        retry_on_timeout=False,
        max_retries=1,
        serializer=OrjsonSerializer(),  # search answers are large; orjson parses them faster
    )
    broker = make_broker(settings, telemetry, client_id="gateway")
    topics = Topics(settings.topic_prefix)
    keys = ApiKeyStore(es, settings, settings.auth_cache_ttl_s)
    gateway = Gateway(
        settings=settings,
        es=es,
        store=store,
        alias=documents_alias(settings),
        statuses=status_index(settings),
        matters=MatterStore(es, settings, settings.auth_cache_ttl_s),
        keys=keys,
        audit=AuditLog(es, broker, settings),
        broker=broker,
        in_flight=InFlight(settings.search_in_flight_per_caller),
        query_caps=QueryCaps(
            max_terms=settings.query_max_terms,
            max_fuzzy_terms=settings.query_max_fuzzy_terms,
            max_prefix_terms=settings.query_max_prefix_terms,
            min_prefix_chars=settings.query_min_prefix_chars,
            max_slop=settings.query_max_slop,
            fuzzy_max_expansions=settings.query_fuzzy_max_expansions,
        ),
    )

    async def bootstrap() -> None:
        await wait_for("elasticsearch", lambda: bootstrap_gateway_indices(es, settings))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        token = settings.ingest_token
        gateway.ingest = httpx.AsyncClient(
            base_url=settings.ingest_url,
            timeout=httpx.Timeout(settings.ingest_timeout_s, connect=5.0),
            headers={"Authorization": f"Bearer {token.get_secret_value()}"} if token else None,
        )
        await bootstrap()
        if settings.hybrid_search:
            await hybrid.warm_up()
        try:
            await ensure_topics(settings, [audit_topic(settings), topics.moved])
            await broker.connect()
        except Exception as exc:  # audit entries wait in memory until Kafka is back
            log.warning("kafka unavailable at start", extra={"error_type": type(exc).__name__})
        gateway.audit.start()
        readiness.start()
        yield
        await readiness.stop()
        await gateway.audit.stop()
        await broker.stop()
        await gateway.ingest.aclose()
        await es.close()

    app = FastAPI(
        default_response_class=FastJSONResponse,
        title="lexstream gateway",
        version="0.2.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.gateway = gateway
    app.state.authenticator = Authenticator(settings, keys)
    app.state.matters = gateway.matters
    app.state.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    app.state.auth_failures = AuthFailures(
        settings.auth_failures_per_s, settings.auth_failure_burst
    )
    app.add_middleware(BodyLimit, limit=settings.max_json_bytes, upload_path="/v1/documents")
    app.add_middleware(ClientGuard, body_read_timeout_s=settings.body_read_timeout_s)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, the 413 and 408 too

    async def es_ping() -> None:
        await es.cluster.health()

    async def ingest_ping() -> None:
        assert gateway.ingest is not None
        response = await gateway.ingest.get("/health/live")
        response.raise_for_status()

    def checks() -> dict[str, Check]:
        return {
            "elasticsearch": es_ping,
            "s3": store.ping,
            "ingest": ingest_ping,
            "audit": gateway.audit.check,
        }

    app.include_router(health_router(checks))
    # operator gauges: readiness and the audit entries waiting for delivery (runbook alerts)
    readiness = ReadinessGauge(checks)
    value_gauge(
        "lexstream.audit.backlog",
        lambda: gateway.audit.backlog,
        unit="{entry}",
        description="audit entries accepted but not yet delivered to the index and topic",
    )

    @app.exception_handler(TooManyRequests)
    async def too_many(_: Request, exc: TooManyRequests) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=429, headers={"Retry-After": exc.retry_after}
        )

    @app.exception_handler(BadSearch)
    async def bad_search(_: Request, exc: BadSearch) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=400)

    @app.exception_handler(BadRequestError)
    async def refused_query(_: Request, exc: BadRequestError) -> JSONResponse:
        reason = exc.message
        info = exc.info if isinstance(exc.info, dict) else {}
        root = (info.get("error") or {}).get("root_cause") or [{}]
        if isinstance(root, list) and root and isinstance(root[0], dict):
            reason = root[0].get("reason") or reason
        return JSONResponse({"detail": f"the query was refused: {reason}"}, status_code=400)

    @app.exception_handler(AuditBacklogFull)
    async def audit_backlog_full(_: Request, _exc: AuditBacklogFull) -> JSONResponse:
        # served unaudited is worse than not served: refuse until the trail catches up
        log.error("audit backlog full; refusing requests", extra={"error_type": "AuditBacklogFull"})
        return JSONResponse(
            {"detail": "the audit trail cannot keep up; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(UpstreamTimeout)
    @app.exception_handler(ConnectionTimeout)
    async def timed_out(_: Request, exc: Exception) -> JSONResponse:
        log.warning("upstream timeout", extra={"error_type": type(exc).__name__})
        return JSONResponse(
            {"detail": "a backend did not answer in time; retry"},
            status_code=504,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(ConnectionError)
    @app.exception_handler(ApiError)
    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("elasticsearch unavailable", extra={"error_type": type(exc).__name__})
        return JSONResponse(
            {"detail": "search is temporarily unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    app.include_router(documents.router)
    app.include_router(routes_search.router)
    app.include_router(routes_dedup.router)
    app.include_router(routes_batch.router)
    app.include_router(routes_matters.router)
    app.include_router(routes_holds.router)
    app.include_router(routes_board.router)
    app.include_router(routes_research.router)
    app.include_router(routes_mail.router)
    app.include_router(routes_structure.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_saved.router)
    app.include_router(pages.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            _without_unused_422(schema)
            schema.setdefault("components", {})["securitySchemes"] = {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            }
            schema["security"] = [{"apiKey": []}, {"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/v1/openapi.json", include_in_schema=False)
    async def openapi_document(_: AuthorizedDep) -> dict[str, Any]:
        return openapi()

    # The workspace: static files only, no data; every call it makes carries the caller's key.
    @app.get("/", include_in_schema=False, response_model=None)
    async def web_page() -> FileResponse | JSONResponse:
        built = workspace.built_file(workspace.ENTRY)
        if built is None:
            return JSONResponse({"detail": workspace.BUILD_HINT}, status_code=404)
        return FileResponse(built[0], media_type=built[1], headers=_WEB_HEADERS)

    @app.get("/ui/{name}", include_in_schema=False, response_model=None)
    async def web_asset(name: str) -> FileResponse | JSONResponse:
        built = workspace.built_file(name)
        if built is None:
            detail = workspace.BUILD_HINT if name == workspace.ENTRY else "not found"
            return JSONResponse({"detail": detail}, status_code=404)
        return FileResponse(built[0], media_type=built[1], headers=_WEB_HEADERS)

    return app


_WEB_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        # media: the original's presigned URL (the object store's origin); blob: a video's
        # captions, the transcript's WebVTT fetched with the caller's key
        "media-src 'self' http: https: blob:; connect-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
