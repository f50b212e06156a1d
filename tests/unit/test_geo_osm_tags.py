"""OSM tags -> our POI categories and addresses."""

from __future__ import annotations

import pytest

from services.geo.adapters.osm_loader import address_of, category_of
from services.geo.adapters.vocabulary import POI_CATEGORIES as CATEGORIES


@pytest.mark.parametrize("tags, category", [
    ({"tourism": "museum"}, "museum"),
    ({"tourism": "gallery"}, "gallery"),
    ({"amenity": "arts_centre"}, "gallery"),
    ({"tourism": "viewpoint"}, "viewpoint"),
    ({"amenity": "theatre"}, "theatre"),
    ({"amenity": "cinema"}, "cinema"),
    ({"amenity": "library"}, "library"),
    ({"amenity": "cafe"}, "cafe"),
    ({"amenity": "concert_hall"}, "concert_hall"),
    ({"leisure": "park"}, "park"),
    ({"historic": "monument"}, "monument"),
    ({"historic": "memorial"}, "monument"),
    ({"amenity": "place_of_worship"}, "church"),
    ({"amenity": "place_of_worship", "religion": "christian"}, "church"),
    ({"amenity": "place_of_worship", "religion": "muslim"}, None),
    ({"shop": "books"}, "bookstore"),
    ({"shop": "bakery"}, None),
    ({"amenity": "parking"}, None),
    ({}, None),
    # A museum in a historic building is a museum first.
    ({"historic": "monument", "tourism": "museum"}, "museum"),
])
def test_category_of(tags: dict[str, str], category: str | None) -> None:
    assert category_of(tags) == category
    assert category is None or category in CATEGORIES


def test_address_of() -> None:
    assert address_of({"addr:street": "Тверская улица", "addr:housenumber": "12"}) == "Тверская улица, 12"
    assert address_of({"addr:street": "Тверская улица"}) == "Тверская улица"
    assert address_of({"addr:full": "Москва, Тверская, 12"}) == "Москва, Тверская, 12"
    assert address_of({}) == ""
