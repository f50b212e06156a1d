"""Only the gateway may tell a service who the end client is (services/runtime/rpc/access.py):
a client-address header counts only with the gateway's secret beside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.runtime.rpc.access import CLIENT_IP_HEADER, GATEWAY_HEADER, client_address, trust_gateway


class CallerContext:
    """The two things client_address reads of a grpc.aio.ServicerContext."""

    def __init__(self, peer: str, metadata: list[tuple[str, str]]) -> None:
        self._peer, self._metadata = peer, metadata

    def peer(self) -> str:
        return self._peer

    def invocation_metadata(self) -> list[tuple[str, str]]:
        return self._metadata


@pytest.fixture(autouse=True)
def gateway_secret() -> Iterator[str]:
    trust_gateway("s3cret-of-the-gateway")
    yield "s3cret-of-the-gateway"
    trust_gateway("")


@pytest.mark.parametrize(("metadata", "expected"), [
    ([(CLIENT_IP_HEADER, "127.0.0.1")], "203.0.113.9"),  # an outsider claiming to be local
    ([(CLIENT_IP_HEADER, "127.0.0.1"), (GATEWAY_HEADER, "guess")], "203.0.113.9"),
    ([(CLIENT_IP_HEADER, "127.0.0.1"), (GATEWAY_HEADER, "s3cret-of-the-gateway")], "127.0.0.1"),
    ([], "203.0.113.9"),
])
def test_the_client_address_header_counts_only_with_the_gateways_secret(
        metadata: list[tuple[str, str]], expected: str) -> None:
    assert client_address(CallerContext("ipv4:203.0.113.9:5123", metadata)) == expected  # type: ignore[arg-type]


def test_without_a_configured_secret_nobody_is_believed() -> None:
    trust_gateway("")
    context = CallerContext("ipv6:[::1]:5123", [(CLIENT_IP_HEADER, "8.8.8.8"), (GATEWAY_HEADER, "")])
    assert client_address(context) == "::1"  # type: ignore[arg-type]
