"""The cluster's gateway config (`kgo k8s`, kgo/gateway.py:k8s_options) run by a real
Envoy against the local services: the public listener refuses ADMIN methods even to an
admin from an "internal" address (what every client looks like behind an SNATing load
balancer); only the internal listener grants them. INTERNAL methods are refused on both.
Local paths and ports replace the cluster's mounts and DNS names; nothing else changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import grpc
import httpx
import pytest
from auth_support import Account
from catalog_support import event_body
from envoy_support import free_port, running_envoy
from google.protobuf import json_format

from kgo import api_docs, gateway, paths, topology
from kulturago.bench.v1 import echo_service_pb2 as echo_pb
from kulturago.bench.v1 import echo_service_pb2_grpc as echo_grpc
from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc


@dataclasses.dataclass(frozen=True)
class ClusterGateway:
    public: str  # host:port
    internal: str


@pytest.fixture(scope="module")
def cluster_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterGateway]:
    tmp = tmp_path_factory.mktemp("k8s-envoy")
    opts = dataclasses.replace(
        gateway.k8s_options(), listen="127.0.0.1", http_port=free_port(), internal_http_port=free_port(),
        admin_port=free_port(), upstream_host="127.0.0.1", access_log=str(tmp / "access.log"),
        descriptor=str(paths.DESCRIPTOR), api_docs=str(api_docs.LOCAL_FOLDER),
        # The local services at their local ports (the cluster's config carries no KGO_PORT_OFFSET);
        # the bench echo service joins for its INTERNAL canary method (the cluster has none yet).
        services=list(topology.SERVICES))
    config = gateway.render(opts, jwks_file=str(paths.SECRETS / "jwks.json"), tls=None)
    public, internal = f"127.0.0.1:{opts.http_port}", f"127.0.0.1:{opts.internal_http_port}"
    with running_envoy(config, tmp, f"http://{public}/api/v1/events?pageSize=1"):
        yield ClusterGateway(public, internal)


def test_reads_are_served_on_both_listeners(cluster_gateway: ClusterGateway) -> None:
    for address in (cluster_gateway.public, cluster_gateway.internal):
        assert httpx.get(f"http://{address}/api/v1/events", params={"pageSize": 1}, timeout=10).status_code == 200


def test_public_listener_refuses_an_admin_even_from_an_internal_address(
        cluster_gateway: ClusterGateway, http: httpx.Client, admin: Account) -> None:
    body = event_body()
    reply = httpx.post(f"http://{cluster_gateway.public}/api/v1/events", json=body, headers=admin.headers, timeout=10)
    assert reply.status_code == 403, reply.text
    assert reply.json()["code"] == 7
    assert http.get(f"/api/v1/events/{body['slug']}").status_code == 404  # nothing written


async def test_public_listener_refuses_raw_grpc_to_an_admin_method(cluster_gateway: ClusterGateway,
                                                                   admin: Account) -> None:
    request = pb.PublishEventRequest(event=json_format.ParseDict(event_body(), pb.Event()))
    async with grpc.aio.insecure_channel(cluster_gateway.public) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await pb_grpc.EventServiceStub(channel).PublishEvent(
                request, metadata=[("authorization", f"Bearer {admin.access_token}")], timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_internal_listener_lets_an_admin_publish(cluster_gateway: ClusterGateway, http: httpx.Client,
                                                 admin: Account, account: Account) -> None:
    body = event_body()
    as_user = httpx.post(f"http://{cluster_gateway.internal}/api/v1/events", json=body, headers=account.headers,
                         timeout=10)
    assert as_user.status_code == 403
    reply = httpx.post(f"http://{cluster_gateway.internal}/api/v1/events", json=body, headers=admin.headers,
                       timeout=10)
    assert reply.status_code == 200, reply.text
    assert http.get(f"/api/v1/events/{body['slug']}").status_code == 200


@pytest.mark.parametrize("listener", ["public", "internal"])
async def test_internal_methods_are_refused_on_every_listener(cluster_gateway: ClusterGateway, listener: str,
                                                              admin: Account) -> None:
    async with grpc.aio.insecure_channel(getattr(cluster_gateway, listener)) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await echo_grpc.EchoServiceStub(channel).EchoInternal(
                echo_pb.EchoInternalRequest(message="hi"),
                metadata=[("authorization", f"Bearer {admin.access_token}")], timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
