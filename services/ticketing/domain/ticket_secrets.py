"""What a ticket's QR code says, before and after signing: `<kid>.<payload>.<signature>`
with the payload `kgo1|<ticket>|<order>|<event slug>|<session>` (base64url, no padding)
and an Ed25519 signature over the payload bytes. A door scanner with the public key
(ListTicketKeys) checks it offline; check-in asks the server whether it was used."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from services.runtime.errors import InvalidArgument

VERSION = "kgo1"


@dataclass(frozen=True, slots=True)
class TicketClaim:
    ticket_id: str
    order_id: str
    event_slug: str
    session_id: str

    def payload(self) -> bytes:
        return "|".join((VERSION, self.ticket_id, self.order_id, self.event_slug, self.session_id)).encode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bad_secret(why: str) -> InvalidArgument:
    return InvalidArgument.on_field("secret", why, "TICKET_SECRET_INVALID")


def split(secret: str) -> tuple[str, bytes, bytes]:
    """(kid, payload, signature) of a secret, or InvalidArgument."""
    parts = secret.strip().split(".")
    if len(parts) != 3:
        raise bad_secret("not a ticket secret")
    try:
        return parts[0], unb64(parts[1]), unb64(parts[2])
    except ValueError:
        raise bad_secret("not a ticket secret") from None


def parse_payload(payload: bytes) -> TicketClaim:
    try:
        version, ticket, order, slug, session = payload.decode().split("|")
    except ValueError:
        raise bad_secret("not a ticket secret") from None
    if version != VERSION:
        raise bad_secret("unknown ticket secret version")
    return TicketClaim(ticket, order, slug, session)
