"""Audio tours: the live tour over WebSocket through Envoy, and speech synthesis.

- First audio byte after `start`, for a narration not synthesised yet (a fresh tour each
  time: its first sentence goes through the Redis stream, espeak-ng, ffmpeg and S3) and
  for one already synthesised. The WebSocket is open before the clock starts.
- Synthesis real-time factor: Speak (gRPC, internal) of new paragraphs one at a time,
  its whole latency over the audio's duration; and the workers' own (synthesis and
  encoding only), from gid-service's metrics.
- Listeners held at once: LISTENERS WebSockets start a demo tour together and listen to
  it whole (acknowledging as they receive). A listener stalls when a byte arrives after
  the moment a player that started at its first byte would have played it.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import grpc
import httpx

from bench.accounts import signed_in
from bench.report import Check, Section
from bench.wrk import LoadResult
from kgo import topology
from kgo.seed import seeder_token
from kulturago.gid.v1 import gid_service_pb2 as pb
from kulturago.gid.v1 import gid_service_pb2_grpc as pb_grpc

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
WS = f"ws://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
GID = f"127.0.0.1:{topology.service('gid').grpc_port}"
METRICS = f"http://127.0.0.1:{topology.service('gid').metrics_port}/metrics"
COLD, CACHED = 12, 30
SPEAK = 8
LISTENERS = 200
DEMO_TOUR = "dvortsovaya-i-nevskiy"  # five stops, ~52 s of Russian narration


def _fresh_tour(http: httpx.Client, admin: str) -> str:
    """A one-stop tour of a new narration (three sentences, the first ~10 words)."""
    run = random.randint(10**6, 10**9)
    text = (f"Добро пожаловать на прогулку номер {run}, она начинается у старой площади. "
            "Отсюда хорошо видна колокольня. Пройдём дальше по набережной.")
    tour_id = f"bench-{uuid.uuid4().hex[:10]}"
    body = {"id": tour_id, "city": "moscow", "title": "Бенчмарк экскурсии", "languages": ["ru"],
            "stops": [{"id": "start", "title": "Площадь", "location": {"lat": 58.1, "lon": 39.9},
                       "narrations": [{"language": "ru", "text": text}]}]}
    http.post("/api/v1/tours", json=body, headers={"Authorization": f"Bearer {admin}"}).raise_for_status()
    return tour_id


async def _first_byte(session: aiohttp.ClientSession, tour_id: str, token: str) -> float:
    async with session.ws_connect(f"{WS}/ws/tour/{tour_id}", headers={"Authorization": f"Bearer {token}"}) as ws:
        started = time.perf_counter()
        await ws.send_str(json.dumps({"type": "start"}))
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                return time.perf_counter() - started
    raise RuntimeError("no audio")


async def _first_bytes(tours: list[str], token: str) -> list[float]:
    async with aiohttp.ClientSession() as session:
        return [await _first_byte(session, tour_id, token) for tour_id in tours]


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def _result(name: str, connections: int, seconds: float, latencies: list[float], errors: int = 0) -> LoadResult:
    return LoadResult(name=name, connections=connections, seconds=seconds, requests=len(latencies),
                      rps=len(latencies) / seconds if seconds else 0.0, p50_ms=_ms(latencies, 0.5),
                      p95_ms=_ms(latencies, 0.95), p99_ms=_ms(latencies, 0.99),
                      max_ms=max(latencies, default=0.0) * 1000, errors=errors, non2xx=0)


def _metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def _speak_all(texts: list[str]) -> list[tuple[float, float]]:
    """(seconds to answer, seconds of audio) per text, one at a time."""
    out = []
    async with grpc.aio.insecure_channel(GID) as channel:
        stub = pb_grpc.SpeechServiceStub(channel)
        for text in texts:
            started = time.perf_counter()
            reply = await stub.Speak(pb.SpeakRequest(text=text, language="ru"), timeout=60)
            out.append((time.perf_counter() - started, reply.duration.seconds + reply.duration.nanos / 1e9))
    return out


def _paragraph() -> str:
    run = random.randint(10**6, 10**9)
    return (f"Экскурсия номер {run}. Перед вами здание, построенное в начале девятнадцатого века по проекту "
            "известного архитектора. Обратите внимание на колонны и лепнину фасада, которые сохранились почти "
            "без изменений. Внутри долгое время располагалась библиотека, а сегодня здесь открыт музей, "
            "куда стоит зайти хотя бы на час.")


@dataclass
class _Listening:
    first_byte: float = 0.0
    finished: float = 0.0
    stalls: int = 0
    worst_late_ms: float = 0.0
    bytes: int = 0
    audio_ms: int = 0
    segments: list[dict[str, Any]] = field(default_factory=list)

    def position_ms(self, offset: int) -> float:
        """The playing time at which the byte at `offset` is heard."""
        for segment in reversed(self.segments):
            if segment["offset"] <= offset:
                into = (offset - segment["offset"]) / max(1, segment["bytes"])
                start = sum(s["durationMs"] for s in self.segments if s["offset"] < segment["offset"])
                return start + into * segment["durationMs"]
        return 0.0


async def _listen(session: aiohttp.ClientSession, token: str, start_gate: asyncio.Event) -> _Listening:
    heard = _Listening()
    async with session.ws_connect(f"{WS}/ws/tour/{DEMO_TOUR}", headers={"Authorization": f"Bearer {token}"},
                                  heartbeat=30) as ws:
        await start_gate.wait()
        started = time.perf_counter()
        await ws.send_str(json.dumps({"type": "start", "autoplay": True}))
        playing_since = 0.0
        async for message in ws:
            now = time.perf_counter()
            if message.type == aiohttp.WSMsgType.BINARY:
                if not playing_since:
                    playing_since, heard.first_byte = now, now - started
                late_ms = (now - playing_since) * 1000 - heard.position_ms(heard.bytes)
                if late_ms > 0:
                    heard.stalls += 1
                    heard.worst_late_ms = max(heard.worst_late_ms, late_ms)
                heard.bytes += len(message.data)
                await ws.send_str(json.dumps({"type": "ack", "offset": heard.bytes}))
            elif message.type == aiohttp.WSMsgType.TEXT:
                notice = json.loads(message.data)
                if notice["type"] == "segment":
                    heard.segments.append(notice)
                    heard.audio_ms += notice["durationMs"]
                elif notice["type"] == "done":
                    heard.finished = now - started
                    break
    return heard


async def _listeners(tokens: list[str]) -> tuple[list[_Listening], float, int]:
    gate = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300)) as session:
        tasks = [asyncio.create_task(_listen(session, tokens[i % len(tokens)], gate)) for i in range(LISTENERS)]
        await asyncio.sleep(2)  # every socket open before they all start at once
        started = time.perf_counter()
        gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.perf_counter() - started
    heard = [r for r in results if isinstance(r, _Listening)]
    return heard, elapsed, len(results) - len(heard)


def _rss_mb() -> float:
    import subprocess

    pid = subprocess.run(["pgrep", "-f", "python -m services.gid"], capture_output=True, text=True).stdout.split()
    if not pid:
        return 0.0
    with open(f"/proc/{pid[0]}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run() -> Section:
    with httpx.Client(base_url=BASE, timeout=30) as http:
        admin = seeder_token()
        tokens = [h["Authorization"].removeprefix("Bearer ") for h in
                  signed_in(http, 20, login_prefix="listener", full_name="Слушатель")]
        tours = [_fresh_tour(http, admin) for _ in range(COLD)]
    cold = asyncio.run(_first_bytes(tours, tokens[0]))
    cached = asyncio.run(_first_bytes([tours[i % COLD] for i in range(CACHED)], tokens[1]))

    before = httpx.get(METRICS, timeout=5).text
    spoken = asyncio.run(_speak_all([_paragraph() for _ in range(SPEAK)]))
    after = httpx.get(METRICS, timeout=5).text
    speak_rtf = sum(s for s, _ in spoken) / sum(d for _, d in spoken)
    jobs = _metric(after, "tts_realtime_factor_count") - _metric(before, "tts_realtime_factor_count")
    worker_rtf = (_metric(after, "tts_realtime_factor_sum") - _metric(before, "tts_realtime_factor_sum")) / max(1, jobs)

    asyncio.run(_first_bytes([DEMO_TOUR], tokens[2]))  # the demo tour's audio synthesised once
    heard, elapsed, failed = asyncio.run(_listeners(tokens))
    stalled = sum(1 for h in heard if h.stalls)
    worst_late = max((h.worst_late_ms for h in heard), default=0.0)
    complete = sum(1 for h in heard if h.finished)
    audio_s = max((h.audio_ms for h in heard), default=0) / 1000
    rss = _rss_mb()

    cold_p95, cached_p95 = _ms(cold, 0.95), _ms(cached, 0.95)
    return Section(
        title="Audio tours: first audio byte, synthesis, listeners at once (WebSocket through Envoy)",
        results=[
            _result("start -> first audio byte, narration not yet synthesised (one at a time)", 1, sum(cold), cold),
            _result("start -> first audio byte, narration synthesised", 1, sum(cached), cached),
            _result(f"Speak (gRPC) of a new paragraph (~{sum(d for _, d in spoken) / len(spoken):.0f} s of audio)",
                    1, sum(s for s, _ in spoken), [s for s, _ in spoken]),
            _result(f"{LISTENERS} listeners start a {audio_s:.0f} s tour at once: start -> first byte",
                    LISTENERS, elapsed, [h.first_byte for h in heard], failed),
            _result(f"{LISTENERS} listeners: start -> whole tour received", LISTENERS, elapsed,
                    [h.finished for h in heard if h.finished], LISTENERS - complete),
        ],
        checks=[
            Check("first byte p95 (ms), not yet synthesised", cold_p95, "< 500", cold_p95 < 500),
            Check("first byte p95 (ms), synthesised", cached_p95, "< 100", cached_p95 < 100),
            Check("synthesis real-time factor, Speak end to end", speak_rtf, "reported (< 1: faster than speech)",
                  speak_rtf < 1),
            Check("synthesis real-time factor, worker (espeak-ng + ffmpeg)", worker_rtf, "reported", True),
            Check(f"listeners that heard the whole tour, of {LISTENERS}", complete, f"== {LISTENERS}",
                  complete == LISTENERS),
            Check("listeners that stalled", stalled, "== 0", stalled == 0),
            Check("worst lateness of a byte (ms)", worst_late, "== 0", worst_late == 0),
            Check("gid-service RSS after (MB)", rss, "reported", True),
        ],
        notes=[f"cold: {COLD} fresh one-stop tours (three sentences, the first of ~10 words), each started once "
               "right after publishing; cached: the same tours started again. The WebSocket is open before the "
               "clock starts; the client acknowledges every message.",
               f"Speak: {SPEAK} new paragraphs of five sentences one at a time; worker RTF is the mean of "
               "tts_realtime_factor over those jobs (synthesis and encoding of both formats, without queueing "
               "and S3).",
               f"listeners: {LISTENERS} WebSockets to {DEMO_TOUR} (synthesised beforehand), all sending `start` "
               "(autoplay) at the same instant, acknowledging as they receive; a stall is a byte arriving after "
               "a player started at the first byte would have played it. gid-service runs 2 synthesis workers; "
               "load generator, Envoy and every service share the machine's 2 cores."],
    )
