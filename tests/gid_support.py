"""Helpers for the audio-tour tests: building tours, publishing them as an admin through
the gateway, a WebSocket listener of the live tour, and ffprobe. Test tours sit in an
empty corner of the map, each around a point of its own, under unique ids (the demo
tours never interfere); their narrations carry a number of their own, so their speech
is synthesised anew by each run."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from auth_support import Account

from kgo import topology

GATEWAY_WS = f"ws://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
# Stops ~200 m apart going north-east; trigger zones of 40 m.
STEP_LAT, STEP_LON = 0.0013, 0.0022


def tour_point() -> tuple[float, float]:
    """A start no other tour shares: a random spot in the wide, empty north-east (~400 km a
    side: another test tour within a kilometre is as good as impossible)."""
    return round(random.uniform(57.0, 60.5), 5), round(random.uniform(38.5, 46.0), 5)


def tour_body(*, stops: int = 3, languages: tuple[str, ...] = ("ru",), sentences: int = 2,
              start: tuple[float, float] | None = None, **extra: Any) -> dict[str, Any]:
    lat, lon = start or tour_point()
    run = random.randint(1000, 999_999)  # new words, new speech
    texts = {
        "ru": lambda i, k: f"Остановка {i + 1}, фраза {k + 1}, запись {run}.",
        "en": lambda i, k: f"Stop {i + 1}, sentence {k + 1}, take {run}.",
    }
    body: dict[str, Any] = {
        "id": f"test-{uuid.uuid4().hex[:12]}",
        "city": "moscow",
        "title": "Тестовая прогулка",
        "description": "Прогулка для тестов.",
        "languages": list(languages),
        "stops": [{
            "id": f"stop-{i}",
            "title": f"Остановка {i + 1}",
            "location": {"lat": round(lat + i * STEP_LAT, 6), "lon": round(lon + i * STEP_LON, 6)},
            "narrations": [{"language": language, "text": " ".join(texts[language](i, k) for k in range(sentences))}
                           for language in languages],
        } for i in range(stops)],
    }
    return {**body, **extra}


def publish_tour(http: httpx.Client, admin: Account, body: dict[str, Any]) -> dict[str, Any]:
    reply = http.post("/api/v1/tours", json=body, headers=admin.headers)
    assert reply.status_code == 200, reply.text
    published: dict[str, Any] = reply.json()
    return published


@dataclass
class Heard:
    """What one connection received."""

    notices: list[dict[str, Any]] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    close_code: int | None = None

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [n for n in self.notices if n["type"] == kind]

    @property
    def session(self) -> str:
        return str(self.of("session")[0]["session"])


class Listener:
    """A live-tour client: a WebSocket through the gateway, acknowledging audio as it comes."""

    def __init__(self, tour_id: str, token: str | None, *, how: str = "header") -> None:
        self.url = f"{GATEWAY_WS}/ws/tour/{tour_id}"
        self.token, self.how = token, how
        self.heard = Heard()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Listener:
        headers: dict[str, str] = {}
        protocols: tuple[str, ...] = ()
        url = self.url
        if self.token and self.how == "header":
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.token and self.how == "query":
            url += f"?token={self.token}"
        elif self.token and self.how == "subprotocol":
            protocols = ("kulturago.bearer", self.token)
        self._http = aiohttp.ClientSession()
        try:
            self.ws = await self._http.ws_connect(url, headers=headers, protocols=protocols, heartbeat=30)
        except BaseException:
            await self._http.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._http is not None:
            await self._http.close()

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(message))

    async def until(self, predicate: Any, *, ack: bool = True, ack_limit: int | None = None,
                    within: float = 60.0) -> Heard:
        """Receive until `predicate(heard)` holds, acknowledging audio (up to `ack_limit`)."""
        assert self.ws is not None
        async with asyncio.timeout(within):
            while not predicate(self.heard):
                message = await self.ws.receive()
                if message.type == aiohttp.WSMsgType.TEXT:
                    self.heard.notices.append(json.loads(message.data))
                elif message.type == aiohttp.WSMsgType.BINARY:
                    self.heard.audio += message.data
                    if ack:
                        offset = len(self.heard.audio) if ack_limit is None else min(len(self.heard.audio), ack_limit)
                        await self.send({"type": "ack", "offset": offset})
                else:
                    self.heard.close_code = self.ws.close_code
                    break
        return self.heard


def done(heard: Heard) -> bool:
    return bool(heard.of("done"))


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's view of an audio file: its format and first stream."""
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {"format": data["format"]["format_name"], "codec": data["streams"][0]["codec_name"],
            "duration": float(data["format"].get("duration", 0))}


def decodes_cleanly(path: Path) -> bool:
    """ffmpeg decodes the whole file without a single error."""
    result = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True,
                            text=True, check=False)
    return result.returncode == 0 and not result.stderr.strip()
