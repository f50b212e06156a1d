"""Admin publishing: the RBAC matrix at the gateway and again in the service, and the
`event.published` event it writes through the outbox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from auth_support import Account, grpc_error_reason
from catalog_support import event_body, publish
from kafka_support import read_topic

from kgo import gateway, paths, provision, topology
from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc
from kulturago.event.v1 import events_pb2
from services.runtime.rpc.access import CLIENT_IP_HEADER, GATEWAY_HEADER


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def outside_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second Envoy from the same config generator whose internal network excludes
    loopback: to it, this test process is a client from outside."""
    tmp: Path = tmp_path_factory.mktemp("envoy")
    port = _free_port()
    opts = gateway.GatewayOptions(http_port=port, https_port=None, admin_port=_free_port(),
                                  internal_cidrs=("10.255.255.0/24",), access_log=str(tmp / "access.log"))
    config = tmp / "envoy.json"
    config.write_text(json.dumps(gateway.render(opts, jwks_file=str(paths.SECRETS / "jwks.json"), tls=None)))
    envoy = subprocess.Popen([str(provision.envoy()), "-c", str(config), "--base-id", str(_free_port()),
                              "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, gateway.GATEWAY_SECRET_ENV: provision.gateway_secret()})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/events?pageSize=1", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "second envoy did not come up"
            time.sleep(0.2)
        yield base
    finally:
        envoy.terminate()
        envoy.wait(10)


def test_no_token_is_401(http: httpx.Client) -> None:
    reply = http.post("/api/v1/events", json=event_body())
    assert reply.status_code == 401
    assert reply.json()["code"] == 16


def test_user_without_admin_role_is_403(http: httpx.Client, account: Account) -> None:
    reply = http.post("/api/v1/events", json=event_body(), headers=account.headers)
    assert reply.status_code == 403
    assert reply.json()["code"] == 7


def test_admin_from_internal_network_publishes(http: httpx.Client, admin: Account) -> None:
    body = event_body()
    event = publish(http, admin, body)
    assert event["slug"] == body["slug"]
    assert http.get(f"/api/v1/events/{body['slug']}").status_code == 200


def test_admin_from_outside_is_403_and_nothing_is_written(
        http: httpx.Client, admin: Account, outside_gateway: str) -> None:
    body = event_body()
    reply = httpx.post(f"{outside_gateway}/api/v1/events", json=body, headers=admin.headers, timeout=10)
    assert reply.status_code == 403
    assert reply.json()["code"] == 7
    # Reads stay public on that gateway; the event was never created.
    assert httpx.get(f"{outside_gateway}/api/v1/events/{body['slug']}", timeout=10).status_code == 404


def test_client_cannot_spoof_its_address(http: httpx.Client, admin: Account, outside_gateway: str) -> None:
    reply = httpx.post(f"{outside_gateway}/api/v1/events", json=event_body(), timeout=10,
                       headers={**admin.headers, "x-kulturago-client-ip": "10.255.255.7",
                                "x-forwarded-for": "10.255.255.7"})
    assert reply.status_code == 403


async def _publish_direct(token: str, client_ip: str | None, gateway_secret: str | None = None
                          ) -> grpc.aio.AioRpcError | pb.Event:
    """PublishEvent over direct gRPC; `client_ip` (+ `gateway_secret`) as the gateway sends them."""
    metadata = [("authorization", f"Bearer {token}")]
    if client_ip:
        metadata.append((CLIENT_IP_HEADER, client_ip))
    if gateway_secret:
        metadata.append((GATEWAY_HEADER, gateway_secret))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{topology.service('event').grpc_port}") as channel:
        request = pb.PublishEventRequest()
        request.event.CopyFrom(_proto_event())
        try:
            return await pb_grpc.EventServiceStub(channel).PublishEvent(request, metadata=metadata, timeout=10)
        except grpc.aio.AioRpcError as error:
            return error


def _proto_event() -> pb.Event:
    from google.protobuf import json_format

    return json_format.ParseDict(event_body(), pb.Event())


async def test_service_checks_role_and_network_itself(account: Account, admin: Account) -> None:
    """Behind the gateway's back (direct gRPC) the service enforces the same rules."""
    as_user = await _publish_direct(account.access_token, None)
    assert isinstance(as_user, grpc.aio.AioRpcError)
    assert as_user.code() == grpc.StatusCode.PERMISSION_DENIED
    assert grpc_error_reason(as_user) == "ADMIN_REQUIRED"

    # An outside client, as the gateway vouches for it.
    from_outside = await _publish_direct(admin.access_token, "203.0.113.9", provision.gateway_secret())
    assert isinstance(from_outside, grpc.aio.AioRpcError)
    assert from_outside.code() == grpc.StatusCode.PERMISSION_DENIED
    assert grpc_error_reason(from_outside) == "EXTERNAL_NETWORK"

    # Anyone else claiming a client address is judged by their own peer: a forged or
    # missing gateway secret makes the header count for nothing, either way.
    for forged in (None, "not-the-secret"):
        claims_outside = await _publish_direct(admin.access_token, "203.0.113.9", forged)
        assert isinstance(claims_outside, pb.Event)  # peer 127.0.0.1 is internal, whatever it says

    inside = await _publish_direct(admin.access_token, None)  # peer 127.0.0.1
    assert isinstance(inside, pb.Event)


def test_publish_writes_event_published_to_kafka(http: httpx.Client, admin: Account) -> None:
    body = event_body(title="Концерт для проверки Kafka")
    publish(http, admin, body)
    publish(http, admin, {**body, "title": "Концерт для проверки Kafka, версия 2"})
    records = read_topic("event.published", key=body["slug"], until=lambda r: len(r) >= 2)
    assert len(records) == 2
    for record in records:
        assert record.headers["ce_type"] == "kulturago.event.v1.EventPublished"
        assert record.headers["content-type"] == "application/protobuf"
        assert record.headers["ce_source"].startswith("//event.kulturago")
        assert record.headers["ce_id"] and record.headers["ce_time"] and record.headers["traceparent"]
    decoded = [events_pb2.EventPublished.FromString(r.value) for r in records]
    assert [d.version for d in decoded] == [1, 2]
    assert decoded[-1].snapshot.title == "Концерт для проверки Kafka, версия 2"
    assert decoded[-1].event.title == decoded[-1].snapshot.title  # the deprecated shape, still written
    assert len({r.headers["ce_id"] for r in records}) == 2


def test_published_event_is_searchable_within_two_seconds(http: httpx.Client, admin: Account) -> None:
    """The whole flow: admin POST -> outbox -> Kafka -> search indexer -> GET /api/v1/search."""
    word = "Зюйдвестка" + uuid.uuid4().hex[:6]
    body = event_body(title=f"Концерт {word}")
    publish(http, admin, body)
    published = time.monotonic()
    while True:
        hits = http.get("/api/v1/search", params={"q": word}).json()["hits"]
        if [h["slug"] for h in hits] == [body["slug"]]:
            break
        assert time.monotonic() - published < 2.0, f"not searchable after 2 s: {hits}"
        time.sleep(0.05)


def test_an_admin_token_stops_publishing_once_its_session_is_closed(http: httpx.Client) -> None:
    """Logout takes effect for privileged writes everywhere at once, not when the
    15-minute access token expires (event-service checks the session on admin calls)."""
    from kgo.admin import create_admin

    suffix = uuid.uuid4().hex[:8]
    email, password = f"admin-out-{suffix}@example.com", f"admin-{suffix}-pw"
    create_admin(email=email, password=password, login=f"admin_out_{suffix}")
    token = http.post("/api/v1/auth/signin", json={"login": email, "password": password}).json()["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    assert http.post("/api/v1/events", json=event_body(), headers=headers).status_code == 200

    assert http.post("/api/v1/auth/logout", json={}, headers=headers).status_code == 200
    reply = http.post("/api/v1/events", json=event_body(), headers=headers)
    assert reply.status_code == 401, reply.text
    assert reply.json()["details"][0]["reason"] == "SESSION_REVOKED"
    # Reads by the same (still unexpired) token are not privileged: they go on working.
    assert http.get("/api/v1/events", params={"pageSize": 1}).status_code == 200
