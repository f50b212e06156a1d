"""The REST bindings the gateway reads from the contracts (kgo/rest_bindings.py): path
templates as regular expressions, and the methods each bound path allows."""

from __future__ import annotations

import re

import pytest

from kgo import rest_bindings, topology
from services.runtime.rpc.policy import service_descriptor


@pytest.mark.parametrize(("template", "matches", "misses"), [
    ("/api/v1/me", ["/api/v1/me"], ["/api/v1/me/x", "/api/v1/mex"]),
    ("/api/v1/events/{slug}", ["/api/v1/events/jazz", "/api/v1/events/a%2Fb"],
     ["/api/v1/events/", "/api/v1/events/a/b"]),
    ("/v1/{name=shelves/*/books/*}", ["/v1/shelves/1/books/2"], ["/v1/shelves/1", "/v1/books/2"]),
    ("/v1/files/**", ["/v1/files/a", "/v1/files/a/b/c"], ["/v1/file"]),
    ("/v1/{name=*}:publish", ["/v1/x:publish"], ["/v1/x", "/v1/x:other"]),
    ("/.well-known/jwks.json", ["/.well-known/jwks.json"], ["/.well-known/jwksxjson"]),
])
def test_templates_become_whole_path_regexes(template: str, matches: list[str], misses: list[str]) -> None:
    regex = re.compile(rest_bindings.template_regex(template))
    assert all(regex.fullmatch(p) for p in matches), matches
    assert not any(regex.fullmatch(p) for p in misses), misses


def test_a_binding_also_matches_its_trailing_slash_variant() -> None:
    # The transcoder resolves /api/v1/me/ to GetMe as well.
    binding = rest_bindings.Binding("/kulturago.auth.v1.ProfileService/GetMe", "GET", "/api/v1/me")
    assert re.fullmatch(binding.path_regex, "/api/v1/me/")


def test_allowed_methods_are_read_from_the_contracts() -> None:
    services = [service_descriptor(n) for s in topology.SERVICES for n in s.grpc_services]
    allowed = rest_bindings.allowed_methods(rest_bindings.bindings(services))
    by_template = {rest_bindings.template_regex(t) + "/?": t for t in (
        "/api/v1/events", "/api/v1/events/{slug}", "/api/v1/me", "/api/v1/auth/signin", "/.well-known/jwks.json")}
    assert {by_template[r]: m for r, m in allowed.items() if r in by_template} == {
        "/api/v1/events": ("GET", "POST"), "/api/v1/events/{slug}": ("GET",), "/api/v1/me": ("GET",),
        "/api/v1/auth/signin": ("POST",), "/.well-known/jwks.json": ("GET",)}
