"""ticket.* events (protobuf, events.proto) for the transactional outbox; key: order id."""

from __future__ import annotations

from google.protobuf.message import Message

from kulturago.ticketing.v1 import events_pb2 as ev
from services.runtime.timestamps import optional_timestamp, to_timestamp
from services.ticketing.domain.events import (
    TicketCancelled,
    TicketEvent,
    TicketExpired,
    TicketPaid,
    TicketRefunded,
    TicketReserved,
)
from services.ticketing.domain.model import Order

SOURCE = "//ticketing.kulturago/ticketing-service"


def summary(order: Order, *, with_secrets: bool = False) -> ev.OrderSummary:
    """`with_secrets`: the tickets' signed secrets too (ticket.paid only: notification-service
    mails the tickets; the other topics never carry what admits a bearer)."""
    s = order.session
    return ev.OrderSummary(
        order_id=order.id, user_id=order.user_id, event_slug=s.event_slug, event_title=s.event_title,
        session_id=s.session_id, session_start_time=to_timestamp(s.start), amount=order.amount,
        currency=order.currency,
        tickets=[ev.TicketLine(ticket_id=t.id, tier_id=t.tier_id, tier_name=t.tier_name, price=t.price, seat=t.seat,
                               secret=t.secret if with_secrets else "")
                 for t in order.tickets])


def outbox_message(event: TicketEvent) -> tuple[str, str, Message]:
    order = event.order
    message: Message
    match event:
        case TicketReserved():
            topic, message = "ticket.reserved", ev.TicketReserved(
                order=summary(order), hold_expire_time=to_timestamp(order.hold_expire_time))
        case TicketPaid():
            topic, message = "ticket.paid", ev.TicketPaid(
                order=summary(order, with_secrets=True), payment_id=order.payment_id,
                paid_time=optional_timestamp(order.paid_time),
                late=event.late)
        case TicketCancelled():
            topic, message = "ticket.cancelled", ev.TicketCancelled(order=summary(order), reason=event.reason)
        case TicketExpired():
            topic, message = "ticket.expired", ev.TicketExpired(
                order=summary(order), hold_expire_time=to_timestamp(order.hold_expire_time))
        case TicketRefunded():
            topic, message = "ticket.refunded", ev.TicketRefunded(
                order=summary(order), amount=event.amount, refunded_amount=order.refunded_amount, full=event.full,
                reason=event.reason)
    return topic, order.id, message
