"""The live tour over WebSocket through the gateway: refused without a token, the token
taken from the header, the query or the subprotocol; audio that ffprobe recognises and
that plays as long as the pieces say; trigger zones; resuming after a dropped
connection from the acknowledged byte; bad control messages named."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import httpx
import pytest
from auth_support import Account
from gid_support import (
    GATEWAY_WS,
    STEP_LAT,
    STEP_LON,
    Heard,
    Listener,
    decodes_cleanly,
    done,
    probe,
    publish_tour,
    tour_body,
)


@pytest.fixture
def tour(http: httpx.Client, admin: Account) -> dict:
    return publish_tour(http, admin, tour_body(stops=3, languages=("ru", "en"), sentences=2))


async def test_without_a_token_the_gateway_refuses_the_upgrade(tour: dict) -> None:
    async with aiohttp.ClientSession() as http:
        for url in (f"{GATEWAY_WS}/ws/tour/{tour['id']}", f"{GATEWAY_WS}/ws/tour/{tour['id']}?token=forged.jwt.x"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url)
            assert refused.value.status == 401
            # Envoy's jwt_authn said so (its challenge), not gid-service.
            assert refused.value.headers is not None
            assert refused.value.headers.get("www-authenticate", "").startswith("Bearer realm=")


@pytest.mark.parametrize("how", ["header", "query", "subprotocol"])
async def test_the_token_is_taken_from_where_a_client_can_put_it(tour: dict, account: Account, how: str) -> None:
    async with Listener(tour["id"], account.access_token, how=how) as listener:
        if how == "subprotocol":
            assert listener.ws is not None and listener.ws.protocol == "kulturago.bearer"
        await listener.send({"type": "start"})
        heard = await listener.until(lambda h: bool(h.audio))
    assert heard.of("session")[0]["language"] == "ru"


async def _whole_tour(tour: dict, account: Account, fmt: str, language: str) -> Heard:
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start", "format": fmt, "language": language, "autoplay": True})
        return await listener.until(done)


@pytest.mark.parametrize(("fmt", "codec", "language"), [("ogg", "opus", "ru"), ("mp3", "mp3", "en")])
async def test_a_whole_tour_is_one_stream_of_audio_ffprobe_recognises(tour: dict, account: Account, tmp_path: Path,
                                                                      fmt: str, codec: str, language: str) -> None:
    heard = await _whole_tour(tour, account, fmt, language)
    assert [n["stop"] for n in heard.of("stop")] == [0, 1, 2]
    assert [n["stop"] for n in heard.of("narrationEnd")] == [0, 1, 2]
    assert heard.of("stop")[1]["title"] == "Остановка 2"
    segments = heard.of("segment")
    assert len(segments) == 3 * 2  # two sentences a stop, synthesised one by one
    assert sum(s["bytes"] for s in segments) == len(heard.audio) == heard.of("done")[0]["offset"]
    # Each piece's audio starts where its notice says.
    assert [s["offset"] for s in segments] == [sum(x["bytes"] for x in segments[:i]) for i in range(len(segments))]
    path = tmp_path / f"tour.{fmt}"
    path.write_bytes(heard.audio)
    found = probe(path)
    assert found["codec"] == codec
    spoken = sum(s["durationMs"] for s in segments) / 1000
    assert spoken > 6 * 1.0  # six short sentences
    assert found["duration"] == pytest.approx(spoken, rel=0.1)
    assert decodes_cleanly(path)


async def test_entering_a_trigger_zone_starts_that_stops_narration(tour: dict, account: Account) -> None:
    stops = tour["stops"]
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start", "fromStop": 0})
        await listener.until(lambda h: bool(h.of("narrationEnd")))
        # Walking: between the stops (no zone), then 20 m from the third stop.
        await listener.send({"type": "position", "lat": stops[0]["location"]["lat"] + STEP_LAT / 2,
                             "lon": stops[0]["location"]["lon"] + STEP_LON / 2})
        await listener.send({"type": "position", "lat": stops[2]["location"]["lat"] + 0.00018,
                             "lon": stops[2]["location"]["lon"]})
        heard = await listener.until(done)  # the last stop narrated: done
    assert [n["stop"] for n in heard.of("stop")] == [0, 2]
    assert heard.of("narration")[1]["offset"] == heard.of("narrationEnd")[0]["offset"]


async def test_skip_goes_on_with_the_next_stop(tour: dict, account: Account) -> None:
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start", "fromStop": 1})
        await listener.until(lambda h: bool(h.of("segment")))
        await listener.send({"type": "skip"})
        heard = await listener.until(lambda h: len(h.of("stop")) == 2)
    assert [n["stop"] for n in heard.of("stop")] == [1, 2]


async def test_pause_holds_the_audio_until_resume(http: httpx.Client, admin: Account, account: Account) -> None:
    long = publish_tour(http, admin, tour_body(stops=3, sentences=8))  # more audio than the send window
    async with Listener(long["id"], account.access_token) as listener:
        await listener.send({"type": "start", "autoplay": True})
        # No acknowledgement yet: the server sends up to its window ahead, then waits.
        await listener.until(lambda h: len(h.audio) > 40_000, ack=False)
        await listener.send({"type": "pause"})
        paused = await listener.until(lambda h: bool(h.of("paused")), ack=False)
        at_pause = paused.of("paused")[0]["offset"]
        # The window opens, but the listener paused. Messages are handled in order: once
        # the answer to the last one is in, audio sent while paused would have come before.
        await listener.send({"type": "ack", "offset": at_pause})
        await listener.send({"type": "fly"})
        heard = await listener.until(lambda h: bool(h.of("error")), ack=False)
        assert len(heard.audio) == at_pause
        await listener.send({"type": "resume"})
        heard = await listener.until(done)
    assert heard.of("resumed")[0]["offset"] == at_pause and len(heard.audio) > at_pause
    assert [n["stop"] for n in heard.of("narrationEnd")] == [0, 1, 2]


async def test_a_dropped_connection_resumes_from_the_acknowledged_byte(tour: dict, account: Account) -> None:
    whole = await _whole_tour(tour, account, "ogg", "ru")
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start", "autoplay": True})
        # The listener confirms only the first 5,000 bytes (say the rest never reached it).
        first = await listener.until(lambda h: len(h.audio) > 12_000, ack_limit=5_000)
    async with Listener(tour["id"], account.access_token) as again:
        await again.send({"type": "start", "session": first.session})
        rest = await again.until(done)
    session = rest.of("session")[0]
    # The last acknowledgement the server recorded: 5,000 unless the old connection's
    # handler was still saving it when the new one came (then an earlier one).
    resumed_at = session["offset"]
    assert session["resumed"] is True and 0 < resumed_at <= 5_000
    # The bytes before it, then the resumed stream: the tour as heard whole.
    assert bytes(first.audio[:resumed_at]) + bytes(rest.audio) == bytes(whole.audio)
    assert [n["stop"] for n in rest.of("stop")] == [1, 2]  # stop 0 was under way already


async def test_another_listener_cannot_resume_my_session(tour: dict, account: Account,
                                                         new_account: object) -> None:
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start"})
        mine = await listener.until(lambda h: bool(h.of("session")))
    other = new_account()  # type: ignore[operator]
    async with Listener(tour["id"], other.access_token) as stranger:
        await stranger.send({"type": "start", "session": mine.session})
        heard = await stranger.until(lambda h: h.close_code is not None)
    assert heard.of("error")[0]["reason"] == "SESSION_NOT_YOURS" and heard.close_code == 4403


async def test_bad_messages_are_named_and_the_tour_goes_on(tour: dict, account: Account) -> None:
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start", "language": "de"})
        refused = await listener.until(lambda h: h.close_code is not None)
    assert refused.of("error")[0]["field"] == "language" and refused.close_code == 4400
    async with Listener(tour["id"], account.access_token) as listener:
        await listener.send({"type": "start"})
        await listener.send({"type": "position", "lat": "north"})
        await listener.send({"type": "fly"})
        heard = await listener.until(lambda h: len(h.of("error")) == 2 and bool(h.audio))
    assert [e["field"] for e in heard.of("error")] == ["lat", "type"]


async def test_an_unknown_tour_is_closed_with_4404(account: Account) -> None:
    async with Listener("no-such-tour", account.access_token) as listener:
        await listener.send({"type": "start"})
        heard = await listener.until(lambda h: h.close_code is not None)
    assert heard.close_code == 4404 and heard.of("error")[0]["reason"] == "TOUR_NOT_FOUND"
