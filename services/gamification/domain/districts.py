"""Which district of Moscow or Saint Petersburg a point lies in (the "district explorer"
badge). The polygons are shipped with the service (data/districts.geojson: approximate,
see data/build_districts.py) and searched with a shapely STRtree; pure, no I/O after load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shapely import Point, STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

DISTRICTS_FILE = Path(__file__).parent.parent / "data" / "districts.geojson"


@dataclass(frozen=True, slots=True)
class District:
    city: str
    id: str
    names: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.city}:{self.id}"


class DistrictMap:
    def __init__(self, districts: list[tuple[District, BaseGeometry]]) -> None:
        self._districts = [d for d, _ in districts]
        self._tree = STRtree([g for _, g in districts])

    @classmethod
    def load(cls, path: Path = DISTRICTS_FILE) -> DistrictMap:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([(District(f["properties"]["city"], f["properties"]["id"], dict(f["properties"]["names"])),
                     shape(f["geometry"])) for f in data["features"]])

    def locate(self, lat: float, lon: float) -> District | None:
        """The district containing the point, or None outside every polygon."""
        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        return self._districts[int(min(hits))] if len(hits) else None

    def cities(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self._districts:
            counts[d.city] = counts.get(d.city, 0) + 1
        return counts
