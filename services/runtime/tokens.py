"""Access-token verification (EdDSA/ES256 JWT with kid), shared by every service.

Issuing lives in auth-service; verifying lives here because every service checks
tokens again after the gateway (no trust in unauthenticated internal callers).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK

ACCESS_TOKEN_TYPE = "at+jwt"  # RFC 9068 header typ of access tokens
ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
_CACHE_SIZE = 10_000


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not an access token."""


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    session_id: str
    roles: frozenset[str]
    token_id: str

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


class TokenVerifier:
    def __init__(self, jwks: dict[str, Any], *, issuer: str, audience: str) -> None:
        self._keys: dict[str, PyJWK] = {}
        for entry in jwks.get("keys", []):
            key = PyJWK.from_dict(entry)
            if key.key_id:
                self._keys[key.key_id] = key
        self._issuer = issuer
        self._audience = audience
        # Verified tokens, until they expire: a client sends the same token for up to
        # 15 minutes, and an EdDSA verification is the costliest step of a request.
        self._verified: dict[str, tuple[Principal, float]] = {}

    @classmethod
    def from_file(cls, path: str | Path, *, issuer: str, audience: str) -> TokenVerifier:
        return cls(json.loads(Path(path).read_text()), issuer=issuer, audience=audience)

    def verify(self, token: str) -> Principal:
        hit = self._verified.get(token)
        if hit is not None:
            principal, expires = hit
            if time.time() < expires:
                return principal
            del self._verified[token]
        principal, expires = self._verify(token)
        if len(self._verified) >= _CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # oldest first (dicts keep insertion order)
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        # Pin the algorithm to the key's own: blocks alg=none and HS256-with-public-key.
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidToken("algorithm not allowed")
        if header.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken("not an access token")
        key = self._keys.get(header.get("kid", ""))
        if key is None or key.algorithm_name != header["alg"]:
            raise InvalidToken("unknown signing key")
        try:
            claims = jwt.decode(
                token, key=key.key, algorithms=[header["alg"]], audience=self._audience,
                issuer=self._issuer, options={"require": ["exp", "iat", "iss", "aud", "sub", "sid", "jti"]},
                leeway=5,
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        principal = Principal(
            user_id=str(claims["sub"]),
            session_id=str(claims["sid"]),
            roles=frozenset(claims.get("roles", [])),
            token_id=str(claims["jti"]),
        )
        return principal, float(claims["exp"])
