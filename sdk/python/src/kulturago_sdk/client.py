"""The synchronous client: one HTTP/2 channel to the gateway, the contracts' services as
attributes, the session's tokens kept and renewed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from google.protobuf.message import Message

from kulturago_sdk import _core, errors
from kulturago_sdk._base import REFRESH, ClientBase, open_channel
from kulturago_sdk._core import Rpc, Tokens, TokensCallback


class Service:
    """The unary methods of one gRPC service, by their contract names:
    `client.events.GetEvent(slug="...")` or `client.events.GetEvent(request)`."""

    def __init__(self, client: Client, full_name: str) -> None:
        self._client = client
        self._descriptor = _core.service_descriptor(full_name)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        rpc = _core.rpc(self._descriptor.full_name, name)

        def call(request: Message | None = None, /, *, timeout: float | None = None,
                 metadata: Sequence[tuple[str, str]] = (), **fields: Any) -> Any:
            return self._client.invoke(rpc, rpc.request(request, fields), timeout=timeout, metadata=metadata)

        return _core.named(call, rpc)

    def __dir__(self) -> list[str]:
        return sorted(self._descriptor.methods_by_name)


class Client(ClientBase[Service]):
    """The KulturaGo API over gRPC through the gateway.

    `base_url` is the gateway: "http://127.0.0.1:8080" (h2c) or "https://api.example" (TLS;
    `root_certificates` for a private CA). After `sign_in`, calls that need a user carry
    the access token; one refused because it expired is retried once after a refresh
    (concurrent callers share that refresh), and every refresh's new pair goes to
    `on_tokens` (None when the session ended). Every failure is an `errors.ApiError`.
    Thread-safe.
    """

    def __init__(self, base_url: str, *, tokens: Tokens | None = None, on_tokens: TokensCallback | None = None,
                 root_certificates: bytes | None = None, timeout: float = 15.0,
                 channel_options: Sequence[tuple[str, Any]] = (), validate_requests: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(tokens=tokens, on_tokens=on_tokens, timeout=timeout, validate_requests=validate_requests,
                         clock=clock)
        self._channel = open_channel(grpc, base_url, root_certificates, channel_options)
        self._lock = threading.Lock()  # one refresh (or sign-in/out) at a time

    # --- the services ------------------------------------------------------------

    def _new_service(self, full_name: str) -> Service:
        return Service(self, full_name)

    # --- the session -------------------------------------------------------------

    def sign_up(self, *, email: str, login: str, password: str, full_name: str = "") -> Any:
        """Registers a user (kulturago.auth.v1.User); does not sign in."""
        return self.auth.SignUp(email=email, login=login, password=password, full_name=full_name)

    def sign_in(self, login: str, password: str) -> Tokens:
        """Opens a session (login or e-mail); its tokens are kept and renewed from now on."""
        reply = self.auth.SignIn(login=login, password=password)
        with self._lock:
            self._set_tokens(Tokens(reply.access_token, reply.refresh_token))
        return Tokens(reply.access_token, reply.refresh_token)

    def refresh(self) -> Tokens:
        """Renews the pair now (it is renewed by itself when a call needs it)."""
        current = self._require_tokens()
        self._refresh_after(current.access_token)
        return self._require_tokens()

    def sign_out(self) -> None:
        """Ends the session on the server (access and refresh tokens) and forgets it here."""
        if self._tokens is not None:
            self.auth.Logout()
        with self._lock:
            self._set_tokens(None)

    def upload_avatar(self, data: bytes, content_type: str = "image/jpeg") -> Any:
        """Presign, upload the image to the object store, save it as the avatar; returns the
        Profile (its avatar_url shows the image)."""
        presign = self.profile.PresignAvatar(content_type=content_type)
        _core.send_upload(_core.upload_request(presign, data), self._timeout)
        return self.profile.EditProfile(avatar=presign.object_key)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- calls -------------------------------------------------------------------

    def invoke(self, rpc: Rpc, request: Message, *, timeout: float | None = None,
               metadata: Sequence[tuple[str, str]] = ()) -> Any:
        if self._validate and (invalid := _core.validation_error(request)):
            raise invalid
        token = self._fresh_token() if _core.needs_token(rpc.method) else None
        try:
            return self._call(rpc, request, token, timeout, metadata)
        except errors.Unauthenticated as refused:
            if token is None or not _core.refresh_may_help(refused, token, self._clock()):
                raise
        self._refresh_after(token)
        return self._call(rpc, request, self._require_tokens().access_token, timeout, metadata)

    def _call(self, rpc: Rpc, request: Message, token: str | None, timeout: float | None,
              metadata: Sequence[tuple[str, str]]) -> Any:
        call = self._channel.unary_unary(rpc.path, request_serializer=rpc.request_type.SerializeToString,
                                         response_deserializer=rpc.response_type.FromString)
        try:
            return call(request, timeout=timeout or self._timeout, metadata=_core.metadata(token, metadata))
        except grpc.RpcError as error:
            raise errors.from_rpc_error(error) from None

    def _fresh_token(self) -> str | None:
        """The access token, renewed first when it has (nearly) expired by our clock."""
        if self._tokens is None:
            return None  # the server says UNAUTHENTICATED (TOKEN_MISSING)
        if _core.expired(self._tokens.access_token, self._clock()):
            self._refresh_after(self._tokens.access_token)
        return self._require_tokens().access_token

    def _refresh_after(self, stale: str) -> None:
        """Renews the pair unless someone already did since `stale` was read: of callers
        that all found the same token stale, one refreshes and the rest reuse its pair (a
        refresh token works once; a second use would revoke the whole session)."""
        with self._lock:
            current = self._require_tokens()
            if current.access_token != stale:
                return
            try:
                refresh = _core.rpc(*REFRESH)
                reply = self._call(refresh, refresh.request_type(refresh_token=current.refresh_token), None, None, ())
            except errors.ApiError as refused:
                self._refresh_refused(refused)
                raise
            self._set_tokens(Tokens(reply.access_token, reply.refresh_token))
