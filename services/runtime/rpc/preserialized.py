"""Let handlers return already-serialized responses (bytes), e.g. straight from a cache,
instead of parsing them into a message only for gRPC to serialize it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


def _passthrough(serialize: Callable[[Any], bytes] | None) -> Callable[[Any], bytes]:
    def serializer(response: Any) -> bytes:
        if isinstance(response, bytes):
            return response
        return serialize(response) if serialize else bytes(response)
    return serializer


class PreserializedServer:
    """Wraps a grpc.aio.Server for a generated `add_*Servicer_to_server` call; the
    handlers it registers accept bytes as responses too."""

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    @staticmethod
    def _wrap(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if handler.unary_unary is None:
            return handler
        return grpc.unary_unary_rpc_method_handler(
            handler.unary_unary, request_deserializer=handler.request_deserializer,
            response_serializer=_passthrough(handler.response_serializer))

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        """Ignored: generated code registers the same table through the method below,
        which installs the wrapped handlers both ways."""

    def add_registered_method_handlers(self, service: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        wrapped = {name: self._wrap(h) for name, h in handlers.items()}
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, wrapped),))
        self._server.add_registered_method_handlers(service, wrapped)
