"""gRPC servicer of EventService: protobuf <-> use cases."""

from __future__ import annotations

from dataclasses import replace

import grpc

from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc
from services.event.adapters.proto_mapping import from_proto, to_proto
from services.event.domain.listing import ListFilters
from services.event.domain.model import DEFAULT_PAGE_SIZE, Event, GeoFilter, Page
from services.event.service_layer.catalog import Catalog
from services.runtime.rpc.access import optional_principal

LIST_SESSIONS = 3


def _list_item(event: Event) -> pb.Event:
    # List items carry the next few sessions and no description (the card has all):
    # a page stays a few kilobytes however long an exhibition runs.
    return to_proto(replace(event, description="",
                            sessions=tuple(replace(s, seats=()) for s in event.sessions[:LIST_SESSIONS])))


def _render_page(page: Page, token: str) -> bytes:
    return pb.ListEventsResponse(events=[_list_item(e) for e in page.events], next_page_token=token,
                                 total_size=page.total).SerializeToString()


def _render_card(event: Event) -> bytes:
    return to_proto(event).SerializeToString()


class EventServicer(pb_grpc.EventServiceServicer):
    def __init__(self, catalog: Catalog, default_radius: float) -> None:
        self._catalog = catalog
        self._default_radius = default_radius

    def _filters(self, r: pb.ListEventsRequest) -> ListFilters:
        geo = None
        if r.HasField("lat"):
            geo = GeoFilter(r.lat, r.lon, r.radius if r.HasField("radius") else self._default_radius)
        return ListFilters(
            when=r.when, date_from=r.date_from, date_to=r.date_to, categories=tuple(r.category),
            is_free=r.is_free if r.HasField("is_free") else None,
            kids=r.kids if r.HasField("kids") else None, city=r.city or None, geo=geo,
            page_size=r.page_size or DEFAULT_PAGE_SIZE,
        )

    # Both return serialized messages (see PreserializedServer in bootstrap).
    async def ListEvents(self, request: pb.ListEventsRequest, context: grpc.aio.ServicerContext) -> bytes:
        return await self._catalog.list_page(request.SerializeToString(deterministic=True),
                                             lambda: self._filters(request), request.page_token, _render_page)

    async def GetEvent(self, request: pb.GetEventRequest, context: grpc.aio.ServicerContext) -> bytes:
        viewer = optional_principal()  # a card opened with a valid token counts as a view
        return await self._catalog.get(request.slug, _render_card, viewer.user_id if viewer else None)

    async def PublishEvent(self, request: pb.PublishEventRequest, context: grpc.aio.ServicerContext) -> pb.Event:
        return to_proto(await self._catalog.publish(from_proto(request.event)))
