"""The asyncio client: the same as `kulturago_sdk.Client`, awaited (grpc.aio)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from kulturago_sdk import _core, errors
from kulturago_sdk._base import REFRESH, ClientBase, open_channel
from kulturago_sdk._core import Rpc, Tokens, TokensCallback


class AsyncService:
    """`await client.events.GetEvent(slug="...")`."""

    def __init__(self, client: AsyncClient, full_name: str) -> None:
        self._client = client
        self._descriptor = _core.service_descriptor(full_name)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        rpc = _core.rpc(self._descriptor.full_name, name)

        # `timeout` is the call's gRPC deadline, as grpc.aio's own stubs name it.
        async def call(request: Message | None = None, /, *, timeout: float | None = None,  # noqa: ASYNC109
                       metadata: Sequence[tuple[str, str]] = (), **fields: Any) -> Any:
            return await self._client.invoke(rpc, rpc.request(request, fields), timeout=timeout, metadata=metadata)

        return _core.named(call, rpc)

    def __dir__(self) -> list[str]:
        return sorted(self._descriptor.methods_by_name)


class AsyncClient(ClientBase[AsyncService]):
    """See `kulturago_sdk.Client`; every call is awaited. Concurrent tasks that find the
    access token expired share one refresh. Use it within one event loop."""

    def __init__(self, base_url: str, *, tokens: Tokens | None = None, on_tokens: TokensCallback | None = None,
                 root_certificates: bytes | None = None, timeout: float = 15.0,
                 channel_options: Sequence[tuple[str, Any]] = (), validate_requests: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(tokens=tokens, on_tokens=on_tokens, timeout=timeout, validate_requests=validate_requests,
                         clock=clock)
        self._channel = open_channel(grpc.aio, base_url, root_certificates, channel_options)
        self._lock = asyncio.Lock()

    def _new_service(self, full_name: str) -> AsyncService:
        return AsyncService(self, full_name)

    async def sign_up(self, *, email: str, login: str, password: str, full_name: str = "") -> Any:
        return await self.auth.SignUp(email=email, login=login, password=password, full_name=full_name)

    async def sign_in(self, login: str, password: str) -> Tokens:
        reply = await self.auth.SignIn(login=login, password=password)
        async with self._lock:
            self._set_tokens(Tokens(reply.access_token, reply.refresh_token))
        return Tokens(reply.access_token, reply.refresh_token)

    async def refresh(self) -> Tokens:
        await self._refresh_after(self._require_tokens().access_token)
        return self._require_tokens()

    async def sign_out(self) -> None:
        if self._tokens is not None:
            await self.auth.Logout()
        async with self._lock:
            self._set_tokens(None)

    async def upload_avatar(self, data: bytes, content_type: str = "image/jpeg") -> Any:
        presign = await self.profile.PresignAvatar(content_type=content_type)
        await asyncio.to_thread(_core.send_upload, _core.upload_request(presign, data), self._timeout)
        return await self.profile.EditProfile(avatar=presign.object_key)

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def invoke(self, rpc: Rpc, request: Message, *, timeout: float | None = None,  # noqa: ASYNC109
                     metadata: Sequence[tuple[str, str]] = ()) -> Any:
        if self._validate and (invalid := _core.validation_error(request)):
            raise invalid
        token = await self._fresh_token() if _core.needs_token(rpc.method) else None
        try:
            return await self._call(rpc, request, token, timeout, metadata)
        except errors.Unauthenticated as refused:
            if token is None or not _core.refresh_may_help(refused, token, self._clock()):
                raise
        await self._refresh_after(token)
        return await self._call(rpc, request, self._require_tokens().access_token, timeout, metadata)

    async def _call(self, rpc: Rpc, request: Message, token: str | None, timeout: float | None,  # noqa: ASYNC109
                    metadata: Sequence[tuple[str, str]]) -> Any:
        call = self._channel.unary_unary(rpc.path, request_serializer=rpc.request_type.SerializeToString,
                                         response_deserializer=rpc.response_type.FromString)
        try:
            return await call(request, timeout=timeout or self._timeout, metadata=_core.metadata(token, metadata))
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None

    async def _fresh_token(self) -> str | None:
        if self._tokens is None:
            return None
        if _core.expired(self._tokens.access_token, self._clock()):
            await self._refresh_after(self._tokens.access_token)
        return self._require_tokens().access_token

    async def _refresh_after(self, stale: str) -> None:
        # See Client._refresh_after: one refresh for every caller that saw `stale`.
        async with self._lock:
            current = self._require_tokens()
            if current.access_token != stale:
                return
            refresh = _core.rpc(*REFRESH)
            try:
                reply = await self._call(refresh, refresh.request_type(refresh_token=current.refresh_token),
                                         None, None, ())
            except errors.ApiError as refused:
                self._refresh_refused(refused)
                raise
            self._set_tokens(Tokens(reply.access_token, reply.refresh_token))
