"""gRPC servicers of TourService and SpeechService: protobuf <-> use cases."""

from __future__ import annotations

import grpc

from kulturago.gid.v1 import gid_service_pb2 as pb
from kulturago.gid.v1 import gid_service_pb2_grpc as pb_grpc
from services.gid.adapters.proto_mapping import from_proto, speak_response, to_proto
from services.gid.domain.model import DEFAULT_NEAR_RADIUS_M, DEFAULT_PAGE_SIZE, ListQuery, Near
from services.gid.domain.speech import Utterance
from services.gid.service_layer.speech import Speech
from services.gid.service_layer.tours import TourCatalog


def list_query(r: pb.ListToursRequest) -> ListQuery:
    near = None
    if r.HasField("lat"):
        near = Near(r.lat, r.lon, r.radius if r.HasField("radius") else DEFAULT_NEAR_RADIUS_M)
    return ListQuery(city=r.city, language=r.language, near=near, page_size=r.page_size or DEFAULT_PAGE_SIZE)


class TourServicer(pb_grpc.TourServiceServicer):
    def __init__(self, catalog: TourCatalog) -> None:
        self._catalog = catalog

    async def ListTours(self, request: pb.ListToursRequest, context: grpc.aio.ServicerContext) -> pb.ListToursResponse:
        listed = await self._catalog.list(list_query(request), request.page_token)
        return pb.ListToursResponse(tours=[to_proto(t) for t in listed.page.tours],
                                    next_page_token=listed.next_page_token, total_size=listed.page.total)

    async def GetTour(self, request: pb.GetTourRequest, context: grpc.aio.ServicerContext) -> pb.Tour:
        return to_proto(await self._catalog.get(request.id))

    async def PublishTour(self, request: pb.PublishTourRequest, context: grpc.aio.ServicerContext) -> pb.Tour:
        return to_proto(await self._catalog.publish(from_proto(request.tour)))


class SpeechServicer(pb_grpc.SpeechServiceServicer):
    def __init__(self, speech: Speech) -> None:
        self._speech = speech

    async def Speak(self, request: pb.SpeakRequest, context: grpc.aio.ServicerContext) -> pb.SpeakResponse:
        spoken = await self._speech.speak(Utterance(request.text, request.language, request.voice))
        return speak_response(spoken.speech, cached=spoken.cached)
