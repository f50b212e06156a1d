"""notification-service's SMTP sender (services/notification/adapters/smtp.py) against the
SMTP sink `kgo up` runs (sandboxes/smtp): STARTTLS and AUTH with the generated credentials,
the MIME tree (alternatives, inline images, attachments, ids), and what each failure means
for the caller."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from channels_support import address, control, inject_fault, mailbox, sandbox_url, service_env

from kgo import supervisor
from services.notification.adapters.smtp import SmtpMailSender
from services.notification.service_layer.channels import (
    Attachment,
    OutgoingMail,
    ProviderUnavailable,
    Rejected,
)

ENV = service_env("smtp")
SMTP_SINK = sandbox_url("smtp")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201e5279c6a0000000049454e44ae426082")


def sender(**overrides: object) -> SmtpMailSender:
    settings: dict[str, object] = dict(
        host=ENV["KGO_SMTP_HOST"], port=int(ENV["KGO_SMTP_PORT"]), sender="KulturaGo <no-reply@kulturago.ru>",
        username=ENV["KGO_SMTP_USERNAME"], password=ENV["KGO_SMTP_PASSWORD"], starttls=True,
        ca_file=ENV["KGO_SMTP_CA_FILE"], timeout_seconds=5.0)
    settings.update(overrides)
    return SmtpMailSender(**settings)  # type: ignore[arg-type]


def mail(to: str, **overrides: object) -> OutgoingMail:
    fields: dict[str, object] = dict(to=to, subject="Ваш билет на «Джаз на крыше»", text="Билет во вложении.",
                                     delivery_id=str(uuid.uuid4()))
    fields.update(overrides)
    return OutgoingMail(**fields)  # type: ignore[arg-type]


async def test_a_mail_arrives_whole_over_starttls_with_auth() -> None:
    to = address()
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 8
    sent = mail(to, html='<p>Ваш билет</p><img src="cid:poster-1">', attachments=(
        Attachment("poster.png", "image/png", PNG, content_id="poster-1"),
        Attachment("ticket.pdf", "application/pdf", pdf)))
    await sender().send(sent)

    [got] = mailbox(to)
    assert got["subject"] == sent.subject and got["headerFrom"] == "KulturaGo <no-reply@kulturago.ru>"
    assert got["envelope"] == {"from": "no-reply@kulturago.ru", "to": [to], "authUser": ENV["KGO_SMTP_USERNAME"],
                               "tls": True}
    assert got["messageId"] == f"<{sent.delivery_id}@kulturago.ru>" and got["date"]
    headers = dict(got["headers"])
    assert headers["X-KulturaGo-Notification"] == sent.delivery_id
    assert headers["Content-Type"].startswith("multipart/mixed")
    assert got["text"].strip() == "Билет во вложении." and "cid:poster-1" in got["html"]
    inline, attached = got["attachments"]
    assert (inline["contentType"], inline["contentId"], inline["disposition"], inline["size"]) == (
        "image/png", "poster-1", "inline", len(PNG))
    assert (attached["filename"], attached["contentType"], attached["disposition"], attached["size"]) == (
        "ticket.pdf", "application/pdf", "attachment", len(pdf))
    with control(SMTP_SINK) as http:
        assert http.get(f"/messages/{got['id']}/attachments/{attached['index']}").content == pdf
        raw = http.get(f"/messages/{got['id']}/raw").content
    # The inline image is related to the HTML, not beside the alternatives.
    assert raw.index(b"multipart/alternative") < raw.index(b"multipart/related") < raw.index(b"image/png")


async def test_a_text_only_mail_is_a_single_part() -> None:
    to = address()
    await sender().send(mail(to, delivery_id=""))
    [got] = mailbox(to)
    assert dict(got["headers"])["Content-Type"].startswith("text/plain") and got["attachments"] == []
    assert "X-KulturaGo-Notification" not in dict(got["headers"]) and got["messageId"].endswith("@kulturago.ru>")


async def test_the_sink_requires_auth_and_auth_requires_tls() -> None:
    to = address()
    with pytest.raises(ProviderUnavailable, match="530"):  # MAIL without AUTH: our configuration, not this mail
        await sender(username="", password="").send(mail(to))
    with pytest.raises(ProviderUnavailable, match="AUTH refused"):
        await sender(password="wrong").send(mail(to))
    with pytest.raises(ProviderUnavailable, match="AUTH"):  # AUTH is offered only after STARTTLS
        await sender(starttls=False).send(mail(to))
    with pytest.raises(ProviderUnavailable):  # the dev certificate is not trusted by default
        await sender(ca_file="").send(mail(to))
    assert mailbox(to) == []


async def test_a_temporary_refusal_is_unavailable_and_the_next_attempt_is_delivered() -> None:
    to = address()
    inject_fault(SMTP_SINK, "RCPT", "reply", status=451, message="4.7.1 Greylisted, try again",
                 match={"to": to})
    with pytest.raises(ProviderUnavailable, match="451") as caught:
        await sender().send(mail(to))
    assert not isinstance(caught.value, Rejected) and mailbox(to) == []
    await sender().send(mail(to))
    assert len(mailbox(to)) == 1


async def test_a_closing_server_421_is_unavailable() -> None:
    to = address()
    inject_fault(SMTP_SINK, "DATA", "reply", status=421, message="4.3.2 Service shutting down", match={"to": to})
    with pytest.raises(ProviderUnavailable, match="421"):
        await sender().send(mail(to))
    assert mailbox(to) == []


@pytest.mark.parametrize(("method", "status"), [("RCPT", 550), ("DATA", 552)])
async def test_a_permanent_refusal_is_rejected(method: str, status: int) -> None:
    to = address()
    inject_fault(SMTP_SINK, method, "reply", status=status, message="5.1.1 No such mailbox", match={"to": to})
    with pytest.raises(Rejected, match=str(status)):
        await sender().send(mail(to))


async def test_a_stalled_server_times_out_and_a_dropped_connection_is_unavailable() -> None:
    to = address()
    inject_fault(SMTP_SINK, "RCPT", "stall", seconds=3, match={"to": to})
    with pytest.raises(ProviderUnavailable, match="Timeout"):
        await sender(timeout_seconds=1.0).send(mail(to))
    inject_fault(SMTP_SINK, "DATA", "disconnect", match={"to": to})
    with pytest.raises(ProviderUnavailable):
        await sender().send(mail(to))
    await asyncio.sleep(2.5)  # the stalled session ends at the sink (then it is dropped: its client is gone)
    assert mailbox(to) == []


@pytest.mark.parametrize("to", ["not an address", "anna@", "a@example.com, b@example.com",
                                "a@example.com\r\nBcc: all@example.com"])
async def test_a_malformed_address_is_rejected_before_anything_is_sent(to: str) -> None:
    with pytest.raises(Rejected, match="address"):
        await sender(port=1).send(mail(to))  # port 1: a connection attempt would be ProviderUnavailable


@pytest.mark.disruptive
async def test_while_the_server_is_down_mail_waits_then_goes() -> None:
    to = address()
    supervisor.stop("smtp-sandbox")
    try:
        with pytest.raises(ProviderUnavailable, match="SMTP"):
            await sender().send(mail(to))
    finally:
        supervisor.start("smtp-sandbox")
    await sender().send(mail(to))
    assert len(mailbox(to)) == 1


async def test_messages_can_be_deleted_by_recipient() -> None:
    to = address()
    await sender().send(mail(to))
    async with httpx.AsyncClient(base_url=SMTP_SINK) as http:
        assert (await http.delete("/messages", params={"to": to})).json() == {"deleted": 1}
        assert (await http.get("/messages/999999999")).status_code == 404
    assert mailbox(to) == []
