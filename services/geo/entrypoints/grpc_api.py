"""gRPC servicer: protobuf <-> use cases, nothing else."""

from __future__ import annotations

import grpc

from kulturago.geo.v1 import geo_service_pb2 as pb
from kulturago.geo.v1 import geo_service_pb2_grpc as pb_grpc
from services.geo.domain.model import NearbyPoi, NearbyQuery
from services.geo.service_layer.eta import Travel
from services.geo.service_layer.nearby import Nearby


def _nearby_response(found: list[NearbyPoi]) -> pb.ListNearbyResponse:
    reply = pb.ListNearbyResponse()
    add = reply.pois.add  # in place: ListNearbyResponse(pois=[...]) would copy every Poi
    for p, distance in found:
        # PostGIS and the cache compute the same sphere distance by different formulas
        # (equal to ~1e-9 m); millimetres make their answers identical byte for byte.
        add(id=p.id, name=p.name, category=p.category, city=p.city, address=p.address, lat=p.lat, lon=p.lon,
            distance=round(distance, 3))
    return reply


class GeoServicer(pb_grpc.GeoServiceServicer):
    def __init__(self, nearby: Nearby, travel: Travel) -> None:
        self._nearby = nearby
        self._travel = travel

    async def ListNearby(self, request: pb.ListNearbyRequest,
                         context: grpc.aio.ServicerContext) -> pb.ListNearbyResponse:
        query = NearbyQuery.of(request.lat, request.lon, request.radius, request.category, request.limit)
        return _nearby_response(await self._nearby(query))

    async def GetEta(self, request: pb.GetEtaRequest, context: grpc.aio.ServicerContext) -> pb.GetEtaResponse:
        eta = await self._travel.eta(getattr(request, "from"), request.to, request.mode)
        return pb.GetEtaResponse(distance=eta.distance, seconds=eta.seconds, mode=eta.mode, method=eta.method)
