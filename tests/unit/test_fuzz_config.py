"""What `nox -s fuzz` (kgo/fuzz.py) asks of schemathesis: pure, no servers."""

from __future__ import annotations

import tomllib
from typing import Any

import yaml

from kgo import fuzz, paths, topology

DOCUMENT: dict[str, Any] = yaml.safe_load(paths.OPENAPI.read_text())


def test_every_routed_service_of_the_document_is_fuzzed_and_nothing_else() -> None:
    tags = fuzz.routed_tags(DOCUMENT)
    assert {"AuthService", "ProfileService", "EventService", "TicketingService"} <= set(tags)
    routed = {name.rsplit(".", 1)[-1] for svc in topology.SERVICES for name in svc.grpc_services}
    assert set(tags) <= routed
    assert "EchoService" not in tags  # the benchmark's echo is no part of the document


def test_literal_paths_a_template_also_matches_are_known() -> None:
    shadowed = fuzz.shadowed_paths(DOCUMENT)
    assert {"/api/v1/tickets/cancel", "/api/v1/tickets/checkin", "/api/v1/tickets/purchase"} <= set(shadowed)
    assert "/api/v1/events" not in shadowed and all("{" not in path for path in shadowed)


def test_the_config_gives_each_security_scheme_its_token_and_the_checks() -> None:
    config = tomllib.loads(fuzz.config("user-token", "admin-token", DOCUMENT))
    assert config["auth"]["openapi"] == {"bearer": {"bearer": "user-token"}, "adminBearer": {"bearer": "admin-token"}}
    assert {name for name, check in config["checks"].items() if check["enabled"]} == set(fuzz.CHECKS)
    assert {"not_a_server_error", "response_schema_conformance", "ignored_auth"} <= set(fuzz.CHECKS)
    by_path = {op["include-path"]: op for op in config["operations"]}
    assert by_path["/api/v1/tickets/cancel"]["checks"] == {"unsupported_method": {"enabled": False}}
