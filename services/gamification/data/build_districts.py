"""Builds districts.geojson: APPROXIMATE district polygons of Moscow (administrative okrugs)
and Saint Petersburg (administrative districts), for the "district explorer" badge.

Not surveyed boundaries: each district is the union of the Voronoi cells of a few seed
points placed (from general knowledge of the map) inside it, clipped to a rough outline of
the city. Borders are right to within a kilometre or two, which is what a badge needs
(whether someone visited the centre, the north, the south-east...). Nothing is downloaded
at run time; rerun `python -m services.gamification.data.build_districts` after editing seeds.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from shapely import MultiPoint, Point, Polygon, unary_union, voronoi_polygons
from shapely.affinity import scale
from shapely.geometry import mapping

OUT = Path(__file__).with_name("districts.geojson")

# city -> district id -> (names, seeds (lat, lon))
SEEDS: dict[str, dict[str, tuple[dict[str, str], list[tuple[float, float]]]]] = {
    "moscow": {
        "cao": ({"ru": "Центральный АО", "en": "Central"},
                [(55.7558, 37.6173), (55.770, 37.600), (55.740, 37.600), (55.745, 37.645), (55.765, 37.640),
                 (55.735, 37.625), (55.775, 37.625), (55.750, 37.580)]),
        "sao": ({"ru": "Северный АО", "en": "Northern"},
                [(55.835, 37.500), (55.865, 37.540), (55.810, 37.550), (55.880, 37.480), (55.850, 37.580)]),
        "svao": ({"ru": "Северо-Восточный АО", "en": "North-Eastern"},
                 [(55.830, 37.630), (55.870, 37.650), (55.900, 37.600), (55.860, 37.700), (55.810, 37.640)]),
        "vao": ({"ru": "Восточный АО", "en": "Eastern"},
                [(55.790, 37.700), (55.800, 37.780), (55.760, 37.800), (55.750, 37.850), (55.820, 37.820)]),
        "yuvao": ({"ru": "Юго-Восточный АО", "en": "South-Eastern"},
                  [(55.720, 37.720), (55.690, 37.770), (55.700, 37.690), (55.660, 37.750), (55.740, 37.700)]),
        "yuao": ({"ru": "Южный АО", "en": "Southern"},
                 [(55.670, 37.660), (55.620, 37.680), (55.640, 37.610), (55.700, 37.630), (55.590, 37.720)]),
        "yuzao": ({"ru": "Юго-Западный АО", "en": "South-Western"},
                  [(55.680, 37.550), (55.640, 37.530), (55.600, 37.530), (55.700, 37.570), (55.625, 37.510)]),
        "zao": ({"ru": "Западный АО", "en": "Western"},
                [(55.730, 37.500), (55.710, 37.430), (55.660, 37.420), (55.750, 37.450), (55.690, 37.470),
                 (55.665, 37.475)]),
        "szao": ({"ru": "Северо-Западный АО", "en": "North-Western"},
                 [(55.800, 37.450), (55.830, 37.430), (55.850, 37.400), (55.780, 37.480), (55.820, 37.470)]),
    },
    "spb": {
        "tsentralny": ({"ru": "Центральный район", "en": "Tsentralny"},
                       [(59.940, 30.318), (59.935, 30.360), (59.945, 30.360), (59.925, 30.370)]),
        "admiralteysky": ({"ru": "Адмиралтейский район", "en": "Admiralteysky"},
                          [(59.928, 30.300), (59.915, 30.290), (59.912, 30.315)]),
        "vasileostrovsky": ({"ru": "Василеостровский район", "en": "Vasileostrovsky"},
                            [(59.940, 30.270), (59.945, 30.240), (59.950, 30.220)]),
        "petrogradsky": ({"ru": "Петроградский район", "en": "Petrogradsky"},
                         [(59.960, 30.300), (59.965, 30.270), (59.970, 30.310)]),
        "primorsky": ({"ru": "Приморский район", "en": "Primorsky"},
                      [(60.000, 30.250), (60.020, 30.220), (59.990, 30.290), (60.050, 30.200)]),
        "vyborgsky": ({"ru": "Выборгский район", "en": "Vyborgsky"},
                      [(60.010, 30.320), (60.050, 30.350), (60.080, 30.330)]),
        "kalininsky": ({"ru": "Калининский район", "en": "Kalininsky"},
                       [(59.960, 30.360), (60.000, 30.390), (60.020, 30.400)]),
        "krasnogvardeysky": ({"ru": "Красногвардейский район", "en": "Krasnogvardeysky"},
                             [(59.970, 30.430), (59.950, 30.450), (60.000, 30.450)]),
        "nevsky": ({"ru": "Невский район", "en": "Nevsky"},
                   [(59.900, 30.460), (59.870, 30.480), (59.920, 30.420), (59.850, 30.500)]),
        "frunzensky": ({"ru": "Фрунзенский район", "en": "Frunzensky"},
                       [(59.870, 30.380), (59.850, 30.400), (59.890, 30.370)]),
        "moskovsky": ({"ru": "Московский район", "en": "Moskovsky"},
                      [(59.860, 30.320), (59.890, 30.320), (59.830, 30.320)]),
        "kirovsky": ({"ru": "Кировский район", "en": "Kirovsky"},
                     [(59.880, 30.260), (59.860, 30.240), (59.900, 30.270)]),
        "krasnoselsky": ({"ru": "Красносельский район", "en": "Krasnoselsky"},
                         [(59.830, 30.150), (59.840, 30.100), (59.750, 30.080)]),
        "kolpinsky": ({"ru": "Колпинский район", "en": "Kolpinsky"}, [(59.750, 30.600)]),
        "pushkinsky": ({"ru": "Пушкинский район", "en": "Pushkinsky"}, [(59.720, 30.400)]),
        "petrodvortsovy": ({"ru": "Петродворцовый район", "en": "Petrodvortsovy"}, [(59.880, 29.900)]),
        "kurortny": ({"ru": "Курортный район", "en": "Kurortny"}, [(60.150, 29.950)]),
        "kronshtadtsky": ({"ru": "Кронштадтский район", "en": "Kronshtadtsky"}, [(60.000, 29.770)]),
    },
}


def _moscow_outline() -> Polygon:
    # Roughly the MKAD ring: an ellipse ~17 km around the Kremlin, a bit longer north-south.
    lat0, lon0 = 55.7558, 37.6173
    return Polygon([(lon0 + 0.285 * math.cos(a), lat0 + 0.160 * math.sin(a))
                    for a in (2 * math.pi * i / 72 for i in range(72))])


def _spb_outline() -> Polygon:
    # The city with its suburbs (Kronstadt, Peterhof, Pushkin, Kolpino, the resort coast), coarsely.
    return Polygon([(29.65, 59.80), (29.65, 60.25), (30.10, 60.25), (30.55, 60.10), (30.75, 59.85),
                    (30.75, 59.65), (30.20, 59.65), (29.65, 59.80)])


OUTLINES = {"moscow": _moscow_outline, "spb": _spb_outline}


def build() -> dict[str, object]:
    features = []
    for city, districts in SEEDS.items():
        outline = OUTLINES[city]()
        # Voronoi in a locally metric plane (a longitude degree is cos(lat) of a latitude one).
        k = math.cos(math.radians(outline.centroid.y))
        owners = [(district, Point(lon * k, lat)) for district, (_, seeds) in districts.items() for lat, lon in seeds]
        cells = voronoi_polygons(MultiPoint([p for _, p in owners]),
                                 extend_to=scale(outline, xfact=k * 2, yfact=2, origin=(0, 0)))
        by_district: dict[str, list[Polygon]] = {}
        for cell in cells.geoms:
            owner = next(d for d, p in owners if cell.contains(p))
            by_district.setdefault(owner, []).append(scale(cell, xfact=1 / k, yfact=1, origin=(0, 0)))
        for district, (names, _) in districts.items():
            shape = unary_union(by_district[district]).intersection(outline).simplify(0.0005)
            geometry = json.loads(json.dumps(mapping(shape)), parse_float=lambda v: round(float(v), 4))
            features.append({"type": "Feature", "properties": {"city": city, "id": district, "names": names},
                             "geometry": geometry})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"note": "approximate boundaries (Voronoi of seed points), see build_districts.py"}}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(OUT)
