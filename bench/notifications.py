"""notification-service, from the event to the outside world, on the real platform.

ticket.paid -> e-mail in the SMTP sink: ticket.paid events (each with one ticket, so one
QR code to draw and attach; the buyers are real users with an FCM device) are produced to
Kafka as ticketing's relay does, paced at 5 and at 20 a second (PACED); the latency of
each is the sink's receipt time minus the event's time (one machine, one clock). Then a burst of
BURST events at once: sustained deliveries a second (e-mails in the sink over the time
from the first event to the last e-mail; every event also makes a push and an inbox entry).

Avatar: PUT /api/v1/profile with a new avatar (presigned upload to S3 first) -> the
e-mail about it in the sink: from the request's start to the sink's receipt.

Target: p95 < 250 ms from the Kafka event to the e-mail in the sink.
"""

from __future__ import annotations

import io
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from confluent_kafka import Producer
from PIL import Image

from bench.report import Check, Section
from bench.tickets import _ms, _result
from bench.wrk import LoadResult
from kgo import topology
from kulturago.ticketing.v1 import events_pb2 as ticket_events
from services.runtime.messaging.envelope import wrap
from services.runtime.timestamps import to_timestamp

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
SINK = topology.sandbox("smtp").url
USERS = 20
PACED = ((5.0, 100), (20.0, 200))  # (events a second, events)
BURST = 1000
AVATARS = 30


@dataclass(frozen=True)
class User:
    id: str
    email: str
    headers: dict[str, str]


def _users(http: httpx.Client, count: int) -> list[User]:
    users = []
    for _ in range(count):
        suffix = uuid.uuid4().hex[:10]
        login, password = f"notif_{suffix}", f"Bench-{suffix}-Pw!"
        email = f"{login}@bench.local"
        signed_up = http.post("/api/v1/auth/signup", json={"email": email, "login": login, "password": password,
                                                           "fullName": "Бенчмарк"})
        signed_up.raise_for_status()
        tokens = http.post("/api/v1/auth/signin", json={"login": login, "password": password})
        tokens.raise_for_status()
        user = User(signed_up.json()["id"], email, {"Authorization": f"Bearer {tokens.json()['accessToken']}"})
        http.post("/api/v1/devices", headers=user.headers,
                  json={"token": f"bench-{uuid.uuid4().hex}", "platform": "fcm"}).raise_for_status()
        users.append(user)
    return users


def _ticket_paid(user: User, title: str) -> ticket_events.TicketPaid:
    order = str(uuid.uuid4())
    start = datetime.now(UTC) + timedelta(days=7)
    return ticket_events.TicketPaid(order=ticket_events.OrderSummary(
        order_id=order, user_id=user.id, event_slug="bench", event_title=title, session_id="ga",
        session_start_time=to_timestamp(start), amount=150000, currency="RUB",
        tickets=[ticket_events.TicketLine(ticket_id=str(uuid.uuid4()), tier_id="floor", tier_name="Танцпол",
                                          price=150000, secret=f"bench.{uuid.uuid4().hex}.{'s' * 86}")]),
        payment_id=str(uuid.uuid4()))


def _received(users: list[User], prefix: str) -> dict[str, float]:
    """Subject -> the sink's receipt time, of the mails whose subject has `prefix`."""
    found: dict[str, float] = {}
    for user in users:
        reply = httpx.get(f"{SINK}/messages", params={"to": user.email, "limit": 1000}, timeout=30)
        reply.raise_for_status()
        found.update({m["subject"]: m["received"] for m in reply.json()["messages"] if prefix in m["subject"]})
    return found


