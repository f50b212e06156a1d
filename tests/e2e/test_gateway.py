"""The gateway itself: TLS listener, JSON for Envoy's own replies, health-checked upstreams."""

from __future__ import annotations

import json
import socket
import ssl
from typing import Any

import httpx
import pytest

from kgo import paths, topology


def test_tls_listener_serves_the_api_with_the_dev_certificate() -> None:
    with httpx.Client(base_url=f"https://127.0.0.1:{topology.GATEWAY_HTTPS_PORT}",
                      verify=ssl.create_default_context(cafile=paths.SECRETS / "gateway.crt"), timeout=10) as https:
        reply = https.get("/api/v1/events", params={"pageSize": 1})
    assert reply.status_code == 200
    assert len(reply.json()["events"]) == 1


def test_envoy_replies_are_json(http: httpx.Client) -> None:
    for path, status in (("/api/v1/no-such-thing", 404), ("/internal/tickets/callback", 404)):
        reply = http.get(path)
        assert reply.status_code == status
        assert reply.headers["content-type"] == "application/json"
        assert reply.json()["code"] == 5
    malformed = http.post("/api/v1/auth/signin", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/json"


def test_every_upstream_is_health_checked_and_healthy() -> None:
    clusters = httpx.get(f"http://127.0.0.1:{topology.ENVOY_ADMIN_PORT}/clusters?format=json", timeout=10).json()
    by_name = {c["name"]: c for c in clusters["cluster_statuses"]}
    for svc in topology.SERVICES:
        hosts = by_name[svc.name]["host_statuses"]
        assert hosts and all(h["health_status"]["eds_health_status"] == "HEALTHY" for h in hosts), svc.name
        assert not any(h["health_status"].get("failed_active_health_check") for h in hosts), svc.name


def test_a_method_the_path_does_not_declare_is_405_with_allow(http: httpx.Client) -> None:
    for method, path, allow in (("DELETE", "/api/v1/me", "GET"), ("PUT", "/api/v1/events", "GET, POST"),
                                ("DELETE", "/api/v1/events/some-slug?x=1", "GET"),
                                ("GET", "/api/v1/auth/signin", "POST"), ("PATCH", "/api/v1/profile/", "GET, PUT")):
        reply = http.request(method, path)
        assert reply.status_code == 405, (method, path, reply.text)
        assert reply.headers["allow"] == allow
        assert reply.headers["content-type"] == "application/json"
        assert reply.json()["code"] == 12  # UNIMPLEMENTED
        assert method in reply.json()["message"] and allow in reply.json()["message"]


def test_an_unknown_path_stays_404_whatever_the_method(http: httpx.Client) -> None:
    for method, path in (("DELETE", "/api/v1/no-such-thing"), ("GET", "/api/v1/events/a/b"),
                         ("POST", "/api/v1/me/more")):
        reply = http.request(method, path)
        assert reply.status_code == 404, (method, path, reply.text)
        assert "allow" not in reply.headers
        assert reply.json()["code"] == 5


def _raw_request(request: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    """One HTTP/1.1 exchange on a plain socket: requests no HTTP client library would send.
    Returns the status, the JSON body and the headers (lowercase names)."""
    with socket.create_connection(("127.0.0.1", topology.GATEWAY_HTTP_PORT), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    assert headers["content-type"] == "application/json", head
    return int(status_line.split(" ")[1]), json.loads(body), headers


@pytest.mark.parametrize(("request_line", "headers", "status"), [
    (b"GET /api/v1/events/%00 HTTP/1.1", b"Host: x", 400),  # the path cannot be normalized
    (b"GET /api/v1/ev%00ents?x=1 HTTP/1.1", b"Host: x", 400),
    (b"GET /api/v1/events#top HTTP/1.1", b"Host: x", 400),
    (b"GET /api/v1/events HTTP/1.1", b"Host: x\r\nConnection: Upgrade\r\nUpgrade: websocket", 403),
    (b"GET /api/v1/events HTTP/1.1", b"", 400),  # no Host
    (b"OPTIONS * HTTP/1.1", b"Host: x", 404),
    (b"GET /api/v1/events HTTP/1.0", b"Host: x", 426),
    (b"GET /api/v1/ev ents HTTP/1.1", b"Host: x", 400),
])
def test_every_envoy_4xx_carries_a_message(request_line: bytes, headers: bytes, status: int) -> None:
    got, body, _ = _raw_request(request_line + b"\r\n" + (headers + b"\r\n" if headers else b"") + b"\r\n")
    assert got == status, body
    assert body["code"] not in (0, 2), body  # mapped to a google.rpc.Code, not UNKNOWN
    assert body["message"].strip(), body


_EVERY_KIND_OF_REPLY = [
    ("GET", "/api/v1/events?pageSize=1", 200),  # a service's answer
    ("GET", "/api/v1/events/no-such-event", 404),  # a service's error
    ("GET", "/api/v1/me", 401),  # jwt_authn's
    ("DELETE", "/api/v1/me", 405),  # a local reply mapper's
    ("GET", "/api/v1/events/%00", 400),  # the connection manager's own
    ("GET", "/.well-known/jwks.json", 200),  # raw HttpBody
]


def _hsts_max_age(reply: httpx.Response) -> int:
    directives = dict(d.strip().partition("=")[::2] for d in reply.headers["strict-transport-security"].split(";"))
    return int(directives["max-age"])


def test_https_replies_carry_hsts_and_nosniff() -> None:
    with httpx.Client(base_url=f"https://127.0.0.1:{topology.GATEWAY_HTTPS_PORT}",
                      verify=ssl.create_default_context(cafile=paths.SECRETS / "gateway.crt"), timeout=10) as https:
        for method, path, status in _EVERY_KIND_OF_REPLY:
            reply = https.request(method, path)
            assert reply.status_code == status, (method, path, reply.text)
            assert _hsts_max_age(reply) >= 180 * 24 * 3600, (path, reply.headers)
            assert reply.headers.get_list("x-content-type-options") == ["nosniff"], (path, reply.headers)


def test_plain_http_replies_carry_nosniff_but_no_hsts(http: httpx.Client) -> None:
    for method, path, status in _EVERY_KIND_OF_REPLY:
        reply = http.request(method, path)
        assert reply.status_code == status, (method, path, reply.text)
        assert reply.headers.get_list("x-content-type-options") == ["nosniff"], (path, reply.headers)
        assert "strict-transport-security" not in reply.headers  # RFC 6797 7.2: never over plain HTTP
    status, _, headers = _raw_request(b"GET /api/v1/ev ents HTTP/1.1\r\nHost: x\r\n\r\n")  # the codec's own
    assert status == 400 and headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/v1/events?pageSize=1", "/api/v1/events/no-such-event", "/api/v1/me",
                                  "/no/such/path"])
def test_replies_do_not_say_what_serves_them(http: httpx.Client, path: str) -> None:
    # An answer from upstream, a service's error, Envoy's own refusal, and its 404.
    reply = http.get(path)
    assert "server" not in reply.headers
    assert not [name for name in reply.headers if name.startswith("x-envoy-")], reply.headers
