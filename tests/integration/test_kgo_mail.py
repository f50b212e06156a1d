"""`kgo mail ls|show` (kgo/mail_cli.py): the development mailbox read from the SMTP sink."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels_support import address, service_env

from kgo.cli import main
from services.notification.adapters.smtp import SmtpMailSender
from services.notification.service_layer.channels import Attachment, OutgoingMail


def kgo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def send(to: str, delivery_id: str) -> None:
    env = service_env("smtp")
    sender = SmtpMailSender(host=env["KGO_SMTP_HOST"], port=int(env["KGO_SMTP_PORT"]),
                            sender="KulturaGo <no-reply@kulturago.ru>", username=env["KGO_SMTP_USERNAME"],
                            password=env["KGO_SMTP_PASSWORD"], ca_file=env["KGO_SMTP_CA_FILE"])
    asyncio.run(sender.send(OutgoingMail(
        to=to, subject="Напоминание: «Щелкунчик» завтра", text="Начало в 19:00.", html="<p>Начало в <b>19:00</b></p>",
        attachments=(Attachment("ticket.pdf", "application/pdf", b"%PDF-1.4 ticket"),), delivery_id=delivery_id)))


def test_ls_lists_and_show_prints_headers_text_and_attachments(capsys: pytest.CaptureFixture[str]) -> None:
    to, delivery = address(), str(uuid.uuid4())
    send(to, delivery)
    capsys.readouterr()  # the sender's own log line

    code, out, _ = kgo(capsys, "mail", "ls", "--to", to)
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["ID", "RECEIVED", "FROM", "TO", "SUBJECT"]
    message_id = row.split()[0]
    assert to in row and "Напоминание: «Щелкунчик» завтра" in row and "no-reply@kulturago.ru" in row

    code, out, _ = kgo(capsys, "mail", "show", message_id)
    assert code == 0
    assert f"To: {to}" in out and "Subject: Напоминание: «Щелкунчик» завтра" in out
    assert f"X-KulturaGo-Notification: {delivery}" in out and "TLS, AUTH " in out
    assert "Начало в 19:00." in out and f"kgo mail show {message_id} --html" in out
    assert "ticket.pdf  application/pdf  15 B  attachment" in out

    assert "<b>19:00</b>" in kgo(capsys, "mail", "show", message_id, "--html")[1]
    assert f"Message-ID: <{delivery}@kulturago.ru>" in kgo(capsys, "mail", "show", message_id, "--raw")[1]


def test_unknown_ids_and_empty_mailboxes_are_said_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kgo(capsys, "mail", "show", "999999999")
    assert code == 1 and "no message 999999999" in err
    nobody = address()
    assert kgo(capsys, "mail", "ls", "--to", nobody) == (0, f"no messages to {nobody}\n", "")
