"""What notification-service can say: its templates, the kind each falls under (the
preference switch a user turns it off with), and its channels. The words themselves are
the contract's (`NotifyRequest.template_id`, `UpdatePreferencesRequest.kinds`,
`NotifyRequest.channels`); a unit test holds these tables to them."""

from __future__ import annotations

from typing import Literal

Channel = Literal["email", "push"]
CHANNELS: tuple[Channel, ...] = ("email", "push")

# template id -> kind
TEMPLATE_KINDS: dict[str, str] = {
    "ticket_paid": "tickets",
    "ticket_expired": "tickets",
    "ticket_refunded": "tickets",
    "payment_failed": "payments",
    "avatar_changed": "account",
    "badge_earned": "badges",
    "campaign": "campaigns",
    "message": "service",
}
KINDS: tuple[str, ...] = tuple(dict.fromkeys(TEMPLATE_KINDS.values()))

# Kinds a user receives only after switching them on: advertising needs the
# recipient's prior consent (Russian law on advertising, art. 18), so campaigns are opt-in.
OPT_IN_KINDS = frozenset({"campaigns"})

LOCALES = ("ru", "en")


def kind_of(template_id: str) -> str:
    return TEMPLATE_KINDS[template_id]
