"""The sink's HTTP API (aiohttp) and its lifecycle, which also runs the SMTP server. See
the package docstring for the routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiohttp import web

from sandboxes.faults import install
from sandboxes.smtp.server import FAULT_METHODS, FAULT_MODES, serve
from sandboxes.smtp.settings import SandboxSettings
from sandboxes.smtp.store import Store, StoredMessage

STORE = web.AppKey("store", Store)


def _parse(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _leaves(message: EmailMessage) -> list[EmailMessage]:
    return [p for p in message.walk() if not p.is_multipart()]


def _content(part: EmailMessage | None) -> str | None:
    if part is None:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def summary(stored: StoredMessage) -> dict[str, Any]:
    return {"id": stored.id, "from": stored.mail_from, "to": list(stored.rcpt_to), "subject": stored.subject,
            "received": stored.received, "size": stored.size}


def parsed(stored: StoredMessage) -> dict[str, Any]:
    message = _parse(stored.raw)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    attachments = []
    for index, part in enumerate(_leaves(message)):
        if part is text or part is html:
            continue
        content_id = str(part.get("Content-ID", "")).strip().strip("<>") or None
        attachments.append({
            "index": index, "filename": part.get_filename(), "contentType": part.get_content_type(),
            "size": len(part.get_payload(decode=True) or b""), "contentId": content_id,
            "disposition": part.get_content_disposition() or ("inline" if content_id else "attachment")})
    return {
        **summary(stored),
        "envelope": {"from": stored.mail_from, "to": list(stored.rcpt_to), "authUser": stored.auth_user,
                     "tls": stored.tls},
        "headers": [[name, str(value)] for name, value in message.items()],
        "headerFrom": str(message.get("From", "")), "headerTo": str(message.get("To", "")),
        "cc": str(message.get("Cc", "")), "date": str(message.get("Date", "")),
        "messageId": str(message.get("Message-ID", "")),
        "text": _content(text),  # type: ignore[arg-type]
        "html": _content(html),  # type: ignore[arg-type]
        "attachments": attachments,
    }


def _message(request: web.Request) -> StoredMessage:
    try:
        stored = request.app[STORE].get(int(request.match_info["id"]))
    except ValueError:
        stored = None
    if stored is None:
        raise web.HTTPNotFound(text='{"error": "no such message"}', content_type="application/json")
    return stored


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def list_messages(request: web.Request) -> web.Response:
    try:
        limit = max(1, min(1000, int(request.query.get("limit", "50"))))
    except ValueError:
        return web.json_response({"error": "limit must be a number"}, status=400)
    found = request.app[STORE].list(to=request.query.get("to", ""), limit=limit)
    return web.json_response({"messages": [summary(m) for m in found]})


async def get_message(request: web.Request) -> web.Response:
    return web.json_response(parsed(_message(request)))


async def raw_message(request: web.Request) -> web.Response:
    return web.Response(body=_message(request).raw, content_type="message/rfc822")


async def attachment(request: web.Request) -> web.Response:
    parts = _leaves(_parse(_message(request).raw))
    try:
        part = parts[int(request.match_info["index"])]
    except (ValueError, IndexError):
        return web.json_response({"error": "no such part"}, status=404)
    return web.Response(body=part.get_payload(decode=True) or b"", content_type=part.get_content_type())


async def delete_messages(request: web.Request) -> web.Response:
    return web.json_response({"deleted": request.app[STORE].delete(to=request.query.get("to", ""))})


def build(settings: SandboxSettings) -> web.Application:
    app = web.Application()
    app[STORE] = Store(settings.state_file)
    app.router.add_get("/sandbox/health", health)
    app.router.add_get("/messages", list_messages)
    app.router.add_delete("/messages", delete_messages)
    app.router.add_get("/messages/{id}", get_message)
    app.router.add_get("/messages/{id}/raw", raw_message)
    app.router.add_get("/messages/{id}/attachments/{index}", attachment)
    install(app, FAULT_METHODS, FAULT_MODES, default_seconds={"stall": 30.0})

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        server = await serve(app, settings, app[STORE])
        yield
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)
        app[STORE].close()

    app.cleanup_ctx.append(lifecycle)
    return app
