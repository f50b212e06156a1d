"""geo-service's word lists, read from its contract (geo_service.proto), where they are
defined once as the `in` rules that protovalidate enforces on every request."""

from __future__ import annotations

from typing import Final

from kulturago.geo.v1 import geo_service_pb2 as pb
from services.runtime.vocabulary import words

POI_CATEGORIES: Final = frozenset(words(pb.ListNearbyRequest, "category"))
TRAVEL_MODES: Final = words(pb.GetEtaRequest, "mode")
