"""gRPC servicer of RecommendationService: protobuf <-> use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from kulturago.recommendation.v1 import recommendation_service_pb2 as pb
from kulturago.recommendation.v1 import recommendation_service_pb2_grpc as pb_grpc
from services.recommendation.service_layer.actions import Actions, FavouriteRow, Reported
from services.recommendation.service_layer.models import ModelKeeper, RetrainOutcome
from services.recommendation.service_layer.recommending import Answer, Pick, Recommender, Request
from services.runtime import page_tokens
from services.runtime.rpc.access import current_principal, optional_principal
from services.runtime.timestamps import from_timestamp, to_timestamp

DEFAULT_LIMIT, DEFAULT_SIMILAR, DEFAULT_PICKS, DEFAULT_PAGE = 20, 10, 12, 20


def recommended(p: Pick) -> pb.RecommendedEvent:
    item = p.item
    return pb.RecommendedEvent(
        slug=item.slug, title=item.title, category=item.category, city=item.city, place_name=item.place_name,
        next_start_time=to_timestamp(datetime.fromtimestamp(p.next_start, UTC)), is_free=item.is_free, kids=item.kids,
        price_min=item.price_min, image=item.image, reason=p.reason, reason_code=p.reason_code,
        score=round(p.score, 4), sold_out=item.sold_out)


def _metrics(m: dict[str, float]) -> pb.ModelMetrics:
    return pb.ModelMetrics(ndcg_at_10=m.get("ndcg_at_10", 0.0), recall_at_20=m.get("recall_at_20", 0.0),
                           coverage=m.get("coverage", 0.0), novelty=m.get("novelty", 0.0),
                           users=int(m.get("users", 0)))


class RecommendationServicer(pb_grpc.RecommendationServiceServicer):
    def __init__(self, recommender: Recommender, actions: Actions, models: ModelKeeper) -> None:
        self._recommender = recommender
        self._actions = actions
        self._models = models

    async def ListRecommendations(self, request: pb.ListRecommendationsRequest,
                                  context: grpc.aio.ServicerContext) -> pb.ListRecommendationsResponse:
        user = optional_principal()
        answer = await self._recommender.recommend(Request(
            limit=request.limit or DEFAULT_LIMIT, city=request.city, when=request.when,
            kids=request.kids if request.HasField("kids") else False,
            lat=request.lat if request.HasField("lat") else None,
            lon=request.lon if request.HasField("lon") else None), user.user_id if user else None)
        return pb.ListRecommendationsResponse(events=[recommended(p) for p in answer.picks],
                                              model_version=answer.model_version, strategy=answer.strategy)

    async def ListSimilarEvents(self, request: pb.ListSimilarEventsRequest,
                                context: grpc.aio.ServicerContext) -> pb.ListSimilarEventsResponse:
        answer: Answer = self._recommender.similar(request.event, request.limit or DEFAULT_SIMILAR)
        return pb.ListSimilarEventsResponse(events=[recommended(p) for p in answer.picks],
                                            model_version=answer.model_version)

    async def ListPicks(self, request: pb.ListPicksRequest, context: grpc.aio.ServicerContext) -> pb.ListPicksResponse:
        title, answer = await self._recommender.picks(request.kind, request.city, request.limit or DEFAULT_PICKS)
        return pb.ListPicksResponse(events=[recommended(p) for p in answer.picks], title=title)

    async def RecordActions(self, request: pb.RecordActionsRequest,
                            context: grpc.aio.ServicerContext) -> pb.RecordActionsResponse:
        reported = [Reported(a.id, a.kind, a.event_slug, from_timestamp(a.client_time)) for a in request.actions]
        return pb.RecordActionsResponse(accepted=await self._actions.record(current_principal().user_id, reported))

    def _favourite(self, row: FavouriteRow) -> pb.Favourite:
        favourite = pb.Favourite(slug=row.slug, create_time=to_timestamp(row.create_time))
        state = self._recommender.state
        if state is not None and row.slug in state.snapshot.row:
            r = state.snapshot.row[row.slug]
            favourite.event.CopyFrom(recommended(Pick(state.snapshot.items[r], 0.0, "", "",
                                                      float(state.snapshot.next_start[r]))))
        return favourite

    async def PutFavourite(self, request: pb.PutFavouriteRequest, context: grpc.aio.ServicerContext) -> pb.Favourite:
        return self._favourite(await self._actions.favourite(current_principal().user_id, request.slug))

    async def DeleteFavourite(self, request: pb.DeleteFavouriteRequest,
                              context: grpc.aio.ServicerContext) -> pb.DeleteFavouriteResponse:
        await self._actions.unfavourite(current_principal().user_id, request.slug)
        return pb.DeleteFavouriteResponse()

    async def ListFavourites(self, request: pb.ListFavouritesRequest,
                             context: grpc.aio.ServicerContext) -> pb.ListFavouritesResponse:
        user_id = current_principal().user_id
        after = page_tokens.decode(request.page_token, user_id, mismatch="the page token belongs to another user") \
            if request.page_token else None
        rows, more = await self._actions.list_favourites(user_id, after, request.page_size or DEFAULT_PAGE)
        token = page_tokens.encode(rows[-1].create_time, rows[-1].slug, user_id) if more and rows else ""
        return pb.ListFavouritesResponse(favourites=[self._favourite(r) for r in rows], next_page_token=token)

    async def RetrainModel(self, request: pb.RetrainModelRequest,
                           context: grpc.aio.ServicerContext) -> pb.RetrainModelResponse:
        outcome: RetrainOutcome = await self._models.retrain(request.factors, request.iterations)
        return pb.RetrainModelResponse(
            model_version=outcome.version, activated=outcome.activated, reason=outcome.reason,
            metrics=_metrics(outcome.metrics), previous_metrics=_metrics(outcome.previous_metrics),
            interactions=outcome.interactions, train_seconds=outcome.train_seconds,
            serving_version=outcome.serving_version)

    async def ActivateModel(self, request: pb.ActivateModelRequest,
                            context: grpc.aio.ServicerContext) -> pb.ActivateModelResponse:
        activated, reason = await self._models.activate(request.model_version)
        return pb.ActivateModelResponse(activated=activated, reason=reason,
                                        serving_version=self._models.serving_version)
