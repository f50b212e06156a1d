"""REST read paths through Envoy against a bare grpc.aio echo behind the same Envoy.

Throughput is measured at saturation (16 connections); the ratio to the echo is the
cost of our stack (interceptors, JWT, Redis, protobuf, transcoding) per request.
"""

from __future__ import annotations

import uuid

import httpx

from bench import wrk
from bench.report import Check, Section
from kgo import topology

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
SECONDS = 10
CONNECTIONS = 16


def _bench_token() -> str:
    suffix = uuid.uuid4().hex[:10]
    login, password = f"bench_{suffix}", f"bench-{suffix}-pw"
    with httpx.Client(base_url=BASE, timeout=10) as http:
        http.post("/api/v1/auth/signup", json={"email": f"{login}@bench.local", "login": login,
                                               "password": password, "fullName": "Бенчмарк"}).raise_for_status()
        reply = http.post("/api/v1/auth/signin", json={"login": login, "password": password})
        reply.raise_for_status()
        token: str = reply.json()["accessToken"]
        http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).raise_for_status()  # warm the cache
        http.get("/api/v1/events").raise_for_status()
    return token


def run() -> Section:
    token = _bench_token()
    echo = wrk.run("GET /bench/echo (bare grpc.aio)", BASE, ["/bench/echo?message=hi"],
                   connections=CONNECTIONS, seconds=SECONDS)
    me = wrk.run("GET /api/v1/me", BASE, ["/api/v1/me"], headers={"Authorization": f"Bearer {token}"},
                 connections=CONNECTIONS, seconds=SECONDS)
    events = wrk.run("GET /api/v1/events (cached)", BASE, ["/api/v1/events"], connections=CONNECTIONS,
                     seconds=SECONDS)
    me_ratio = me.rps / echo.rps
    events_ratio = events.rps / echo.rps
    return Section(
        title="Gateway read paths vs bare echo (Envoy -> grpc.aio)",
        results=[echo, me, events],
        checks=[
            Check("/api/v1/me rps / echo rps", me_ratio, ">= 0.5", me_ratio >= 0.5),
            Check("/api/v1/events rps / echo rps", events_ratio, ">= 0.5", events_ratio >= 0.5),
            Check("/api/v1/events p99 ms", events.p99_ms, "< 20 ms", events.p99_ms < 20),
        ],
        notes=[f"wrk, {CONNECTIONS} connections, {SECONDS} s each, one run after another on the same 2 cores "
               "(load generator, Envoy and the services share them)."],
    )
