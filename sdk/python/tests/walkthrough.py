"""The Python SDK as an app developer uses it, against a running gateway, over gRPC.

Run by tests/e2e/test_sdk_python.py with the python of a fresh virtualenv that has only
the kulturago-sdk wheel (and its PyPI dependencies) installed: nothing of the
repository is importable here. Prints one JSON object of what it saw; any failed check
is an AssertionError (exit status 1).

Environment: KGO_GATEWAY_URL (h2c), KGO_GATEWAY_TLS_URL and KGO_GATEWAY_CA (TLS with the
dev certificate), KGO_EXPIRED_SESSIONS: a JSON list of three {"access", "refresh"} pairs
of one user, each access token already expired (the test forges them, since the SDK
cannot wait 15 minutes), and KGO_EXPIRED_USER: that user's id.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import struct
import time
import urllib.request
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kulturago_sdk
from kulturago_sdk import AsyncClient, Client, InvalidArgument, Tokens, Unauthenticated

from kulturago.search.v1 import search_service_pb2

GATEWAY = os.environ["KGO_GATEWAY_URL"]
CONCURRENT = 8


def png(side: int = 48) -> bytes:
    """A noisy RGB PNG (so it is over the 1 KiB minimum), written with the stdlib alone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + random.randbytes(side * 3) for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def walk() -> dict[str, Any]:
    """sign-up -> sign-in -> search -> event card -> /me, a typed error, an avatar."""
    suffix = uuid.uuid4().hex[:10]
    # The password must not contain the login or the e-mail's name (auth's password policy).
    login, password = f"sdk_{suffix}", f"Nevsky-{uuid.uuid4().hex[:8]}-lanterns"
    with Client(GATEWAY) as client:
        user = client.sign_up(email=f"sdk-{suffix}@example.com", login=login, password=password,
                              full_name="Анна Петрова")
        client.sign_in(login, password)
        hits = client.search.Search(q="джаз", per_page=5).hits
        assert hits, "search found nothing"
        card = client.events.GetEvent(slug=hits[0].slug)
        assert card.slug == hits[0].slug and card.title
        me = client.profile.GetMe()
        assert (me.id, me.login, me.full_name) == (user.id, login, "Анна Петрова")
        try:
            client.sign_up(email="nope", login=f"sdk2_{suffix}", password=password)
            raise AssertionError("a bad e-mail was accepted")
        except InvalidArgument as error:
            bad = error
        assert bad.fields == ["email"], bad.fields
        assert bad.reason == "INVALID_ARGUMENT" and bad.domain == "auth.kulturago.ru", repr(bad)
        # The same rule checked before sending, from the contract the wheel carries.
        local = Client(GATEWAY, validate_requests=True)
        try:
            local.sign_up(email="nope", login=f"sdk3_{suffix}", password=password)
            raise AssertionError("validate_requests let a bad e-mail through")
        except InvalidArgument as error:
            assert error.fields == ["email"] and error.domain == "sdk.kulturago.ru", repr(error)
        finally:
            local.close()
        profile = client.upload_avatar(png(), "image/png")
        assert profile.avatar and profile.avatar_url
        with urllib.request.urlopen(profile.avatar_url, timeout=10) as shown:
            avatar_type = shown.headers["content-type"]
        try:
            Client(GATEWAY).profile.GetMe()
            raise AssertionError("GetMe without a token was served")
        except Unauthenticated as error:
            missing = error.reason
    return {"user_id": user.id, "hits": len(hits), "card": card.slug, "me": me.id, "bad_fields": bad.fields,
            "bad_message": bad.message, "avatar_type": avatar_type, "missing_token_reason": missing}


def over_tls() -> int:
    ca = Path(os.environ["KGO_GATEWAY_CA"]).read_bytes()
    with Client(os.environ["KGO_GATEWAY_TLS_URL"], root_certificates=ca) as client:
        return len(client.search.Search(search_service_pb2.SearchRequest(q="выставка")).hits)


def rotation_in_threads(session: dict[str, str], user_id: str) -> dict[str, Any]:
    """Threads all find the access token expired (by the clock): one refresh, shared."""
    rotations: list[Tokens | None] = []
    with Client(GATEWAY, tokens=Tokens(session["access"], session["refresh"]), on_tokens=rotations.append) as client:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            ids = list(pool.map(lambda _: client.profile.GetMe().id, range(CONCURRENT)))
        assert ids == [user_id] * CONCURRENT, ids
        shared = len(rotations)
        assert shared == 1, rotations
        rotated = rotations[0]
        assert rotated is not None and rotated.refresh_token != session["refresh"]
        # The rotated pair keeps working: had two threads spent the old refresh token,
        # reuse detection would have revoked the whole session.
        client.refresh()
        assert client.profile.GetProfile().id == user_id
    return {"rotations": shared}


async def rotation_in_tasks(session: dict[str, str], user_id: str) -> dict[str, Any]:
    """asyncio, and a device clock an hour late: the token looks fresh here, the gateway
    refuses it (TOKEN_EXPIRED), and every refused call is retried after one refresh."""
    rotations: list[Tokens | None] = []
    async with AsyncClient(GATEWAY, tokens=Tokens(session["access"], session["refresh"]),
                           on_tokens=rotations.append, clock=lambda: time.time() - 3600) as client:
        replies = await asyncio.gather(*(client.profile.GetMe() for _ in range(CONCURRENT)))
        assert [r.id for r in replies] == [user_id] * CONCURRENT
        assert len(rotations) == 1, rotations
        assert (await client.profile.GetMe()).id == user_id
    return {"rotations": len(rotations)}


def replayed_refresh_ends_the_session(session: dict[str, str]) -> dict[str, Any]:
    """A refresh token used twice revokes its session: the second client is told so
    (Unauthenticated, its tokens dropped through on_tokens(None)), and so is the first."""
    first_seen: list[Tokens | None] = []
    first = Client(GATEWAY, tokens=Tokens(session["access"], session["refresh"]), on_tokens=first_seen.append)
    first.profile.GetMe()  # refreshes: session["refresh"] is spent now
    replay_seen: list[Tokens | None] = []
    replay = Client(GATEWAY, tokens=Tokens(session["access"], session["refresh"]), on_tokens=replay_seen.append)
    try:
        replay.profile.GetMe()
        raise AssertionError("a spent refresh token was accepted")
    except Unauthenticated as error:
        replay_reason = error.reason
    assert replay_seen == [None] and replay.tokens is None
    try:
        first.refresh()
        raise AssertionError("the revoked session still refreshes")
    except Unauthenticated:
        pass
    assert first.tokens is None and first_seen[-1] is None
    first.close()
    replay.close()
    return {"replay_reason": replay_reason}


def main() -> None:
    sessions = json.loads(os.environ["KGO_EXPIRED_SESSIONS"])
    user_id = os.environ["KGO_EXPIRED_USER"]
    report = {"version": kulturago_sdk.__version__, "walk": walk(), "tls_hits": over_tls(),
              "threads": rotation_in_threads(sessions[0], user_id),
              "tasks": asyncio.run(rotation_in_tasks(sessions[1], user_id)),
              "replay": replayed_refresh_ends_the_session(sessions[2])}
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
