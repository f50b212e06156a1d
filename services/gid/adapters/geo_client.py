"""geo-service over gRPC: walking distance and time between two stops (GetEta, mode
walk), with a deadline on every call. geo-service answers with pgRouting where its road
graph covers both ends, else with its geodesic estimate; when it cannot answer at all,
publishing the tour fails with 503 (nothing is stored) and can be repeated."""

from __future__ import annotations

import grpc

from kulturago.geo.v1 import geo_service_pb2 as geo
from kulturago.geo.v1 import geo_service_pb2_grpc as geo_grpc
from services.gid.domain.model import LatLng, Leg
from services.runtime.errors import Unavailable


class GrpcRouteMeter:
    def __init__(self, address: str, timeout_seconds: float) -> None:
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = geo_grpc.GeoServiceStub(self._channel)
        self._timeout = timeout_seconds

    async def close(self) -> None:
        await self._channel.close()

    async def walk(self, origin: LatLng, destination: LatLng) -> Leg:
        request = geo.GetEtaRequest(to=f"{destination.lat:.6f},{destination.lon:.6f}", mode="walk")
        setattr(request, "from", f"{origin.lat:.6f},{origin.lon:.6f}")  # `from` is a Python keyword
        try:
            reply = await self._stub.GetEta(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            raise Unavailable(f"geo-service cannot measure the route ({error.code().name}: {error.details()})",
                              "GEO_UNAVAILABLE") from error
        return Leg(reply.distance, reply.seconds, reply.method)
