"""POIs from an OpenStreetMap extract (.osm, .osm.pbf, ...) read with pyosmium.

Tagged nodes become POIs at their location, closed ways (a park, a museum's building)
at their polygon's centroid, under id -way_id. Relations (multipolygon parks) are not
assembled. Objects without a name are skipped: an unnamed pin helps nobody.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from os import PathLike
from typing import Final

import osmium
import shapely
from shapely.geometry import LineString, Polygon

from services.geo.domain.model import city_at

# Our category for an OSM (key, value); the first match in this order wins.
CATEGORY_BY_TAG: Final[dict[tuple[str, str], str]] = {
    ("tourism", "museum"): "museum",
    ("tourism", "gallery"): "gallery",
    ("tourism", "viewpoint"): "viewpoint",
    ("amenity", "theatre"): "theatre",
    ("amenity", "cinema"): "cinema",
    ("amenity", "library"): "library",
    ("amenity", "concert_hall"): "concert_hall",
    ("amenity", "arts_centre"): "gallery",
    ("amenity", "cafe"): "cafe",
    ("amenity", "place_of_worship"): "church",
    ("historic", "monument"): "monument",
    ("historic", "memorial"): "monument",
    ("leisure", "park"): "park",
    ("shop", "books"): "bookstore",
}

# A row for poi_loader.copy_pois: id, name, category, city, address, lat, lon, tags (JSON).
PoiRow = tuple[int, str, str, str, str, float, float, str]


def category_of(tags: Mapping[str, str]) -> str | None:
    for (key, value), category in CATEGORY_BY_TAG.items():
        if tags.get(key) != value:
            continue
        # "church" is not a word for a mosque or a synagogue: those stay out rather than
        # being mislabelled (we have no category for them).
        if category == "church" and tags.get("religion", "christian") != "christian":
            continue
        return category
    return None


def address_of(tags: Mapping[str, str]) -> str:
    street, house = tags.get("addr:street", ""), tags.get("addr:housenumber", "")
    return f"{street}, {house}" if street and house else street or tags.get("addr:full", "")


def _centroid(way: osmium.osm.Way) -> tuple[float, float] | None:
    """(lat, lon) of a closed way's polygon centroid; None when nodes are missing
    from the extract (ways cut at its border)."""
    nodes = list(way.nodes)
    if len(nodes) < 4 or not all(n.location.valid() for n in nodes):
        return None
    coords = [(n.lon, n.lat) for n in nodes]
    shape = Polygon(coords)
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    if shape.is_empty or shape.area == 0:  # degenerate ring: the middle of its outline
        shape = LineString(coords)
    center = shape.centroid
    return center.y, center.x


def read_pois(path: str | PathLike[str]) -> Iterator[PoiRow]:
    """POI rows of an OSM file, streaming (the node location cache is what grows)."""
    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()  # ways need their nodes' coordinates
                 .with_filter(osmium.filter.TagFilter(*CATEGORY_BY_TAG)))
    for obj in processor:
        tags = {tag.k: tag.v for tag in obj.tags}
        category, name = category_of(tags), tags.get("name:ru") or tags.get("name")
        if category is None or not name:
            continue
        point: tuple[float, float] | None = None
        if isinstance(obj, osmium.osm.Node):
            poi_id, point = obj.id, (obj.location.lat, obj.location.lon)
        elif isinstance(obj, osmium.osm.Way) and obj.is_closed():
            poi_id, point = -obj.id, _centroid(obj)
        if point is None:
            continue
        lat, lon = point
        yield (poi_id, name, category, city_at(lat, lon), address_of(tags), lat, lon,
               json.dumps(tags, ensure_ascii=False))
