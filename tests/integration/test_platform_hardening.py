"""The local platform against another process on the same machine: secrets are private
files, and Redis, supervisord's control port and SeaweedFS's filer and volume ports
refuse anyone without the generated credentials. gRPC reflection is off unless asked for."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import grpc
import httpx
import pytest
import redis
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from kgo import paths, topology
from services.runtime.rpc import ServiceApp, create_server
from services.runtime.settings import ServiceSettings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_and_configs_holding_them_are_private() -> None:
    assert _mode(paths.SECRETS) == 0o700
    private = [f for f in paths.SECRETS.iterdir() if f.suffix not in (".crt",) and f.name != "jwks.json"]
    private += [paths.RUN / "supervisord.conf", paths.RUN / "redis.conf", paths.RUN / "seaweedfs" / "security.toml"]
    assert {f.name: _mode(f) for f in private} == {f.name: 0o600 for f in private}


def test_redis_refuses_clients_without_the_password() -> None:
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=topology.REDIS_PORT, socket_timeout=2).ping()


def test_supervisord_control_port_needs_credentials() -> None:
    call = '<?xml version="1.0"?><methodCall><methodName>supervisor.getState</methodName></methodCall>'
    reply = httpx.post(f"http://127.0.0.1:{topology.SUPERVISOR_PORT}/RPC2", content=call, timeout=5)
    assert reply.status_code == 401


@pytest.mark.parametrize(("method", "port", "path"), [
    ("GET", topology.SEAWEED_FILER_PORT, "/"),
    ("GET", topology.SEAWEED_FILER_PORT, f"/buckets/{topology.S3_BUCKET}/"),
    ("POST", topology.SEAWEED_FILER_PORT, "/intruder/note.txt"),
    ("DELETE", topology.SEAWEED_FILER_PORT, f"/buckets/{topology.S3_BUCKET}/"),
    ("POST", topology.SEAWEED_VOLUME_PORT, "/1,01637037d6"),
])
def test_seaweedfs_filer_and_volume_ports_refuse_unsigned_requests(method: str, port: int, path: str) -> None:
    reply = httpx.request(method, f"http://127.0.0.1:{port}{path}", content=b"x" if method == "POST" else None,
                          timeout=5)
    assert reply.status_code == 401, reply.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _reflection_lists_services(reflection: bool) -> bool:
    port = _free_port()
    settings = ServiceSettings(grpc_port=port, grpc_reflection=reflection, jwks_file=str(paths.SECRETS / "jwks.json"))
    app = ServiceApp(settings=settings, error_domain="test",
                     service_names=["kulturago.test.v1.Nothing"], register=lambda server: None)
    server, _ = create_server(app)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)

            async def ask() -> object:
                yield reflection_pb2.ServerReflectionRequest(list_services="")

            try:
                async for _ in stub.ServerReflectionInfo(ask()):
                    return True
            except grpc.aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.UNIMPLEMENTED
                return False
            return False
    finally:
        await server.stop(0)


async def test_grpc_reflection_is_off_unless_enabled() -> None:
    assert await _reflection_lists_services(False) is False
    assert await _reflection_lists_services(True) is True
