"""Use case: distance and travel time between two points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.geo.domain.eta import Eta, geodesic_eta, mode_named, routed_eta
from services.geo.domain.geodesy import LatLon, parse_lat_lon
from services.runtime.errors import InvalidArgument


class Router(Protocol):
    async def route_m(self, origin: LatLon, destination: LatLon, mode: str) -> float | None:
        """Metres along the road graph, or None when the graph does not cover the trip."""


def _point(text: str, field: str) -> LatLon:
    try:
        return parse_lat_lon(text)
    except ValueError as exc:
        raise InvalidArgument.on_field(field, str(exc)) from exc


@dataclass
class Travel:
    router: Router

    async def eta(self, origin: str, destination: str, mode: str) -> Eta:
        a, b = _point(origin, "from"), _point(destination, "to")
        mode = mode_named(mode)
        metres = await self.router.route_m(a, b, mode)
        return geodesic_eta(a, b, mode) if metres is None else routed_eta(metres, mode)
