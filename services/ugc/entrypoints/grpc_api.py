"""UgcService over gRPC (REST through the gateway): requests to use cases, reviews to protos."""

from __future__ import annotations

import grpc

from kulturago.ugc.v1 import ugc_service_pb2 as pb
from kulturago.ugc.v1 import ugc_service_pb2_grpc as pb_grpc
from services.runtime.rpc import current_principal
from services.runtime.timestamps import optional_timestamp
from services.ugc.domain.model import Review
from services.ugc.domain.ratings import DEFAULT_PAGE_SIZE, order_of
from services.ugc.service_layer.ports import PhotoStore
from services.ugc.service_layer.reviews import NewReview, ReviewBook, ReviewChange


class UgcServicer(pb_grpc.UgcServiceServicer):
    def __init__(self, book: ReviewBook, photos: PhotoStore) -> None:
        self._book = book
        self._photos = photos

    def _review(self, review: Review) -> pb.Review:
        return pb.Review(
            id=review.id, event_slug=review.event_slug, user_id=review.user_id, rating=review.rating,
            text=review.text, helpful_count=review.helpful_count, hidden=review.hidden,
            photos=[pb.Photo(url=self._photos.view_url(p.name), thumbnail_url=self._photos.view_url(p.thumbnail),
                             width=p.width, height=p.height) for p in review.photos],
            create_time=optional_timestamp(review.create_time), update_time=optional_timestamp(review.update_time))

    async def CreateReview(self, request: pb.CreateReviewRequest, context: grpc.aio.ServicerContext) -> pb.Review:
        review = await self._book.create(NewReview(
            user_id=current_principal().user_id, event_slug=request.event_slug, rating=request.rating,
            text=request.text, photos=tuple(request.photos)))
        return self._review(review)

    async def UpdateReview(self, request: pb.UpdateReviewRequest, context: grpc.aio.ServicerContext) -> pb.Review:
        change = ReviewChange(rating=request.rating if request.HasField("rating") else None,
                              text=request.text if request.HasField("text") else None)
        return self._review(await self._book.update(current_principal().user_id, request.id, change))

    async def ListReviews(self, request: pb.ListReviewsRequest,
                          context: grpc.aio.ServicerContext) -> pb.ListReviewsResponse:
        page = await self._book.page(request.event, order_of(request.order_by), request.page_size or DEFAULT_PAGE_SIZE,
                                     request.page_token)
        return pb.ListReviewsResponse(reviews=[self._review(r) for r in page.reviews],
                                      next_page_token=page.next_page_token)

    async def DeleteReview(self, request: pb.DeleteReviewRequest,
                           context: grpc.aio.ServicerContext) -> pb.DeleteReviewResponse:
        await self._book.delete(current_principal().user_id, request.id)
        return pb.DeleteReviewResponse()

    async def MarkReviewHelpful(self, request: pb.MarkReviewHelpfulRequest,
                                context: grpc.aio.ServicerContext) -> pb.Review:
        return self._review(await self._book.mark_helpful(current_principal().user_id, request.id))

    async def HideReview(self, request: pb.HideReviewRequest, context: grpc.aio.ServicerContext) -> pb.Review:
        return self._review(await self._book.hide(request.id, request.reason))

    async def PresignReviewPhoto(self, request: pb.PresignReviewPhotoRequest,
                                 context: grpc.aio.ServicerContext) -> pb.PresignReviewPhotoResponse:
        reply = await self._book.presign_photo(current_principal().user_id, request.content_type or "image/jpeg")
        return pb.PresignReviewPhotoResponse(**reply)  # type: ignore[arg-type]
