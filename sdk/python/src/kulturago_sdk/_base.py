"""What the sync and asyncio clients hold alike: the session's tokens, and the public
services of the contracts by the attribute names both give them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import grpc

# Imported for their descriptors: the clients find methods and message types in the pool.
from kulturago.auth.v1 import auth_service_pb2  # noqa: F401
from kulturago.event.v1 import event_service_pb2  # noqa: F401
from kulturago.geo.v1 import geo_service_pb2  # noqa: F401
from kulturago.search.v1 import search_service_pb2  # noqa: F401
from kulturago.ticketing.v1 import ticketing_service_pb2  # noqa: F401
from kulturago_sdk import _core, errors
from kulturago_sdk._core import Tokens, TokensCallback

SERVICES = {
    "auth": "kulturago.auth.v1.AuthService",
    "profile": "kulturago.auth.v1.ProfileService",
    "events": "kulturago.event.v1.EventService",
    "search": "kulturago.search.v1.SearchService",
    "geo": "kulturago.geo.v1.GeoService",
    "tickets": "kulturago.ticketing.v1.TicketingService",
}

S = TypeVar("S")


class ClientBase(Generic[S]):
    """`client.events.ListEvents(...)` and the like; `client.service(full_name)` for the rest."""

    def __init__(self, *, tokens: Tokens | None, on_tokens: TokensCallback | None, timeout: float,
                 validate_requests: bool, clock: Callable[[], float]) -> None:
        self._tokens = tokens
        self._on_tokens = on_tokens
        self._timeout = timeout
        self._validate = validate_requests
        self._clock = clock
        self._services: dict[str, S] = {}

    def _new_service(self, full_name: str) -> S:
        raise NotImplementedError

    def service(self, full_name: str) -> S:
        """Any service of the contracts by its full name, e.g. "kulturago.geo.v1.GeoService"."""
        if full_name not in self._services:
            self._services[full_name] = self._new_service(full_name)
        return self._services[full_name]

    @property
    def tokens(self) -> Tokens | None:
        """The session's current pair (None: not signed in, or the session ended)."""
        return self._tokens

    def _require_tokens(self) -> Tokens:
        if self._tokens is None:
            raise errors.Unauthenticated(grpc.StatusCode.UNAUTHENTICATED, "not signed in (or the session ended)")
        return self._tokens

    def _set_tokens(self, tokens: Tokens | None) -> None:
        self._tokens = tokens
        if self._on_tokens is not None:
            self._on_tokens(tokens)

    def _refresh_refused(self, refused: errors.ApiError) -> None:
        """A refused refresh: when it is final, the session is over here too."""
        if _core.session_is_over(refused):
            self._set_tokens(None)

    @property
    def auth(self) -> S:
        """Sign-up, sign-in, refresh, logout, JWKS (prefer the client's own methods)."""
        return self.service(SERVICES["auth"])

    @property
    def profile(self) -> S:
        """GetMe, GetProfile, EditProfile, PresignAvatar."""
        return self.service(SERVICES["profile"])

    @property
    def events(self) -> S:
        """ListEvents, GetEvent (the card)."""
        return self.service(SERVICES["events"])

    @property
    def search(self) -> S:
        """Search (full text, Russian morphology, typos)."""
        return self.service(SERVICES["search"])

    @property
    def geo(self) -> S:
        """ListNearby, GetEta."""
        return self.service(SERVICES["geo"])

    @property
    def tickets(self) -> S:
        """PurchaseTickets, GetOrder, ListOrders, CancelOrder, RefundOrder, GetTicketQr, ..."""
        return self.service(SERVICES["tickets"])


def open_channel(grpc_module: Any, base_url: str, root_certificates: bytes | None,
                 options: Sequence[tuple[str, Any]]) -> Any:
    """A channel of `grpc` or `grpc.aio` (the same factories) to the gateway."""
    target = _core.parse_base_url(base_url)
    if target.secure:
        return grpc_module.secure_channel(target.address, _core.channel_credentials(root_certificates),
                                          options=list(options))
    return grpc_module.insecure_channel(target.address, options=list(options))


REFRESH = (SERVICES["auth"], "Refresh")