def _wait_for(users: list[User], prefix: str, count: int, timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while True:
        found = _received(users, prefix)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def _produce(users: list[User], count: int, rate: float | None, run: str) -> dict[str, float]:
    """Produce `count` ticket.paid events (paced at `rate` a second, or all at once); the
    subject each e-mail will have -> when its event was produced."""
    producer = Producer({"bootstrap.servers": f"127.0.0.1:{topology.KAFKA_PORT}", "linger.ms": 0, "log_level": 3})
    sent: dict[str, float] = {}
    started = time.monotonic()
    for n in range(count):
        title = f"{run} {n}"
        user = users[n % len(users)]
        envelope = wrap("ticket.paid", user.id, _ticket_paid(user, title), "//bench")
        if rate:
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        sent[f"Ваши билеты: {title}"] = time.time()
        producer.produce("ticket.paid", key=envelope.key, value=envelope.payload,
                         headers=list(envelope.headers.items()))
        producer.poll(0)
    producer.flush(30)
    return sent


def _latencies(sent: dict[str, float], received: dict[str, float]) -> list[float]:
    return [received[s] - at for s, at in sent.items() if s in received]


def _png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(out, "PNG")
    return out.getvalue()


def _avatar_latencies(http: httpx.Client, users: list[User]) -> tuple[list[float], int]:
    """From PUT /api/v1/profile to the e-mail about it in the sink, one avatar after another."""
    latencies, missing = [], 0
    for n in range(AVATARS):
        user = users[n % len(users)]
        before = {m["id"] for m in httpx.get(f"{SINK}/messages", params={"to": user.email, "limit": 1000},
                                             timeout=30).json()["messages"]}
        presigned = http.get("/api/v1/avatar/presign", params={"contentType": "image/png"}, headers=user.headers)
        presigned.raise_for_status()
        body = presigned.json()
        httpx.post(body["url"], data=body["fields"], files={"file": ("a.png", _png(), "image/png")},
                   timeout=30).raise_for_status()
        started = time.time()
        if http.put("/api/v1/profile", json={"avatar": body["objectKey"]}, headers=user.headers).status_code != 200:
            missing += 1  # counted, not fatal: the run goes on
            continue
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = [m for m in httpx.get(f"{SINK}/messages", params={"to": user.email, "limit": 20}, timeout=30)
                   .json()["messages"] if m["id"] not in before and "Аватар" in m["subject"]]
            if new:
                latencies.append(new[0]["received"] - started)
                break
            time.sleep(0.01)
        else:
            missing += 1
    return latencies, missing


def _latency_result(name: str, seconds: float, latencies: list[float], lost: int) -> LoadResult:
    return _result(name, 1, seconds, latencies, 0, lost)


def run() -> Section:
    with httpx.Client(base_url=BASE, timeout=30) as http:
        users = _users(http, USERS)
        time.sleep(2)  # user.signed_up reaches notification-service (its contacts) first
        run_id = uuid.uuid4().hex[:6]
        paced: list[tuple[float, int, float, list[float]]] = []
        for rate, count in PACED:
            started = time.monotonic()
            sent = _produce(users, count, rate, f"bench-paced{rate:.0f}-{run_id}")
            received = _wait_for(users, f"bench-paced{rate:.0f}-{run_id}", count, 60)
            paced.append((rate, count, time.monotonic() - started, _latencies(sent, received)))
        burst = _produce(users, BURST, None, f"bench-burst-{run_id}")
        burst_received = _wait_for(users, f"bench-burst-{run_id}", BURST, 300)
        avatar, avatar_missing = _avatar_latencies(http, users)
    burst_latency = _latencies(burst, burst_received)
    burst_seconds = (max(burst_received.values(), default=0.0) - min(burst.values())) if burst_received else 0.0
    per_second = len(burst_received) / burst_seconds if burst_seconds > 0 else 0.0
    lost = sum(count - len(latencies) for _, count, _, latencies in paced) + (BURST - len(burst_received))
    results = [_latency_result(f"ticket.paid -> e-mail, {rate:.0f} events/s (QR attached, push too)", seconds,
                               latencies, count - len(latencies)) for rate, count, seconds, latencies in paced]
    checks = [Check(f"ticket.paid -> e-mail p95 (ms) at {rate:.0f} events/s", _ms(latencies, 0.95), "< 250",
                    _ms(latencies, 0.95) < 250) for rate, _, _, latencies in paced]
    return Section(
        title="Notifications: event -> e-mail in the SMTP sink",
        results=[*results,
                 _latency_result(f"ticket.paid -> e-mail, burst of {BURST}", burst_seconds, burst_latency,
                                 BURST - len(burst_received)),
                 _latency_result("PUT /api/v1/profile (new avatar) -> e-mail, one at a time", 0.0, avatar,
                                 avatar_missing)],
        checks=[*checks,
                Check("e-mails delivered per second (burst)", per_second, "reported", True),
                Check("events without their e-mail", lost + avatar_missing, "== 0", lost + avatar_missing == 0)],
        notes=[f"{USERS} users with an FCM device each; every ticket.paid makes an e-mail with a QR code "
               "(SMTP with STARTTLS and AUTH, one connection per message), a push and an inbox entry",
               "Latency: the SMTP sink's receipt time minus the time the event was produced (same clock); the "
               "rps column of the burst row is e-mails per second",
               "Load generator, Kafka, PostgreSQL, the services and the sandboxes share the same 2 cores."],
    )
