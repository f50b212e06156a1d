"""Who may call each RPC, read from the `(kulturago.options.v1.access)` option the
contracts declare on every method. The service-side `AccessPolicy` and the gateway's
JWT and RBAC rules (kgo/gateway.py) are both derived from here, so the two cannot
disagree; an RPC without the option is an error, never a silent default."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from enum import IntEnum
from pathlib import Path
from typing import Any

from google.api import annotations_pb2
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from kulturago.options.v1 import access_pb2
from services.runtime.rpc.access import AccessPolicy

__all__ = [
    "Access",
    "AccessDeclarationError",
    "access_of",
    "contract_services",
    "grpc_path",
    "method_access",
    "policy_for",
    "service_descriptor",
]


class Access(IntEnum):
    """The proto enum kulturago.options.v1.Access, as a Python enum."""

    UNSPECIFIED = access_pb2.ACCESS_UNSPECIFIED
    PUBLIC = access_pb2.ACCESS_PUBLIC
    USER = access_pb2.ACCESS_USER
    ADMIN = access_pb2.ACCESS_ADMIN
    INTERNAL = access_pb2.ACCESS_INTERNAL


class AccessDeclarationError(ValueError):
    """An RPC declares no (or an unknown) access level, so nobody decided who may call it;
    or an INTERNAL one has a REST mapping, which would publish it on the gateway."""


def grpc_path(method: MethodDescriptor) -> str:
    """The HTTP/2 path of a gRPC method, as servers and Envoy see it: /pkg.Service/Method."""
    return f"/{method.containing_service.full_name}/{method.name}"


def access_of(method: MethodDescriptor) -> Access:
    options: Any = method.GetOptions()  # the generated stub types extensions loosely
    value = int(options.Extensions[access_pb2.access])
    if value == Access.UNSPECIFIED or value not in Access._value2member_map_:
        raise AccessDeclarationError(
            f"{method.full_name} has no (kulturago.options.v1.access) option: declare who may call it "
            f"in its .proto (ACCESS_PUBLIC, ACCESS_USER, ACCESS_ADMIN or ACCESS_INTERNAL)")
    if value == Access.INTERNAL and options.HasExtension(annotations_pb2.http):
        raise AccessDeclarationError(
            f"{method.full_name} is ACCESS_INTERNAL but has a google.api.http (REST) mapping: "
            f"internal RPCs are for service-to-service gRPC only")
    return Access(value)


def method_access(services: Iterable[ServiceDescriptor]) -> dict[str, Access]:
    """gRPC path -> access level of every method of `services`; raises on any RPC
    declared wrongly (naming all of them, not only the first)."""
    table: dict[str, Access] = {}
    problems: list[str] = []
    for service in services:
        for method in service.methods:
            try:
                table[grpc_path(method)] = access_of(method)
            except AccessDeclarationError as error:
                problems.append(str(error))
    if problems:
        raise AccessDeclarationError("; ".join(problems))
    return table


def policy_for(*services: ServiceDescriptor) -> AccessPolicy:
    """The AccessPolicy a service enforces, from the descriptors of the services it serves.
    Called in each bootstrap at import time, so a service with an undeclared RPC refuses
    to start. USER is what the middleware does for any method not listed otherwise."""
    table = method_access(services)

    def having(level: Access) -> frozenset[str]:
        return frozenset(path for path, access in table.items() if access is level)

    return AccessPolicy(public=having(Access.PUBLIC), admin=having(Access.ADMIN),
                        internal=having(Access.INTERNAL))


def _contract_modules() -> Iterator[str]:
    import kulturago

    for root in kulturago.__path__:  # a namespace package: gen/python/kulturago
        for file in sorted(Path(root).rglob("*_pb2.py")):
            relative = file.relative_to(Path(root).parent).with_suffix("")
            yield ".".join(relative.parts)


def contract_services() -> list[ServiceDescriptor]:
    """Every gRPC service of our contracts (all generated kulturago.* modules loaded)."""
    services: list[ServiceDescriptor] = []
    for name in _contract_modules():
        module = importlib.import_module(name)
        services.extend(module.DESCRIPTOR.services_by_name.values())
    return services


def service_descriptor(full_name: str) -> ServiceDescriptor:
    """A service of our contracts by its full name, e.g. kulturago.auth.v1.AuthService."""
    pool = descriptor_pool.Default()
    try:
        return pool.FindServiceByName(full_name)
    except KeyError:
        contract_services()  # not imported yet: load every generated module, then look again
        return pool.FindServiceByName(full_name)
