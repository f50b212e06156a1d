"""What notification-service consumes: auth's user events (contacts; an avatar change is
told to its owner) and the events that become notifications (tickets, payments, badges,
campaigns). Each event is translated into a NotifyCommand keyed by its ce_id, handled in
the inbox consumer's transaction (the notification commits with the inbox row)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from kulturago.auth.v1 import events_pb2 as auth_events
from kulturago.gamification.v1 import events_pb2 as gamification_events
from kulturago.marketing.v1 import events_pb2 as marketing_events
from kulturago.payment.v1 import events_pb2 as payment_events
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.notification.domain.catalog import CHANNELS
from services.notification.domain.model import QrCode, Recipient, SourceEvent
from services.notification.service_layer.notifying import Notifier, NotifyCommand
from services.notification.service_layer.ports import UnitOfWork
from services.notification.service_layer.user_settings import remember_contact
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent
from services.runtime.messaging.decoding import decode_event
from services.runtime.timestamps import from_timestamp

CONSUMER = "notification-events"
TOPICS = ("user.signed_up", "user.updated", "ticket.paid", "ticket.expired", "ticket.refunded", "payment.failed",
          "badge.earned", "campaign.trigger")
BOTH = frozenset(CHANNELS)


def _command(event: ReceivedEvent, template_id: str, user_ids: list[str], params: dict[str, Any], *,
             channels: frozenset[str] = BOTH, data: dict[str, str] | None = None,
             qr_codes: tuple[QrCode, ...] = (),
             params_by_locale: Mapping[str, Mapping[str, Any]] | None = None) -> NotifyCommand:
    if not any(user_ids):
        raise PoisonMessage(f"{event.topic} names no user")
    return NotifyCommand(
        source_key=f"event:{event.ce_id}", template_id=template_id,
        recipients=tuple(Recipient(user_id=u) for u in user_ids if u), channels=channels, params=params,
        params_by_locale=params_by_locale or {}, data=data or {}, qr_codes=qr_codes,
        source_event=SourceEvent(CONSUMER, event.topic, event.key, event.payload, dict(event.headers)),
        occurred_at=_occurred_at(event))


def _occurred_at(event: ReceivedEvent) -> datetime | None:
    try:
        return datetime.fromisoformat(event.headers.get("ce_time", "").replace("Z", "+00:00"))
    except ValueError:
        return None


def _order(summary: ticket_events.OrderSummary) -> dict[str, Any]:
    return {"event_title": summary.event_title, "session_start": from_timestamp(summary.session_start_time),
            "order_id": summary.order_id, "amount": summary.amount, "currency": summary.currency or "RUB"}


def ticket_paid(event: ReceivedEvent) -> NotifyCommand:
    paid = decode_event(ticket_events.TicketPaid, event)
    order = paid.order
    tickets = [{"tier_name": t.tier_name, "seat": t.seat, "qr_cid": f"ticket-{t.ticket_id}"} for t in order.tickets]
    qr_codes = tuple(QrCode(t.secret, f"ticket-{n}.png", f"ticket-{t.ticket_id}")
                     for n, t in enumerate(order.tickets, 1) if t.secret)
    return _command(event, "ticket_paid", [order.user_id], {**_order(order), "tickets": tickets, "late": paid.late},
                    data={"orderId": order.order_id, "eventSlug": order.event_slug}, qr_codes=qr_codes)


def ticket_expired(event: ReceivedEvent) -> NotifyCommand:
    expired = decode_event(ticket_events.TicketExpired, event)
    return _command(event, "ticket_expired", [expired.order.user_id], _order(expired.order),
                    data={"orderId": expired.order.order_id, "eventSlug": expired.order.event_slug})


def ticket_refunded(event: ReceivedEvent) -> NotifyCommand:
    refund = decode_event(ticket_events.TicketRefunded, event)
    params = {**_order(refund.order), "amount": refund.amount, "full": refund.full}
    return _command(event, "ticket_refunded", [refund.order.user_id], params,
                    data={"orderId": refund.order.order_id, "eventSlug": refund.order.event_slug})


def payment_failed(event: ReceivedEvent) -> NotifyCommand:
    failed = decode_event(payment_events.PaymentFailed, event)
    params = {"amount": failed.amount, "currency": failed.currency or "RUB", "reason": failed.reason,
              "order_id": failed.order_id}
    return _command(event, "payment_failed", [failed.account_id], params, data={"orderId": failed.order_id})


def avatar_changed(event: ReceivedEvent, updated: auth_events.UserUpdated) -> NotifyCommand:
    return _command(event, "avatar_changed", [updated.user_id], {}, data={"screen": "profile"})


def badge_earned(event: ReceivedEvent) -> NotifyCommand:
    badge = decode_event(gamification_events.BadgeEarned, event)
    # The reader's language's name, else the Russian one (or any).
    names = dict(badge.names)
    params = {"badge_name": names.get("ru") or next(iter(names.values()), badge.badge_id), "level": badge.level,
              "xp": badge.xp}
    return _command(event, "badge_earned", [badge.user_id], params, data={"badgeId": badge.badge_id},
                    params_by_locale={locale: {"badge_name": name} for locale, name in names.items() if name})


def campaign(event: ReceivedEvent) -> NotifyCommand:
    trigger = decode_event(marketing_events.CampaignTrigger, event)
    if not trigger.user_ids:
        raise PoisonMessage("campaign.trigger names no users")
    channels = frozenset(c for c in trigger.channels if c in CHANNELS) or BOTH
    messages = {locale: {"title": m.title, "body": m.body} for locale, m in trigger.messages.items() if m.title}
    fallback = messages.get("ru") or next(iter(messages.values()), None)
    if fallback is None:
        raise PoisonMessage("campaign.trigger has no message")
    return _command(event, "campaign", list(trigger.user_ids), {**fallback, "deep_link": trigger.deep_link},
                    channels=channels, data={"campaignId": trigger.campaign_id, "deepLink": trigger.deep_link},
                    params_by_locale=messages)


TRANSLATIONS: dict[str, Callable[[ReceivedEvent], NotifyCommand]] = {
    "ticket.paid": ticket_paid, "ticket.expired": ticket_expired, "ticket.refunded": ticket_refunded,
    "payment.failed": payment_failed, "badge.earned": badge_earned, "campaign.trigger": campaign,
}


def handler(notifier: Notifier, on_connection: Callable[[AsyncConnection[Any]], UnitOfWork]) -> Any:
    async def handle(event: ReceivedEvent, conn: AsyncConnection[Any]) -> None:
        uow = on_connection(conn)
        if event.topic == "user.signed_up":
            signed_up = decode_event(auth_events.UserSignedUp, event)
            await remember_contact(uow, signed_up.user_id, signed_up.email, signed_up.login, signed_up.full_name,
                                   from_timestamp(signed_up.create_time) if signed_up.HasField("create_time")
                                   else None)
            return
        if event.topic == "user.updated":
            updated = decode_event(auth_events.UserUpdated, event)
            await remember_contact(uow, updated.user_id, updated.email, updated.login, updated.full_name,
                                   from_timestamp(updated.update_time) if updated.HasField("update_time") else None)
            if "avatar" in updated.changed_fields:
                await notifier.notify(avatar_changed(event, updated), uow)
            return
        translate = TRANSLATIONS.get(event.topic)
        if translate is None:
            raise PoisonMessage(f"notification-service does not handle {event.topic}")
        await notifier.notify(translate(event), uow)

    return handle
