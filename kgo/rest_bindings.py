"""The REST bindings of our contracts as the gateway needs them: for each RPC, the HTTP
method and path template of its `google.api.http` rule (and additional_bindings), and a
regular expression (RE2, matched whole) for the paths Envoy's transcoder resolves to it.

Read from the same descriptors the transcoder is built from, so the gateway's per-path
rules (allowed methods, body limits) cannot drift from the contracts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import ServiceDescriptor

from services.runtime.rpc.policy import grpc_path

__all__ = ["Binding", "allowed_methods", "bindings", "template_regex"]

_VERBS = ("get", "put", "post", "delete", "patch")
_SEGMENT = "[^/]+"


@dataclass(frozen=True)
class Binding:
    grpc_path: str  # /package.Service/Method, what the transcoder rewrites the request to
    method: str  # GET, POST, ...
    template: str  # /api/v1/events/{slug}

    @property
    def path_regex(self) -> str:
        """The request paths (no query string) the transcoder resolves to this binding;
        it accepts a trailing slash too (Envoy has already merged repeated slashes)."""
        return template_regex(self.template) + "/?"


def _split(segments: str) -> list[str]:
    """Segments of a template, '/' inside a {variable=...} not splitting."""
    parts, depth, current = [], 0, ""
    for char in segments:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "/" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _segments_regex(segments: str) -> str:
    out = []
    for segment in _split(segments):
        if segment == "*":
            out.append(_SEGMENT)
        elif segment == "**":
            out.append(".*")
        elif segment.startswith("{") and segment.endswith("}"):
            _, _, sub = segment[1:-1].partition("=")
            out.append(_segments_regex(sub) if sub else _SEGMENT)
        else:
            out.append(re.escape(segment))
    return "/".join(out)


def template_regex(template: str) -> str:
    """The google.api.http path template grammar (http.proto) as a regular expression:
    `*` one segment, `**` any number, `{field}` one segment, `{field=a/*}` its own
    segments, an optional `:verb` suffix."""
    if not template.startswith("/"):
        raise ValueError(f"a path template starts with '/': {template!r}")
    body, verb = template[1:], ""
    last = body.rsplit("/", 1)[-1]
    if ":" in last and "}" not in last.split(":", 1)[1]:
        body, _, verb = body.rpartition(":")
    return "/" + _segments_regex(body) + (re.escape(":" + verb) if verb else "")


def _rule_bindings(path: str, rule: http_pb2.HttpRule) -> Iterable[Binding]:
    pattern = rule.WhichOneof("pattern")
    if pattern == "custom":
        yield Binding(path, rule.custom.kind.upper(), rule.custom.path)
    elif pattern in _VERBS:
        yield Binding(path, pattern.upper(), getattr(rule, pattern))
    for extra in rule.additional_bindings:
        yield from _rule_bindings(path, extra)


def bindings(services: Iterable[ServiceDescriptor]) -> list[Binding]:
    """Every REST binding of `services`, in declaration order."""
    found: list[Binding] = []
    for service in services:
        for method in service.methods:
            options: Any = method.GetOptions()
            if options.HasExtension(annotations_pb2.http):
                found.extend(_rule_bindings(grpc_path(method), options.Extensions[annotations_pb2.http]))
    return found


def _literal(template: str) -> bool:
    return "{" not in template and "*" not in template


def allowed_methods(found: Iterable[Binding]) -> dict[str, tuple[str, ...]]:
    """Path regex -> the HTTP methods some binding declares on it (sorted), e.g.
    /api/v1/events -> (GET, POST). A literal path that a template matches too
    (/api/v1/tickets/cancel, POST, and /api/v1/tickets/{id}, GET) takes the methods of
    both, as the transcoder resolves either on it; literal paths come first, so that a
    rule matched in this order meets the literal path before the template."""
    found = list(found)
    methods: dict[str, set[str]] = {}
    literal: dict[str, bool] = {}
    for binding in found:
        methods.setdefault(binding.path_regex, set()).add(binding.method)
        literal[binding.path_regex] = _literal(binding.template)
        if literal[binding.path_regex]:
            methods[binding.path_regex] |= {other.method for other in found
                                            if re.fullmatch(other.path_regex, binding.template)}
    ordered = sorted(methods, key=lambda path: not literal[path])  # stable: declaration order otherwise
    return {path: tuple(sorted(methods[path])) for path in ordered}
