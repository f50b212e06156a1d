"""`kgo tour listen ID`: a live tour from the command line, written to an audio file; and
the demo tours `kgo seed` (and `kgo up`, once) publishes.

The listener is a plain WebSocket client of the gateway's `/ws/tour/{id}` (what an app
does): `start` with autoplay (every stop in turn, as when listening at home), an `ack`
for every audio message, and on a dropped connection a new one that resumes the
session from the last acknowledged byte (the file is cut back to it).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import grpc

from kgo import provision, topology
from kgo.console import step
from kgo.demo_city.tours import DemoTour, demo_tours
from kulturago.gid.v1 import gid_service_pb2 as gid_pb
from kulturago.gid.v1 import gid_service_pb2_grpc as gid_pb_grpc

GATEWAY = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"


# --- kgo tour listen ---------------------------------------------------------------

class TourListener:
    """Listens to a whole tour into `out`; resumes after a dropped connection."""

    def __init__(self, gateway: str, token: str, tour_id: str, out: Path, *, language: str = "",
                 fmt: str = "ogg", from_stop: int = 0, log: Any = print) -> None:
        self.url = gateway.replace("http", "ws", 1).rstrip("/") + f"/ws/tour/{tour_id}"
        self.token, self.out, self.log = token, out, log
        self.start = {"type": "start", "language": language, "format": fmt, "fromStop": from_stop, "autoplay": True}
        self.session = ""
        self.received = 0
        self.duration_ms = 0
        self.first_audio_s: float | None = None

    async def run(self, *, attempts: int = 5) -> None:
        import aiohttp

        self.out.write_bytes(b"")
        started = time.monotonic()
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {self.token}"}) as http:
            for attempt in range(attempts):
                try:
                    if await self._connection(http, started):
                        return
                except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                    self.log(f"connection lost ({exc.__class__.__name__}); resuming")
                if not self.session:
                    raise SystemExit("kgo: the tour did not start")
                await asyncio.sleep(min(2.0, 0.2 * 2 ** attempt))
        raise SystemExit(f"kgo: gave up after {attempts} connections")

    async def _connection(self, http: Any, started: float) -> bool:
        """One connection until `done` (True) or until it drops (False)."""
        import aiohttp

        async with http.ws_connect(self.url, heartbeat=30) as ws:
            await ws.send_str(json.dumps({"type": "start", "session": self.session} if self.session else self.start))
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    if self.first_audio_s is None:
                        self.first_audio_s = time.monotonic() - started
                    with self.out.open("ab") as f:
                        f.write(message.data)
                    self.received += len(message.data)
                    await ws.send_str(json.dumps({"type": "ack", "offset": self.received}))
                elif message.type == aiohttp.WSMsgType.TEXT:
                    if self._notice(json.loads(message.data)):
                        return True
            if ws.close_code and ws.close_code >= 4000:
                raise SystemExit(f"kgo: the server closed the tour ({ws.close_code})")
        return False

    def _notice(self, notice: dict[str, Any]) -> bool:
        kind = notice.get("type")
        if kind == "session":
            self.session = notice["session"]
            if notice.get("resumed"):
                # Continue from the byte the server resumes at (what we acknowledged).
                with self.out.open("r+b") as f:
                    f.truncate(notice["offset"])
                self.received = notice["offset"]
            self.log(f"session {self.session}: {notice['stops']} stops, {notice['language']}, {notice['format']}")
        elif kind == "stop":
            self.log(f"[{notice['stop'] + 1}] {notice['title']}")
        elif kind == "segment":
            self.duration_ms += notice["durationMs"]
        elif kind == "error":
            self.log(f"error: {notice.get('message')}")
        elif kind == "done":
            return True
        return False


def sign_in(gateway: str, login: str, password: str) -> str:
    import httpx

    reply = httpx.post(f"{gateway}/api/v1/auth/signin", json={"login": login, "password": password}, timeout=15)
    if reply.status_code != 200:
        raise SystemExit(f"kgo: sign-in failed ({reply.status_code}): {reply.text[:200]}")
    return str(reply.json()["accessToken"])


def listen(tour_id: str, *, out: str | None, language: str, fmt: str, from_stop: int, token: str | None,
           login: str | None, password: str | None, gateway: str = GATEWAY) -> int:
    if not token:
        if not (login and password):
            raise SystemExit("kgo: give --token (or KGO_TOKEN), or --login and --password")
        token = sign_in(gateway, login, password)
    path = Path(out or f"{tour_id}.{'mp3' if fmt == 'mp3' else 'ogg'}")
    listener = TourListener(gateway, token, tour_id, path, language=language, fmt=fmt, from_stop=from_stop,
                            log=lambda line: print(line, file=sys.stderr))
    started = time.monotonic()
    asyncio.run(listener.run())
    print(f"{path}: {listener.received} bytes, {listener.duration_ms / 1000:.1f} s of audio; first audio after "
          f"{(listener.first_audio_s or 0) * 1000:.0f} ms, whole tour in {time.monotonic() - started:.1f} s")
    return 0


# --- demo tours --------------------------------------------------------------------

def _stop_picture(key: str) -> bytes:
    """A placeholder picture for a stop (a colour of its own and a map pin): the demo has
    no photographs, but its bundles carry a picture per stop as real ones would."""
    from PIL import Image, ImageDraw

    r, g, b = (c // 2 + 64 for c in hashlib.sha256(key.encode()).digest()[:3])
    image = Image.new("RGB", (640, 400))
    draw = ImageDraw.Draw(image)
    for y in range(400):  # darker towards the bottom
        draw.line([(0, y), (640, y)], fill=(r - y // 8, g - y // 8, b - y // 8))
    draw.ellipse([290, 120, 350, 180], fill="white")
    draw.polygon([(294, 162), (346, 162), (320, 230)], fill="white")
    draw.ellipse([308, 138, 332, 162], fill=(r, g, b))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def tour_to_proto(tour: DemoTour) -> gid_pb.Tour:
    return gid_pb.Tour(
        id=tour.id, city=tour.city, title=tour.title, description=tour.description, languages=list(tour.languages),
        stops=[gid_pb.Stop(id=s.id, title=s.title, location=gid_pb.LatLng(lat=s.lat, lon=s.lon),
                           trigger_radius=s.trigger_radius, image=tour.image_key(s), poi_id=s.poi_id,
                           narrations=[gid_pb.StopNarration(language=lang, text=text, title=s.titles.get(lang, ""))
                                       for lang, text in s.narrations.items()])
               for s in tour.stops])


async def _upload_pictures(tours: list[DemoTour]) -> None:
    from services.runtime.object_storage import ObjectStorage, S3Settings

    access, secret = provision.s3_credentials()
    storage = ObjectStorage(S3Settings(endpoint=f"http://127.0.0.1:{topology.S3_PORT}", access_key=access,
                                       secret_key=secret, bucket=topology.S3_BUCKET))
    await asyncio.gather(*(storage.write(t.image_key(s), _stop_picture(t.image_key(s)), content_type="image/png")
                           for t in tours for s in t.stops))


def seed_tours() -> int:
    """The demo city's audio tours, through gid-service's PublishTour (measured by
    geo-service like an admin's), with a picture per stop in the bucket."""
    from kgo.seed import seeder_token

    tours = demo_tours()
    with step(f"seeding {len(tours)} demo audio tours"):
        asyncio.run(_upload_pictures(tours))
        metadata = (("authorization", f"Bearer {seeder_token()}"),)
        with grpc.insecure_channel(f"127.0.0.1:{topology.service('gid').grpc_port}") as channel:
            stub = gid_pb_grpc.TourServiceStub(channel)
            for tour in tours:
                stub.PublishTour(gid_pb.PublishTourRequest(tour=tour_to_proto(tour)), metadata=metadata, timeout=60)
    return len(tours)
