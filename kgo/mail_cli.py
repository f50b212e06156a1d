"""`kgo mail ls|show`: the development mailbox, i.e. what the SMTP sink (sandboxes/smtp)
accepted from our services, read through its HTTP API."""

from __future__ import annotations

import sys
import time
from typing import Any

import httpx

from kgo import topology


def _sink() -> httpx.Client:
    return httpx.Client(base_url=topology.sandbox("smtp").url, timeout=10)


def _get(path: str, **params: str) -> httpx.Response | None:
    """The sink's answer, or None (having said why) when it cannot be asked."""
    try:
        with _sink() as http:
            return http.get(path, params=params)
    except httpx.HTTPError as exc:
        print(f"kgo: the SMTP sink does not answer at {topology.sandbox('smtp').url} ({type(exc).__name__}); "
              "is the platform up? (kgo status)", file=sys.stderr)
        return None


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def ls(to: str | None = None, limit: int = 50) -> int:
    reply = _get("/messages", **({"to": to} if to else {}), limit=str(limit))
    if reply is None:
        return 1
    messages: list[dict[str, Any]] = reply.raise_for_status().json()["messages"]
    if not messages:
        print("no messages" + (f" to {to}" if to else ""))
        return 0
    print(f"{'ID':>6}  {'RECEIVED':<19}  {'FROM':<28}  {'TO':<32}  SUBJECT")
    for m in messages:
        print(f"{m['id']:>6}  {_when(m['received'])}  {_clip(m['from'], 28):<28}  "
              f"{_clip(', '.join(m['to']), 32):<32}  {m['subject']}")
    return 0


def show(message_id: str, *, html: bool = False, raw: bool = False) -> int:
    reply = _get(f"/messages/{message_id}/raw" if raw else f"/messages/{message_id}")
    if reply is None:
        return 1
    if reply.status_code == 404:
        print(f"kgo: no message {message_id} (kgo mail ls lists them)", file=sys.stderr)
        return 1
    reply.raise_for_status()
    if raw:
        sys.stdout.write(reply.content.decode("utf-8", "replace"))
        return 0
    m: dict[str, Any] = reply.json()
    envelope = m["envelope"]
    print(f"Message {m['id']}: received {_when(m['received'])}, {m['size']} bytes, "
          f"{'TLS' if envelope['tls'] else 'no TLS'}, "
          f"{'AUTH ' + envelope['authUser'] if envelope['authUser'] else 'no AUTH'}")
    print(f"Envelope: {envelope['from']} -> {', '.join(envelope['to'])}")
    shown = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "X-KulturaGo-Notification")
    for name, value in m["headers"]:
        if name in shown:
            print(f"{name}: {value}")
    print()
    if html and m["html"] is not None:
        print(m["html"].rstrip())
    else:
        print((m["text"] or "(no text part)").rstrip())
        if m["html"] is not None:
            print(f"\n-- an HTML part of {len(m['html'])} characters: kgo mail show {m['id']} --html")
    if m["attachments"]:
        print("\nAttachments:")
        for a in m["attachments"]:
            cid = f" cid:{a['contentId']}" if a["contentId"] else ""
            print(f"  [{a['index']}] {a['filename'] or '(no name)'}  {a['contentType']}  {a['size']} B  "
                  f"{a['disposition']}{cid}")
    return 0
