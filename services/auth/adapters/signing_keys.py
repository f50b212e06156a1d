"""Access-token issuing: an asymmetric signing key (Ed25519 -> EdDSA, P-256 -> ES256)
with an RFC 7638 thumbprint as kid, and the JWKS that publishes its public half."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from services.runtime.tokens import ACCESS_TOKEN_TYPE


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, private_key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> None:
        self._key = private_key
        if isinstance(private_key, ed25519.Ed25519PrivateKey):
            self.algorithm = "EdDSA"
            public = json.loads(OKPAlgorithm.to_jwk(private_key.public_key()))
            required = {k: public[k] for k in ("crv", "kty", "x")}
        else:
            self.algorithm = "ES256"
            public = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
            required = {k: public[k] for k in ("crv", "kty", "x", "y")}
        canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
        self.kid = _b64(hashlib.sha256(canonical).digest())
        self.public_jwk: dict[str, Any] = {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    @classmethod
    def load(cls, path: str | Path) -> SigningKey:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("JWT signing key must be Ed25519 or EC P-256")
        return cls(key)

    @staticmethod
    def generate_pem() -> bytes:
        return ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def issue_access_token(self, *, user_id: str, session_id: str, roles: list[str], issuer: str,
                           audience: str, ttl: int) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": audience, "sub": user_id, "sid": session_id,
                  "jti": str(uuid.uuid4()), "iat": now, "exp": now + ttl, "roles": roles}
        return jwt.encode(claims, self._key, algorithm=self.algorithm,
                          headers={"kid": self.kid, "typ": ACCESS_TOKEN_TYPE})
