"""Ticket secrets signed with the ticketing Ed25519 key (`KGO_TICKET_SIGNING_KEY_FILE`,
made by kgo/provision.py like the JWT key); the public keys are published for door
scanners (ListTicketKeys). Old public keys can be listed beside the current one
(`KGO_TICKET_EXTRA_PUBLIC_KEYS`) so that tickets signed before a rotation still verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from services.ticketing.domain.ticket_secrets import TicketClaim, b64, bad_secret, parse_payload, split


def generate_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _raw(public: ed25519.Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: ed25519.Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:12]


class Ed25519TicketSigner:
    def __init__(self, private_key: ed25519.Ed25519PrivateKey) -> None:
        self._key = private_key
        public = private_key.public_key()
        self._kid = key_id(public)
        self._public: dict[str, ed25519.Ed25519PublicKey] = {self._kid: public}

    @classmethod
    def from_file(cls, path: str | Path) -> Ed25519TicketSigner:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    def sign(self, claim: TicketClaim) -> str:
        payload = claim.payload()
        return f"{self._kid}.{b64(payload)}.{b64(self._key.sign(payload))}"

    def verify(self, secret: str) -> TicketClaim:
        kid, payload, signature = split(secret)
        public = self._public.get(kid)
        if public is None:
            raise bad_secret("signed with an unknown key")
        try:
            public.verify(signature, payload)
        except InvalidSignature:
            raise bad_secret("the signature does not match: not a genuine ticket") from None
        return parse_payload(payload)

    def public_keys(self) -> list[dict[str, str]]:
        return [{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(_raw(key)), "alg": "EdDSA", "use": "sig"}
                for kid, key in self._public.items()]
