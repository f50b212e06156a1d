"""One grpc.aio interceptor that runs a chain of middlewares around unary handlers.

grpc.aio awaits every interceptor's intercept_service on every call; composing
our cross-cutting concerns (errors, metrics, auth, validation) as middlewares in a
single interceptor keeps that cost paid once per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import grpc
from grpc.aio import ServerInterceptor

Handler = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


class Middleware(Protocol):
    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any: ...


def _chain(middlewares: Sequence[Middleware], method: str, handler: Handler) -> Handler:
    wrapped = handler
    for middleware in reversed(middlewares):
        def bind(mw: Middleware, nxt: Handler) -> Handler:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                return await mw(request, context, method, nxt)
            return call
        wrapped = bind(middleware, wrapped)
    return wrapped


class PipelineInterceptor(ServerInterceptor):
    def __init__(self, middlewares: Sequence[Middleware]) -> None:
        self._middlewares = list(middlewares)
        self._cache: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = handler_call_details.method
        cached = self._cache.get(method)
        if cached is not None:
            return cached
        handler = await continuation(handler_call_details)
        # Streaming handlers, health and reflection pass through untouched.
        if handler is None or handler.unary_unary is None or method.startswith("/grpc."):
            return handler
        wrapped = grpc.unary_unary_rpc_method_handler(
            _chain(self._middlewares, method, handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        self._cache[method] = wrapped
        return wrapped
