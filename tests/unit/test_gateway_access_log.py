"""The gateway's access log never records a query string: a browser's WebSocket carries
its bearer token there (`/ws/tour/{id}?token=...`), and a log file is no place for it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kgo import gateway

# Envoy command operators that print the request path or a request header.
_OPERATOR = re.compile(r"%(PATH|REQ|REQ_WITHOUT_QUERY)\(([^)]*)\)%")


def _access_logs(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "access_log":
                yield from value
            else:
                yield from _access_logs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _access_logs(item)


def _operators(config: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for log in _access_logs(config):
        for value in log["typed_config"]["log_format"]["json_format"].values():
            found += _OPERATOR.findall(str(value))
    return found


def test_logged_paths_leave_the_query_out() -> None:
    config = gateway.render(gateway.k8s_options(), jwks_file=gateway.K8S_JWKS, tls=None)
    operators = _operators(config)
    paths = [args for name, args in operators if name == "PATH"]
    assert paths, "the access log records the path"
    assert all(args.split(":")[0] == "NQ" for args in paths), paths
    # The raw :path header (and Envoy's copy of the original) carries the query.
    assert not [args for name, args in operators if name == "REQ" and "PATH" in args.upper()], operators
