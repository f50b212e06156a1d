"""A fixed lat/lon grid of map cells: the unit the nearby cache counts hits for and
loads into Redis.

Cells are 0.01° of latitude by 0.02° of longitude, about 1.1 x 1.2 km in Moscow and
1.1 x 1.1 km in Saint Petersburg, so a 1 km circle touches 4 to 9 of them. A POI
belongs to cell (floor(lat / 0.01), floor(lon / 0.02)); the database computes the
same floor of the same doubles, so both sides agree on the borders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from services.geo.domain.geodesy import EARTH_RADIUS_M, haversine_m, lon_half_width_deg

LAT_STEP: Final = 0.01
LON_STEP: Final = 0.02
# Cells are cacheable only away from the poles and the antimeridian (Redis GEO covers
# |lat| <= 85.05, and a circle crossing lon ±180 would need wrapped cells).
MAX_ABS_LAT: Final = 80.0


@dataclass(frozen=True, slots=True, order=True)
class Cell:
    i: int  # floor(lat / LAT_STEP)
    j: int  # floor(lon / LON_STEP)

    @property
    def key(self) -> str:
        return f"{self.i}:{self.j}"

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(lat_min, lat_max, lon_min, lon_max); a cell holds lat_min <= lat < lat_max."""
        return self.i * LAT_STEP, (self.i + 1) * LAT_STEP, self.j * LON_STEP, (self.j + 1) * LON_STEP

    @property
    def center(self) -> tuple[float, float]:
        lat_min, lat_max, lon_min, lon_max = self.bounds
        return (lat_min + lat_max) / 2, (lon_min + lon_max) / 2

    def area_m2(self) -> float:
        lat_min, lat_max, _, _ = self.bounds
        band = math.sin(math.radians(lat_max)) - math.sin(math.radians(lat_min))
        return EARTH_RADIUS_M**2 * math.radians(LON_STEP) * band

    def circumradius_m(self) -> float:
        """Distance from the centre to the farthest corner (the one nearer the equator,
        where a longitude degree is longest)."""
        lat, lon = self.center
        lat_min, lat_max, lon_min, _ = self.bounds
        return max(haversine_m(lat, lon, corner, lon_min) for corner in (lat_min, lat_max))

    def min_distance_m(self, lat: float, lon: float) -> float:
        """A lower bound of the distance from a point to any point of the cell.

        Clamping to the cell's lat/lon box finds the nearest point up to the slight
        bulge of a parallel towards the pole (below 1e-5 relative for cells this small);
        shaving 0.1% and a metre keeps the value a true lower bound.
        """
        lat_min, lat_max, lon_min, lon_max = self.bounds
        near_lat = min(max(lat, lat_min), lat_max)
        near_lon = min(max(lon, lon_min), lon_max)
        if near_lat == lat and near_lon == lon:
            return 0.0
        return max(0.0, haversine_m(lat, lon, near_lat, near_lon) * 0.999 - 1.0)


def cell_of(lat: float, lon: float) -> Cell:
    return Cell(math.floor(lat / LAT_STEP), math.floor(lon / LON_STEP))


def cells_for_circle(lat: float, lon: float, radius_m: float) -> list[Cell] | None:
    """Every cell a circle can touch, the centre's cell first, then by distance.
    None where the grid is not used (near a pole or across the antimeridian)."""
    dlon = lon_half_width_deg(lat, radius_m)
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    if dlon is None or abs(lat) + dlat > MAX_ABS_LAT or abs(lon) + dlon >= 180.0:
        return None
    # A hair of margin so float rounding at a border never drops a cell.
    dlat, dlon = dlat * 1.001 + 1e-9, dlon * 1.001 + 1e-9
    lo, hi = cell_of(lat - dlat, lon - dlon), cell_of(lat + dlat, lon + dlon)
    center = cell_of(lat, lon)
    candidates = (Cell(i, j) for i in range(lo.i, hi.i + 1) for j in range(lo.j, hi.j + 1))
    ranked = sorted((cell.min_distance_m(lat, lon), cell != center, cell) for cell in candidates)
    return [cell for distance, _, cell in ranked if distance <= radius_m]
