"""gid-service's HTTP server (aiohttp), behind the gateway's plain HTTP routes:

- `GET /ws/tour/{tourId}`: the live tour over WebSocket (service_layer/live_tour.py).
  The listener sends JSON messages:
    {"type": "start", "language": "ru", "fromStop": 0, "format": "ogg"|"mp3", "autoplay": false}
    {"type": "start", "session": "<id>"}                 resume a dropped session
    {"type": "position", "lat": 55.75, "lon": 37.62}    enters trigger zones
    {"type": "skip"} | {"type": "pause"} | {"type": "resume"}
    {"type": "ack", "offset": <bytes received>}          also opens the send window
  and receives JSON notices (`session`, `stop`, `narration`, `segment`, `narrationEnd`,
  `done`, `paused`, `resumed`, `error`) and binary messages: the audio, one continuous
  Ogg Opus stream (whole pages per message) or MP3 frames.
- `GET /api/v1/tours/{tourId}/bundle`: 302 to a presigned download of the offline
  bundle, with its ETag; 304 for a current If-None-Match; 202 while it is being built.
- `GET /healthz`.

Both need a user's access token, verified here again after the gateway: from the
`Authorization: Bearer` header, the `token` query parameter, or (browsers, which cannot
set headers on a WebSocket) the subprotocols `kulturago.bearer, <token>`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web
from google.protobuf import json_format

from services.gid.service_layer.bundles import Bundles
from services.gid.service_layer.live_tour import (
    Ack,
    Control,
    LiveTours,
    Pause,
    Position,
    Resume,
    Skip,
    Start,
    error_notice,
)
from services.runtime import errors
from services.runtime.logging import get_logger
from services.runtime.rpc.errors import HTTP_STATUS, status_message
from services.runtime.tokens import InvalidToken, Principal, TokenVerifier
from services.runtime.web import track

log = get_logger(__name__)

DOMAIN = "gid.kulturago.ru"
SUBPROTOCOL = "kulturago.bearer"
MAX_MESSAGE_BYTES = 4096  # the largest control message is far smaller
# WebSocket close codes: 4000 + the HTTP status the error would have had.
_CLOSE_BASE = 4000


def error_body(error: errors.ServiceError) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) as the gateway renders a service's errors."""
    status = status_message(error, DOMAIN)
    return HTTP_STATUS.get(status.code, 500), json_format.MessageToDict(status)


def _json_error(error: errors.ServiceError) -> web.Response:
    status, body = error_body(error)
    return web.json_response(body, status=status)


def _token(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if token := request.query.get("token", ""):
        return token
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if SUBPROTOCOL in offered and offered.index(SUBPROTOCOL) + 1 < len(offered):
        return offered[offered.index(SUBPROTOCOL) + 1]
    return ""


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
    value = data.get(name, default)
    if value is None or (kind is not bool and isinstance(value, bool)) or not isinstance(value, kind):
        raise errors.InvalidArgument.on_field(name, f"expected {getattr(kind, '__name__', 'a number')}")
    return value


def parse_control(text: str) -> Control:
    """A listener's JSON message; InvalidArgument naming the field when it is malformed."""
    try:
        data = json.loads(text)
    except ValueError:
        raise errors.InvalidArgument.on_field("message", "not JSON") from None
    if not isinstance(data, dict):
        raise errors.InvalidArgument.on_field("message", "expected a JSON object")
    number = (int, float)
    match data.get("type"):
        case "start":
            return Start(language=_field(data, "language", str, ""), from_stop=_field(data, "fromStop", int, 0),
                         format=_field(data, "format", str, "ogg"), autoplay=_field(data, "autoplay", bool, False),
                         session=_field(data, "session", str, ""))
        case "position":
            lat, lon = _field(data, "lat", number), _field(data, "lon", number)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise errors.InvalidArgument.on_field("lat", "lat within [-90, 90], lon within [-180, 180]")
            return Position(float(lat), float(lon))
        case "ack":
            offset = _field(data, "offset", int)
            if offset < 0:
                raise errors.InvalidArgument.on_field("offset", "a byte offset, 0 or more")
            return Ack(offset)
        case "skip":
            return Skip()
        case "pause":
            return Pause()
        case "resume":
            return Resume()
    raise errors.InvalidArgument.on_field("type", "one of start, position, ack, skip, pause, resume")


class _WebSocketChannel:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self._ws = ws

    async def notice(self, message: dict[str, Any]) -> None:
        await self._ws.send_str(json.dumps(message, ensure_ascii=False))

    async def audio(self, data: bytes) -> None:
        await self._ws.send_bytes(data)


class HttpApi:
    def __init__(self, verifier: TokenVerifier, live: LiveTours, bundles: Bundles) -> None:
        self._verifier = verifier
        self._live = live
        self._bundles = bundles

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/ws/tour/{tour_id}", self._listen)
        app.router.add_get("/api/v1/tours/{tour_id}/bundle", self._bundle)
        return app

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def _principal(self, request: web.Request) -> Principal:
        token = _token(request)
        if not token:
            raise errors.Unauthenticated("missing bearer token", "TOKEN_MISSING")
        try:
            return self._verifier.verify(token)
        except InvalidToken as exc:
            raise errors.Unauthenticated(f"invalid access token: {exc}", "TOKEN_INVALID") from exc

    async def _listen(self, request: web.Request) -> web.StreamResponse:
        try:
            principal = self._principal(request)
        except errors.ServiceError as error:
            return _json_error(error)
        offered = SUBPROTOCOL in request.headers.get("Sec-WebSocket-Protocol", "")
        ws = web.WebSocketResponse(protocols=(SUBPROTOCOL,) if offered else (), heartbeat=30,
                                   max_msg_size=MAX_MESSAGE_BYTES)
        await ws.prepare(request)
        track(request, ws)
        channel = _WebSocketChannel(ws)
        tour_id = request.match_info["tour_id"]

        async def controls() -> AsyncIterator[Control]:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    await channel.notice(error_notice(errors.InvalidArgument.on_field(
                        "message", "control messages are JSON text")))
                    continue
                try:
                    yield parse_control(message.data)
                except errors.InvalidArgument as error:
                    await channel.notice(error_notice(error))

        try:
            await self._live.serve(principal.user_id, tour_id, channel, controls())
        except errors.ServiceError as error:
            status, _ = error_body(error)
            if not ws.closed:
                await channel.notice(error_notice(error))
                await ws.close(code=_CLOSE_BASE + status, message=error.reason.encode()[:120])
        except ConnectionResetError:
            pass  # the listener went; the session is saved for a resume
        except Exception:
            log.exception("live tour failed", tour=tour_id)
            if not ws.closed:
                await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"internal error")
        return ws

    async def _bundle(self, request: web.Request) -> web.StreamResponse:
        try:
            self._principal(request)
            reply = await self._bundles.get(request.match_info["tour_id"], request.headers.get("If-None-Match", ""))
        except errors.ServiceError as error:
            return _json_error(error)
        headers = {"Cache-Control": "private, no-cache"}
        if reply.etag:
            headers["ETag"] = f'"{reply.etag}"'
        if reply.not_modified:
            return web.Response(status=304, headers=headers)
        if reply.url is None:
            return web.json_response({"status": "building", "message": "the bundle is being built: retry shortly"},
                                     status=202, headers={**headers, "Retry-After": "5"})
        raise web.HTTPFound(reply.url, headers=headers)
