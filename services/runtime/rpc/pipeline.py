"""One grpc.aio interceptor that runs a chain of middlewares around every handler,
unary and streaming alike.

grpc.aio awaits every interceptor's intercept_service on every call; composing
our cross-cutting concerns (errors, metrics, auth, validation) as middlewares in a
single interceptor keeps that cost paid once per request.

A middleware has two entry points, by the shape of the *response*:
- `__call__(request, context, method, call_next)` awaits a single response
  (unary-unary and client-streaming RPCs);
- `stream(request, context, method, call_next)` is an async generator of responses
  (server-streaming and bidirectional RPCs), so errors raised while streaming pass
  through it too.
`request` is a message, or an async iterator of messages for client-streaming RPCs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Protocol

import grpc
from grpc.aio import ServerInterceptor

from services.runtime.rpc.decoding import tolerant

Handler = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
StreamHandler = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]


class Middleware(Protocol):
    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any: ...

    def stream(self, request: Any, context: grpc.aio.ServicerContext, method: str,
               call_next: StreamHandler) -> AsyncIterator[Any]: ...


class PerMessageMiddleware:
    """Base of a middleware that only checks or adjusts each incoming message (one for a
    unary request, every one of a client stream) before the handler sees it."""

    def each(self, message: Any) -> None:
        raise NotImplementedError

    async def _each_of(self, messages: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for message in messages:
            self.each(message)
            yield message

    def _apply(self, request: Any) -> Any:
        if hasattr(request, "__aiter__"):
            return self._each_of(request)
        self.each(request)
        return request

    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        return await call_next(self._apply(request), context)

    async def stream(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                     call_next: StreamHandler) -> AsyncIterator[Any]:
        async for response in call_next(self._apply(request), context):
            yield response


def _chain(middlewares: Sequence[Middleware], method: str, handler: Handler) -> Handler:
    wrapped = handler
    for middleware in reversed(middlewares):
        def bind(mw: Middleware, nxt: Handler) -> Handler:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                return await mw(request, context, method, nxt)
            return call
        wrapped = bind(middleware, wrapped)
    return wrapped


def _chain_stream(middlewares: Sequence[Middleware], method: str, handler: StreamHandler) -> StreamHandler:
    wrapped = handler
    for middleware in reversed(middlewares):
        def bind(mw: Middleware, nxt: StreamHandler) -> StreamHandler:
            def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                return mw.stream(request, context, method, nxt)
            return call
        wrapped = bind(middleware, wrapped)
    return wrapped


def _responses(behavior: Callable[[Any, grpc.aio.ServicerContext], Any]) -> StreamHandler:
    """A streaming servicer method as an async iterator, whichever style it is written in
    (an async generator, or a coroutine that calls `context.write`)."""
    async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        result = behavior(request, context)
        if hasattr(result, "__aiter__"):
            async for response in result:
                yield response
        else:
            await result
    return stream


class PipelineInterceptor(ServerInterceptor):
    def __init__(self, middlewares: Sequence[Middleware]) -> None:
        self._middlewares = list(middlewares)
        self._cache: dict[str, grpc.RpcMethodHandler] = {}

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        # Unparseable requests reach the middlewares as Undecodable (a 400), not a grpc 500.
        codec = {"request_deserializer": tolerant(handler.request_deserializer),
                 "response_serializer": handler.response_serializer}
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                _chain(self._middlewares, method, handler.unary_unary), **codec)
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                _chain(self._middlewares, method, handler.stream_unary), **codec)
        streaming = handler.unary_stream or handler.stream_stream
        chained = _chain_stream(self._middlewares, method, _responses(streaming))

        async def respond(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            async for response in chained(request, context):
                yield response

        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(respond, **codec)
        return grpc.stream_stream_rpc_method_handler(respond, **codec)

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
        # Health and reflection are the platform's own: no token, no validation.
        if handler is None or method.startswith("/grpc."):
            return handler
        wrapped = self._cache[method] = self._wrap(method, handler)
        return wrapped
