"""Access middleware: verifies the bearer token of every non-public RPC and keeps the
caller in a contextvar; admin RPCs also need an internal source network."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import AsyncIterator, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import grpc

from services.runtime import errors
from services.runtime.rpc.pipeline import Handler, StreamHandler
from services.runtime.sessions import LiveSessions
from services.runtime.tokens import InvalidToken, Principal, TokenVerifier

__all__ = ["AccessMiddleware", "AccessPolicy", "Principal", "current_principal", "internal_caller",
           "optional_principal"]

_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)


def optional_principal() -> Principal | None:
    """The caller of a PUBLIC RPC when a valid access token came with it (recommendations
    for them, a card view counted), else None: such RPCs never refuse a missing, expired
    or forged token, they only treat its bearer as anonymous."""
    return _principal.get()


def current_principal() -> Principal:
    """The authenticated caller of the current RPC (only inside non-public RPCs)."""
    principal = _principal.get()
    if principal is None:
        raise errors.Unauthenticated("authentication required", "UNAUTHENTICATED")
    return principal


@dataclass(frozen=True)
class AccessPolicy:
    """gRPC paths (/pkg.Service/Method) by access level; anything not listed needs a
    user's token. Built from the contracts' access option by rpc/policy.py:policy_for,
    never written by hand."""

    public: frozenset[str] = frozenset()  # callable without a token
    admin: frozenset[str] = frozenset()  # need role admin AND an internal source network
    internal: frozenset[str] = frozenset()  # service-to-service: internal peers, never via the gateway


def _bearer(metadata: Iterable[tuple[str, Any]]) -> str | None:
    for key, value in metadata:
        if key == "authorization":
            scheme, _, token = str(value).partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token else ""
    return None


CLIENT_IP_HEADER = "x-kulturago-client-ip"
# Proves a call came through our gateway: only then is CLIENT_IP_HEADER believed. The
# gateway overwrites both on every request, so a client cannot bring its own.
GATEWAY_HEADER = "x-kulturago-gateway"
_gateway_secret = ""


def trust_gateway(secret: str) -> None:
    """The shared secret the gateway sends in GATEWAY_HEADER (KGO_GATEWAY_SECRET); empty:
    CLIENT_IP_HEADER is never believed and every caller is judged by its TCP peer."""
    global _gateway_secret
    _gateway_secret = secret


def client_address(context: grpc.aio.ServicerContext) -> str:
    """The end client's IP. The gateway overwrites CLIENT_IP_HEADER with the address
    of the TCP peer it saw (x-forwarded-for cannot serve: for loopback clients Envoy
    appends the host's own address) and signs it with GATEWAY_HEADER; anyone else, and
    any direct gRPC caller, is judged by their own peer address."""
    forwarded = proof = ""
    for key, value in context.invocation_metadata() or ():
        if key == CLIENT_IP_HEADER:
            forwarded = str(value).strip()
        elif key == GATEWAY_HEADER:
            proof = str(value)
    if forwarded and _gateway_secret and hmac.compare_digest(proof.encode(), _gateway_secret.encode()):
        return forwarded
    peer = context.peer() or ""  # "ipv4:127.0.0.1:1234" / "ipv6:[::1]:1234"
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]").replace("%5B", "").replace("%5D", "")
    return rest.rsplit(":", 1)[0]


def internal_caller(context: grpc.aio.ServicerContext, is_internal: Callable[[str], bool]) -> bool:
    """An INTERNAL method's caller: another service on an internal network. A call the
    gateway forwarded carries CLIENT_IP_HEADER, so it is refused even from loopback
    (the gateway denies these paths itself; this is the service's own second check)."""
    metadata = context.invocation_metadata() or ()
    if any(key == CLIENT_IP_HEADER for key, _ in metadata):
        return False
    return is_internal(client_address(context))


class AccessMiddleware:
    def __init__(self, verifier: TokenVerifier, policy: AccessPolicy, internal_cidrs: Iterable[str],
                 sessions: LiveSessions | None = None) -> None:
        self._verifier = verifier
        self._policy = policy
        self._sessions = sessions  # privileged calls also need a session that is still open
        self._internal = [ipaddress.ip_network(c, strict=False) for c in internal_cidrs]

    def is_internal(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._internal)

    async def authorize(self, context: grpc.aio.ServicerContext, method: str) -> Principal | None:
        """The caller allowed to run `method` (None for public and internal methods), or
        Unauthenticated/PermissionDenied."""
        if method in self._policy.public:
            token = _bearer(context.invocation_metadata() or ())
            if not token:
                return None
            try:
                return self._verifier.verify(token)  # cached; see optional_principal()
            except InvalidToken:
                return None
        if method in self._policy.internal:
            # Service-to-service callers carry no user token (no service identity yet).
            if not internal_caller(context, self.is_internal):
                raise errors.PermissionDenied("internal method: service-to-service callers only",
                                              "INTERNAL_ONLY")
            return None
        token = _bearer(context.invocation_metadata() or ())
        if not token:
            raise errors.Unauthenticated("missing bearer token", "TOKEN_MISSING")
        try:
            principal = self._verifier.verify(token)
        except InvalidToken as exc:
            raise errors.Unauthenticated(f"invalid access token: {exc}", "TOKEN_INVALID") from exc
        if method in self._policy.admin:
            if not principal.is_admin:
                raise errors.PermissionDenied("admin role required", "ADMIN_REQUIRED")
            if not self.is_internal(client_address(context)):
                raise errors.PermissionDenied("admin API is reachable from internal networks only",
                                              "EXTERNAL_NETWORK")
            if self._sessions is None:
                raise errors.Unavailable("admin calls need the session check, which is not configured",
                                         "SESSION_CHECK_UNAVAILABLE")
            await self._sessions.require_alive(principal.session_id)
        return principal

    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        principal = await self.authorize(context, method)
        if principal is None:
            return await call_next(request, context)
        reset = _principal.set(principal)
        try:
            return await call_next(request, context)
        finally:
            _principal.reset(reset)

    async def stream(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                     call_next: StreamHandler) -> AsyncIterator[Any]:
        # Checked once, before the first response; the token is not re-read mid-stream.
        principal = await self.authorize(context, method)
        # Not reset afterwards: each RPC runs in its own task, whose context ends with it
        # (a reset from a generator's finaliser could run in another context).
        _principal.set(principal)
        async for response in call_next(request, context):
            yield response
