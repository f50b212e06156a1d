"""Domain <-> protobuf for orders (the gRPC entrypoint)."""

from __future__ import annotations

from kulturago.ticketing.v1 import ticketing_service_pb2 as pb
from services.runtime.timestamps import optional_timestamp, to_timestamp
from services.ticketing.domain.model import Order, OrderStatus, Ticket, TicketStatus

_ORDER_STATUS = {
    OrderStatus.PENDING: pb.ORDER_STATUS_PENDING, OrderStatus.PAID: pb.ORDER_STATUS_PAID,
    OrderStatus.CANCELLED: pb.ORDER_STATUS_CANCELLED, OrderStatus.EXPIRED: pb.ORDER_STATUS_EXPIRED,
    OrderStatus.REFUNDED: pb.ORDER_STATUS_REFUNDED,
}
_TICKET_STATUS = {
    TicketStatus.HELD: pb.TICKET_STATUS_HELD, TicketStatus.VALID: pb.TICKET_STATUS_VALID,
    TicketStatus.USED: pb.TICKET_STATUS_USED, TicketStatus.VOID: pb.TICKET_STATUS_VOID,
}


def ticket_to_proto(t: Ticket, *, paid: bool) -> pb.Ticket:
    return pb.Ticket(id=t.id, tier_id=t.tier_id, tier_name=t.tier_name, price=t.price, seat=t.seat,
                     status=_TICKET_STATUS[t.status], secret=t.secret if paid else "",
                     checkin_time=optional_timestamp(t.checkin_time))


def order_to_proto(order: Order) -> pb.Order:
    s = order.session
    pending = order.status is OrderStatus.PENDING
    return pb.Order(
        id=order.id, status=_ORDER_STATUS[order.status], event_slug=s.event_slug, event_title=s.event_title,
        session_id=s.session_id, session_start_time=to_timestamp(s.start),
        hold_expire_time=to_timestamp(order.hold_expire_time), amount=order.amount, currency=order.currency,
        payment_url=order.payment_url if pending else "",
        tickets=[ticket_to_proto(t, paid=order.status is OrderStatus.PAID) for t in order.tickets],
        refunded_amount=order.refunded_amount, status_reason=order.status_reason,
        create_time=to_timestamp(order.create_time), update_time=to_timestamp(order.update_time),
        paid_time=optional_timestamp(order.paid_time))
