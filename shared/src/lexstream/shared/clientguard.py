"""Clients that stall or go away: ASGI middleware for the services' HTTP ports.

- A request body that stops arriving is not waited for forever: when no piece of it comes
  for ``body_read_timeout_s``, the request ends with 408 (a slow-body attack holds a worker
  only that long).
- A client that disconnects mid-request (a closed browser tab, a cancelled upload) is normal
  traffic: one info line, no error-level traceback.

- A client that takes longer than ``header_timeout_s`` to send a request's headers has its
  connection closed (:func:`header_timeout_protocol`, for uvicorn).

Only the body is timed: once it is complete, ``receive`` waits untimed again (Starlette
listens for the disconnect of a streamed answer that way).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class SlowClient(Exception):
    """No piece of the request body came in time (408)."""


class ClientGuard:
    def __init__(self, app: ASGIApp, body_read_timeout_s: float) -> None:
        self.app = app
        self.timeout_s = body_read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        started = False
        stalled: SlowClient | None = None

        async def timed_receive() -> Message:
            nonlocal body_done, stalled
            if body_done:
                return await receive()
            try:
                async with asyncio.timeout(self.timeout_s):
                    message = await receive()
            except TimeoutError:
                stalled = SlowClient(f"no request body for {self.timeout_s:g} s")
                raise stalled from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def answer_stalled() -> None:
            nonlocal started
            started = True
            log.warning("slow client: request aborted", extra={"path": scope.get("path")})
            response = JSONResponse(
                {"detail": f"the request body stalled: {stalled}"},
                status_code=408,
                headers={"Connection": "close"},
            )
            await response(scope, _disconnected, send)

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if stalled is not None:
                # the app's own answer to the stall (FastAPI: 400 "error parsing the body")
                # is replaced by the 408
                if not started:
                    await answer_stalled()
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except ClientDisconnect:
            log.info("client disconnected", extra={"path": scope.get("path")})
        except SlowClient:
            if not started:
                await answer_stalled()


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


class _HeaderTimeout:
    """Mixed into uvicorn's HTTP protocol: from the connection's start, and again from the end
    of each answer, the next request's headers must be complete within ``header_timeout_s``.
    (Both of uvicorn's protocols make ``cycle`` when a request's headers are complete.)"""

    header_timeout_s: float
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any
    _header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            log.info("slow client: request headers not received in time; connection closed")
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


def header_timeout_protocol(header_timeout_s: float) -> type[asyncio.Protocol]:
    """The HTTP protocol uvicorn would choose (httptools if installed, else h11), closing a
    connection whose request headers are slower than ``header_timeout_s``: uvicorn itself
    times out idle kept-alive connections, but not a client sending its headers slowly."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    return type(
        "HeaderTimeoutProtocol",
        (_HeaderTimeout, AutoHTTPProtocol),
        {"header_timeout_s": header_timeout_s},
    )
