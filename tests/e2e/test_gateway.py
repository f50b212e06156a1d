"""The gateway itself: TLS listener, JSON for Envoy's own replies, health-checked upstreams."""

from __future__ import annotations

import ssl

import httpx

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
