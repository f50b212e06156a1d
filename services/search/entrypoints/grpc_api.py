"""gRPC servicer of SearchService: protobuf <-> domain, nothing else."""

from __future__ import annotations

from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from kulturago.search.v1 import search_service_pb2 as pb
from kulturago.search.v1 import search_service_pb2_grpc as pb_grpc
from services.search.domain.model import FacetCount, Hit, SearchQuery, SearchResults
from services.search.domain.query import SearchParams
from services.search.service_layer.searching import Searcher


def params_from_proto(r: pb.SearchRequest) -> SearchParams:
    return SearchParams(
        q=r.q, page=r.page, per_page=r.per_page, categories=tuple(r.category),
        is_free=r.is_free if r.HasField("is_free") else None, kids=r.kids if r.HasField("kids") else None,
        when=r.when, date_from=r.date_from, date_to=r.date_to, city=r.city,
        lat=r.lat if r.HasField("lat") else None, lon=r.lon if r.HasField("lon") else None,
        radius=r.radius if r.HasField("radius") else None,
    )


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def _hit(h: Hit) -> pb.SearchHit:
    return pb.SearchHit(
        slug=h.slug, title=h.title, category=h.category, tags=list(h.tags), city=h.city,
        place_name=h.place_name, place_address=h.place_address,
        lat=h.location.lat if h.location else 0.0, lon=h.location.lon if h.location else 0.0,
        next_start_time=_ts(h.next_start), is_free=h.is_free, kids=h.kids, price_min=h.price_min,
        price_max=h.price_max, age_restriction=h.age_restriction, image=h.image, score=h.score,
        highlights=pb.Highlights(title=h.highlights.title, description=h.highlights.description),
    )


def _values(counts: tuple[FacetCount, ...]) -> list[pb.FacetValue]:
    return [pb.FacetValue(value=c.value, count=c.count) for c in counts]


def render(query: SearchQuery, results: SearchResults) -> bytes:
    f = results.facets
    return pb.SearchResponse(
        hits=[_hit(h) for h in results.hits], total=results.total, page=query.page, per_page=query.per_page,
        facets=pb.Facets(category=_values(f.category), is_free=_values(f.is_free), kids=_values(f.kids)),
        total_is_lower_bound=results.total_is_lower_bound,
    ).SerializeToString()


class SearchServicer(pb_grpc.SearchServiceServicer):
    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    # Returns the serialized response (see PreserializedServer in bootstrap): cache hits
    # go out as the bytes they were cached as.
    async def Search(self, request: pb.SearchRequest, context: grpc.aio.ServicerContext) -> bytes:
        return await self._searcher.search(params_from_proto(request), render)
