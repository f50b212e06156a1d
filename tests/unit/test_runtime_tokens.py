"""Unit tests for services/runtime/tokens.py: TokenVerifier against keys made here.

Tokens come from auth-service's real issuer (SigningKey) where they should be
valid, and are forged by hand where they should not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import jwt
import pytest
from auth_support import (
    access_claims,
    b64url_decode,
    hs256_token,
    sign_eddsa,
    unsigned_token,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from services.auth.adapters.signing_keys import SigningKey
from services.runtime.tokens import InvalidToken, Principal, TokenVerifier

ISSUER, AUDIENCE = "https://auth.test", "kulturago-test"
USER, SESSION = "7d1f0c39-2c1b-4a8e-9a4e-3b8f5d6c7e01", "0b8e7c52-4a8f-4f3e-8d0c-2f7a9c1e5b33"


@pytest.fixture(scope="module")
def private_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signing_key(private_key: ed25519.Ed25519PrivateKey) -> SigningKey:
    return SigningKey(private_key)


@pytest.fixture(scope="module")
def verifier(signing_key: SigningKey) -> TokenVerifier:
    # Through JSON, as services read the JWKS file.
    return TokenVerifier(json.loads(json.dumps(signing_key.jwks())), issuer=ISSUER, audience=AUDIENCE)


def claims(**overrides: Any) -> dict[str, Any]:
    return access_claims(user_id=USER, session_id=SESSION, issuer=ISSUER, audience=AUDIENCE, **overrides)


def test_valid_token_gives_the_principal(signing_key: SigningKey, verifier: TokenVerifier) -> None:
    token = signing_key.issue_access_token(user_id=USER, session_id=SESSION, roles=["user", "admin"],
                                           issuer=ISSUER, audience=AUDIENCE, ttl=900)
    principal = verifier.verify(token)
    assert principal == Principal(user_id=USER, session_id=SESSION, roles=frozenset({"user", "admin"}),
                                  token_id=principal.token_id)
    assert principal.is_admin and principal.token_id


def test_es256_keys_work_too() -> None:
    key = SigningKey(ec.generate_private_key(ec.SECP256R1()))
    token = key.issue_access_token(user_id=USER, session_id=SESSION, roles=[], issuer=ISSUER, audience=AUDIENCE,
                                   ttl=60)
    principal = TokenVerifier(key.jwks(), issuer=ISSUER, audience=AUDIENCE).verify(token)
    assert principal.user_id == USER and not principal.is_admin


def test_kid_is_the_rfc7638_thumbprint(signing_key: SigningKey) -> None:
    # RFC 7638 3.1: SHA-256 over {"crv","kty","x"} in lexicographic order, no whitespace.
    jwk = signing_key.public_jwk
    canonical = f'{{"crv":"{jwk["crv"]}","kty":"{jwk["kty"]}","x":"{jwk["x"]}"}}'.encode()
    assert signing_key.kid == base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    assert "d" not in jwk  # the JWKS must never carry the private part


def _public_pem(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("forge", [
    pytest.param(lambda sk, pk: unsigned_token(claims(), sk.kid), id="alg-none"),
    pytest.param(lambda sk, pk: hs256_token(claims(), sk.kid, _public_pem(pk)), id="hs256-keyed-with-public-pem"),
    pytest.param(lambda sk, pk: hs256_token(claims(), sk.kid, b64url_decode(sk.public_jwk["x"])),
                 id="hs256-keyed-with-jwks-x"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(aud="another-api"), pk, sk.kid), id="wrong-aud"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(iss="https://evil.example"), pk, sk.kid), id="wrong-iss"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
                                           pk, sk.kid), id="expired"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(), pk, sk.kid, typ="JWT"), id="typ-jwt"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(), pk, "some-other-kid"), id="unknown-kid"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(), ed25519.Ed25519PrivateKey.generate(), sk.kid),
                 id="other-key-same-kid"),
    pytest.param(lambda sk, pk: sign_eddsa({k: v for k, v in claims().items() if k != "sid"}, pk, sk.kid),
                 id="no-session-claim"),
    pytest.param(lambda sk, pk: sign_eddsa(claims(), pk, sk.kid)[:-4] + "AAAA", id="tampered-signature"),
    pytest.param(lambda sk, pk: "not.a.jwt", id="garbage"),
    pytest.param(lambda sk, pk: "", id="empty"),
])
def test_rejects(forge: Any, signing_key: SigningKey, private_key: ed25519.Ed25519PrivateKey,
                 verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(forge(signing_key, private_key))


def test_algorithm_must_match_the_keys_own(signing_key: SigningKey) -> None:
    # An ES256 token whose kid names an EdDSA key: refused before any signature check.
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": signing_key.kid, "typ": "at+jwt"})
    verifier = TokenVerifier(signing_key.jwks(), issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(InvalidToken, match="unknown signing key"):
        verifier.verify(token)


def test_small_clock_skew_is_tolerated(signing_key: SigningKey, private_key: ed25519.Ed25519PrivateKey,
                                       verifier: TokenVerifier) -> None:
    # 5 s of leeway: a token that expired 2 s ago on a slightly fast clock still passes.
    now = int(time.time())
    assert verifier.verify(sign_eddsa(claims(iat=now - 900, exp=now - 2), private_key, signing_key.kid))
