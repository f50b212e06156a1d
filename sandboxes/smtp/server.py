"""The SMTP side of the sink (aiosmtpd), on the HTTP API's event loop so that both see the
same store and fault queues."""

from __future__ import annotations

import asyncio
import hmac
import logging
import ssl
from email import message_from_bytes, policy
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from sandboxes.faults import take
from sandboxes.smtp.settings import SandboxSettings
from sandboxes.smtp.store import Store

log = logging.getLogger("sandbox.smtp")

FAULT_METHODS = ("MAIL", "RCPT", "DATA")
FAULT_MODES = ("reply", "stall", "disconnect")


class Sink:
    """aiosmtpd's handler: every hook first asks the fault queue, then accepts."""

    def __init__(self, app: web.Application, store: Store) -> None:
        self._app = app
        self._store = store

    async def _fault(self, server: SMTP, method: str, params: dict[str, Any]) -> str | None:
        fault = take(self._app, method, params)
        if fault is None:
            return None
        if fault.mode == "stall":
            await asyncio.sleep(fault.seconds)
            return None
        transport = server.transport
        if fault.mode == "disconnect":
            if isinstance(transport, asyncio.Transport):
                transport.abort()
            return "421 4.4.2 Connection dropped (sandbox fault injection)"  # never reaches the client
        if fault.status == 421 and transport is not None:
            # 421: the server closes the channel after answering (RFC 5321 3.8).
            asyncio.get_running_loop().call_soon(transport.close)
        return f"{fault.status} {fault.message}"

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        if (reply := await self._fault(server, "MAIL", {"from": address})) is not None:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if (reply := await self._fault(server, "RCPT", {"from": envelope.mail_from, "to": address})) is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        params = {"from": envelope.mail_from, "to": envelope.rcpt_tos[0] if envelope.rcpt_tos else ""}
        if (reply := await self._fault(server, "DATA", params)) is not None:
            return reply
        raw = envelope.original_content or b""
        subject = str(message_from_bytes(raw, policy=policy.default).get("Subject", ""))
        auth = session.auth_data
        user = auth.login.decode(errors="replace") if isinstance(auth, LoginPassword) else ""
        message_id = self._store.add(mail_from=envelope.mail_from or "", rcpt_to=list(envelope.rcpt_tos),
                                     subject=subject, raw=raw, auth_user=user, tls=session.ssl is not None)
        log.info("message %d from %s to %s: %r (%d bytes)", message_id, envelope.mail_from,
                 ",".join(envelope.rcpt_tos), subject, len(raw))
        return f"250 2.0.0 OK queued as {message_id}"


class Authenticator:
    def __init__(self, username: str, password: str) -> None:
        self._username = username.encode()
        self._password = password.encode()

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and hmac.compare_digest(auth_data.login, self._username)
              and hmac.compare_digest(auth_data.password, self._password))
        if not ok:
            log.warning("AUTH %s refused", mechanism)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


async def serve(app: web.Application, settings: SandboxSettings, store: Store) -> asyncio.Server:
    tls: ssl.SSLContext | None = None
    if settings.tls_cert and settings.tls_key:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(settings.tls_cert, settings.tls_key)
    auth = bool(settings.username and settings.password)
    handler = Sink(app, store)
    authenticator = Authenticator(settings.username, settings.password) if auth else None

    def protocol() -> SMTP:
        return SMTP(handler, hostname="smtp.sandbox.kulturago.local", ident="KulturaGo SMTP sink",
                    data_size_limit=settings.max_message_bytes, enable_SMTPUTF8=True, decode_data=False,
                    tls_context=tls, auth_required=auth, auth_require_tls=tls is not None,
                    authenticator=authenticator, timeout=60)

    server = await asyncio.get_running_loop().create_server(protocol, settings.host, settings.smtp_port)
    log.info("SMTP on %s:%d (STARTTLS %s, AUTH %s)", settings.host, settings.smtp_port,
             "offered" if tls else "off", "required" if auth else "off")
    return server
