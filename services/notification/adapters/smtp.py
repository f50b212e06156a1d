"""E-mail over SMTP (aiosmtplib): one connection per message, STARTTLS or implicit TLS,
AUTH when credentials are configured.

The message is a proper MIME tree: text/plain and text/html as alternatives, inline
images related to the HTML (cid:<content_id>), other attachments beside them; Message-ID
derives from our delivery id, so a resent delivery carries the same id and a receiving
system can drop the duplicate; X-KulturaGo-Notification carries the delivery id too.

What a failure means for the caller:
- connection refused, timeout, dropped connection, TLS failure -> ProviderUnavailable;
- a failure of the session rather than of this message (AUTH refused 535, AUTH required
  530, STARTTLS or AUTH not offered) -> ProviderUnavailable too: it is our configuration
  or the provider's state, and every message would fail alike, so none is given up on;
- replies to this message's MAIL, RCPT or DATA: 4xx -> ProviderUnavailable (greylisting,
  mailbox busy, 421 shutting down), 5xx -> Rejected (no such mailbox, policy refusal).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from services.notification.service_layer.channels import (
    Attachment,
    OutgoingMail,
    ProviderUnavailable,
    Rejected,
)
from services.runtime.logging import get_logger

log = get_logger(__name__)

NOTIFICATION_HEADER = "X-KulturaGo-Notification"
# Replies about the session, not about this message (see the module docstring).
_SESSION_CODES = frozenset({530, 534, 535, 538})


def _split(content_type: str) -> tuple[str, str]:
    maintype, _, subtype = content_type.partition("/")
    return (maintype, subtype) if maintype and subtype else ("application", "octet-stream")


def _address(mailbox: str) -> str:
    """The bare address of one mailbox ("KulturaGo <no-reply@x>" -> "no-reply@x"); ValueError
    unless it is exactly one well-formed address (no header injection, no lists)."""
    header = EmailMessage()
    try:
        header["To"] = mailbox
        parsed = header["To"]
        addresses = parsed.addresses
    except (ValueError, IndexError) as exc:  # line breaks; the parser's own failures
        raise ValueError(f"not an e-mail address: {mailbox!r}") from exc
    if parsed.defects or len(addresses) != 1 or not (addresses[0].username and addresses[0].domain):
        raise ValueError(f"not one e-mail address: {mailbox!r}")
    return str(addresses[0].addr_spec)


def _add_part(target: EmailMessage, attachment: Attachment, *, related: bool) -> None:
    maintype, subtype = _split(attachment.content_type)
    cid = f"<{attachment.content_id}>" if attachment.content_id else None
    add = target.add_related if related else target.add_attachment
    add(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, cid=cid,
        disposition="inline" if related else "attachment")


class SmtpMailSender:
    def __init__(self, *, host: str, port: int, sender: str, username: str = "", password: str = "",
                 starttls: bool = True, implicit_tls: bool = False, ca_file: str = "",
                 timeout_seconds: float = 15.0, message_id_domain: str = "kulturago.ru",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not (host and port and sender):
            raise ValueError("SMTP host, port and sender address must all be configured")
        if starttls and implicit_tls:
            raise ValueError("SMTP: STARTTLS and implicit TLS exclude each other")
        self._host, self._port, self._sender = host, port, sender
        self._envelope_from = _address(sender)  # MAIL FROM takes the bare address
        self._username, self._password = username, password
        self._starttls, self._implicit_tls = starttls, implicit_tls
        # Our own context, so that a private CA (the dev certificate locally) can be trusted.
        self._tls = ssl.create_default_context(cafile=ca_file or None) if (starttls or implicit_tls) else None
        self._timeout = timeout_seconds
        self._domain = message_id_domain
        self._clock = clock

    def build(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(self._clock())
        message["Message-ID"] = (f"<{mail.delivery_id}@{self._domain}>" if mail.delivery_id
                                 else make_msgid(domain=self._domain))
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders stay quiet
        if mail.delivery_id:
            message[NOTIFICATION_HEADER] = mail.delivery_id
        message.set_content(mail.text)
        inline = [a for a in mail.attachments if a.content_id] if mail.html else []
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
            html_part = message.get_payload()[1]  # type: ignore[index]
            assert isinstance(html_part, EmailMessage)
            for attachment in inline:
                _add_part(html_part, attachment, related=True)  # alternative[text, related[html, images]]
        related = {id(a) for a in inline}
        for attachment in mail.attachments:
            if id(attachment) not in related:
                _add_part(message, attachment, related=False)
        return message

    async def send(self, mail: OutgoingMail) -> None:
        try:
            recipient = _address(mail.to)
            message = self.build(mail)
        except ValueError as exc:  # a malformed address or a header with a line break: never sendable
            raise Rejected(str(exc)) from exc
        try:
            await aiosmtplib.send(
                message, sender=self._envelope_from, recipients=[recipient],
                hostname=self._host, port=self._port, username=self._username or None,
                password=self._password or None, use_tls=self._implicit_tls, start_tls=self._starttls,
                tls_context=self._tls, timeout=self._timeout)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise self._reply_error("RCPT", min(codes, default=550), "; ".join(r.message for r in exc.recipients)
                                    ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise ProviderUnavailable(f"SMTP AUTH refused ({exc.code}): check the credentials") from exc
        except (aiosmtplib.SMTPHeloError, aiosmtplib.SMTPConnectResponseError) as exc:
            raise ProviderUnavailable(f"SMTP session refused: {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPResponseException as exc:  # MAIL (SenderRefused), RCPT, DATA
            stage = type(exc).__name__.removeprefix("SMTP").removesuffix("Error")
            raise self._reply_error(stage, exc.code, exc.message) from exc
        except aiosmtplib.SMTPNotSupported as exc:  # STARTTLS or AUTH not offered
            raise ProviderUnavailable(f"SMTP server lacks what we are configured to use: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:  # connect, timeout, disconnect, TLS
            raise ProviderUnavailable(f"SMTP {self._host}:{self._port}: {type(exc).__name__}: {exc}") from exc
        log.info("mail sent", delivery_id=mail.delivery_id, message_id=message["Message-ID"])

    @staticmethod
    def _reply_error(stage: str, code: int, text: str) -> ProviderUnavailable | Rejected:
        detail = f"SMTP {stage} refused: {code} {text}".strip()
        if code in _SESSION_CODES or 400 <= code < 500:
            return ProviderUnavailable(detail)
        return Rejected(detail)
