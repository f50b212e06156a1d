"""Access is declared once, on each RPC (kulturago.options.v1.access): every RPC has it,
the services' AccessPolicy and the gateway's JWT/RBAC rules are both derived from it
(services/runtime/rpc/policy.py, kgo/gateway.py)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import ServiceDescriptor

from kgo import gateway, topology
from kulturago.options.v1 import access_pb2
from services.runtime.rpc.policy import (
    Access,
    AccessDeclarationError,
    contract_services,
    grpc_path,
    method_access,
    policy_for,
)


def test_every_rpc_of_the_contracts_declares_its_access() -> None:
    services = contract_services()
    # All five contract packages are loaded (a walk that found nothing would pass vacuously).
    assert {s.full_name for s in services} >= {
        "kulturago.auth.v1.AuthService", "kulturago.auth.v1.ProfileService", "kulturago.event.v1.EventService",
        "kulturago.search.v1.SearchService", "kulturago.geo.v1.GeoService", "kulturago.bench.v1.EchoService"}
    undeclared = [m.full_name for s in services for m in s.methods
                  if m.GetOptions().Extensions[access_pb2.access]  # type: ignore[index]
                  == access_pb2.ACCESS_UNSPECIFIED]
    assert undeclared == []
    assert method_access(services)  # and the reader agrees


def _test_service(name: str, methods: dict[str, int | None], rest: dict[str, str] | None = None
                  ) -> ServiceDescriptor:
    """A service added to the default pool at test time (as a .proto would be), whose
    methods carry the given access values (None: no option at all) and REST paths."""
    package = f"kulturago.test_access.{name.lower()}"
    file = descriptor_pb2.FileDescriptorProto(name=f"test_access/{name}.proto", package=package, syntax="proto3")
    file.message_type.add(name="Empty")
    service = file.service.add(name=name)
    for method_name, access in methods.items():
        method = service.method.add(name=method_name, input_type=f".{package}.Empty", output_type=f".{package}.Empty")
        if access is not None:
            method.options.Extensions[access_pb2.access] = access  # type: ignore[index]
        if rest and method_name in rest:
            method.options.Extensions[annotations_pb2.http].post = rest[method_name]
    pool = descriptor_pool.Default()
    pool.Add(file)
    return pool.FindServiceByName(f"{package}.{name}")


def test_a_service_with_an_undeclared_rpc_gets_no_policy() -> None:
    service = _test_service("Forgetful", {"Fine": access_pb2.ACCESS_PUBLIC, "Forgotten": None,
                                          "Unspecified": access_pb2.ACCESS_UNSPECIFIED})
    with pytest.raises(AccessDeclarationError) as error:
        policy_for(service)
    assert "Forgotten" in str(error.value) and "Unspecified" in str(error.value)
    assert "Fine" not in str(error.value)


def test_an_internal_rpc_with_a_rest_mapping_gets_no_policy() -> None:
    service = _test_service("Leaky", {"Callback": access_pb2.ACCESS_INTERNAL}, rest={"Callback": "/api/v1/cb"})
    with pytest.raises(AccessDeclarationError, match=r"Callback is ACCESS_INTERNAL but has a google\.api\.http"):
        policy_for(service)


def test_policy_puts_each_method_in_its_level() -> None:
    service = _test_service("Mixed", {"Open": access_pb2.ACCESS_PUBLIC, "Mine": access_pb2.ACCESS_USER,
                                      "Manage": access_pb2.ACCESS_ADMIN, "Callback": access_pb2.ACCESS_INTERNAL})
    path = f"/{service.full_name}/"
    policy = policy_for(service)
    assert policy.public == {path + "Open"}
    assert policy.admin == {path + "Manage"}
    assert policy.internal == {path + "Callback"}
    # USER is the middleware's default: a token is required for anything not listed.
    assert path + "Mine" not in policy.public | policy.admin | policy.internal


BOOTSTRAPS = {"auth": "services.auth.bootstrap", "event": "services.event.bootstrap",
              "search": "services.search.bootstrap", "geo": "services.geo.bootstrap"}


@pytest.mark.parametrize("name", sorted(BOOTSTRAPS))
def test_each_service_enforces_what_the_gateway_enforces(name: str) -> None:
    svc = topology.service(name)
    table = gateway.access_table([svc])
    policy = importlib.import_module(BOOTSTRAPS[name]).POLICY
    assert policy.public == {p for p, a in table.items() if a is Access.PUBLIC}
    assert policy.admin == {p for p, a in table.items() if a is Access.ADMIN}
    assert policy.internal == {p for p, a in table.items() if a is Access.INTERNAL}


# --- the gateway's rules, derived -------------------------------------------------

def _first_jwt_rule(rules: list[dict[str, Any]], path: str) -> dict[str, Any]:
    """jwt_authn semantics: the first rule whose match fits the (gRPC) path wins."""
    for rule in rules:
        match = rule["match"]
        if match.get("path") == path or ("prefix" in match and path.startswith(match["prefix"])):
            return rule
    raise AssertionError(f"no jwt rule matches {path}")


def _denied_paths(policy: dict[str, Any]) -> set[str]:
    return {p["url_path"]["path"]["exact"] for p in policy["permissions"]}


TABLE = gateway.access_table(topology.SERVICES)


def test_the_gateway_table_has_every_routed_method() -> None:
    routed = {grpc_path(m) for s in contract_services() if any(s.full_name in svc.grpc_services
                                                                   for svc in topology.SERVICES)
              for m in s.methods}
    assert set(TABLE) == routed
    assert {Access.PUBLIC, Access.USER, Access.ADMIN, Access.INTERNAL} <= set(TABLE.values())


@pytest.mark.parametrize("path", sorted(p for p, a in TABLE.items() if a in (Access.USER, Access.ADMIN)))
def test_user_and_admin_methods_need_a_token_at_the_gateway(path: str) -> None:
    assert _first_jwt_rule(gateway.jwt_rules(TABLE), path).get("requires") == {"provider_name": "kulturago"}


@pytest.mark.parametrize("path", sorted(p for p, a in TABLE.items() if a is Access.PUBLIC))
def test_public_methods_need_no_token(path: str) -> None:
    assert "requires" not in _first_jwt_rule(gateway.jwt_rules(TABLE), path)


def test_anything_undeclared_needs_a_token() -> None:
    rule = _first_jwt_rule(gateway.jwt_rules(TABLE), "/kulturago.event.v1.EventService/NotYetDeclared")
    assert rule.get("requires") == {"provider_name": "kulturago"}


def test_admin_and_internal_methods_are_denied_by_rbac() -> None:
    policies = gateway.rbac_policies(gateway.GatewayOptions(), TABLE, grant_admin=True)
    internal = policies["internal-methods-never-through-the-gateway"]
    assert _denied_paths(internal) == {p for p, a in TABLE.items() if a is Access.INTERNAL}
    assert internal["principals"] == [{"any": True}]
    admin = policies["admin-methods-need-an-admin-from-an-internal-network"]
    assert _denied_paths(admin) == {p for p, a in TABLE.items() if a is Access.ADMIN}
    # Denied to everyone who is not (from an internal network AND an admin).
    (principal,) = admin["principals"]
    ids = principal["not_id"]["and_ids"]["ids"]
    assert any("or_ids" in i for i in ids) and any("sourced_metadata" in i for i in ids)
