"""Travel time: per-mode speeds, and the geodesic estimate used when no road graph
covers the trip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from services.geo.domain.geodesy import LatLon, distance_m
from services.runtime.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class ModeProfile:
    speed_mps: float  # door-to-door average, stops and lights included
    detour: float  # street distance / great-circle distance, typical for the mode in a city
    wait_s: float  # fixed time before moving at all (waiting for a bus or train)
    directed: bool  # follows one-way streets (walkers don't)


MODES: Final[dict[str, ModeProfile]] = {
    "walk": ModeProfile(speed_mps=4.8 / 3.6, detour=1.3, wait_s=0.0, directed=False),
    "car": ModeProfile(speed_mps=25.0 / 3.6, detour=1.4, wait_s=0.0, directed=True),
    "transit": ModeProfile(speed_mps=20.0 / 3.6, detour=1.35, wait_s=300.0, directed=False),
}
DEFAULT_MODE: Final = "walk"


@dataclass(frozen=True, slots=True)
class Eta:
    distance: float  # metres along the (estimated) route
    seconds: int
    mode: str
    method: str  # "pgrouting" | "geodesic"


def mode_named(name: str) -> str:
    mode = name or DEFAULT_MODE
    if mode not in MODES:
        raise InvalidArgument.on_field("mode", "one of " + ", ".join(MODES))
    return mode


def travel_seconds(metres: float, mode: str) -> int:
    """Time to cover `metres` in `mode`; no trip at all takes no time, not a bus wait."""
    if metres <= 0:
        return 0
    profile = MODES[mode]
    return round(metres / profile.speed_mps + profile.wait_s)


def geodesic_eta(origin: LatLon, destination: LatLon, mode: str) -> Eta:
    """Great-circle distance stretched by the mode's detour factor."""
    metres = distance_m(origin, destination) * MODES[mode].detour
    return Eta(metres, travel_seconds(metres, mode), mode, "geodesic")


def routed_eta(metres: float, mode: str) -> Eta:
    """A route length measured on the road graph (no detour factor: it is the route)."""
    return Eta(metres, travel_seconds(metres, mode), mode, "pgrouting")
