"""The cluster's gateway config as `kgo k8s` renders it (k8s/base/gateway/envoy.json) and
the manifests around it: ADMIN methods only on the internal listener, which only a
ClusterIP Service exposes; INTERNAL methods on none."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from typing import Any

import pytest

from kgo import gateway, paths, topology
from services.runtime.rpc.policy import Access


def _listeners(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {listener["name"]: listener for listener in config["static_resources"]["listeners"]}


def _filter(listener: dict[str, Any], name: str) -> dict[str, Any]:
    (hcm,) = listener["filter_chains"][0]["filters"]
    (found,) = [f for f in hcm["typed_config"]["http_filters"] if f["name"] == name]
    return found["typed_config"]  # type: ignore[no-any-return]


def _denied(listener: dict[str, Any]) -> dict[str, tuple[set[str], list[Any]]]:
    rules = _filter(listener, "envoy.filters.http.rbac")["rules"]
    assert rules["action"] == "DENY"
    return {name: ({p["url_path"]["path"]["exact"] for p in policy["permissions"]}, policy["principals"])
            for name, policy in rules["policies"].items()}


CLUSTER = gateway.render(gateway.k8s_options(), jwks_file=gateway.K8S_JWKS, tls=None)
TABLE = gateway.access_table(gateway.k8s_options().services)
ADMIN = {p for p, a in TABLE.items() if a is Access.ADMIN}


def test_the_committed_cluster_config_is_fresh() -> None:
    assert json.loads(gateway.K8S_CONFIG.read_text()) == CLUSTER, "stale: run `kgo k8s`"


def test_two_listeners_public_and_internal() -> None:
    listeners = _listeners(CLUSTER)
    assert set(listeners) == {"public_http", "internal_http"}
    ports = {name: listener["address"]["socket_address"]["port_value"] for name, listener in listeners.items()}
    assert ports == {"public_http": gateway.K8S_PUBLIC_PORT, "internal_http": gateway.K8S_INTERNAL_PORT}


def test_public_listener_refuses_admin_methods_to_everyone() -> None:
    assert ADMIN  # PublishEvent: otherwise the test proves nothing
    denied = _denied(_listeners(CLUSTER)["public_http"])
    paths_, principals = denied["admin-methods-only-on-the-internal-listener"]
    assert paths_ == ADMIN and principals == [{"any": True}]
    assert "admin-methods-need-an-admin-from-an-internal-network" not in denied


def test_internal_listener_grants_admin_methods_to_admins_from_internal_networks() -> None:
    denied = _denied(_listeners(CLUSTER)["internal_http"])
    paths_, (principal,) = denied["admin-methods-need-an-admin-from-an-internal-network"]
    assert paths_ == ADMIN
    (networks, role) = principal["not_id"]["and_ids"]["ids"]
    cidrs = {f"{i['direct_remote_ip']['address_prefix']}/{i['direct_remote_ip']['prefix_len']}"
             for i in networks["or_ids"]["ids"]}
    assert cidrs == {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8"}
    assert role["sourced_metadata"]["metadata_matcher"]["path"] == [{"key": "jwt_payload"}, {"key": "roles"}]


def test_internal_methods_are_refused_on_both_listeners() -> None:
    # The cluster's INTERNAL methods (payment-service's) and, with the bench echo service
    # added, its one too: the same options deny them all on both listeners.
    payment = {f"/kulturago.payment.v1.PaymentService/{m}"
               for m in ("CreatePayment", "GetPayment", "CancelPayment", "RefundPayment")}
    for name, listener in _listeners(CLUSTER).items():
        paths_, principals = _denied(listener)["internal-methods-never-through-the-gateway"]
        assert paths_ >= payment and principals == [{"any": True}], name
    opts = dataclasses.replace(gateway.k8s_options(),
                               services=[*gateway.k8s_options().services, topology.service("echo")])
    config = gateway.render(opts, jwks_file=gateway.K8S_JWKS, tls=None)
    for name, listener in _listeners(config).items():
        paths_, principals = _denied(listener)["internal-methods-never-through-the-gateway"]
        assert paths_ >= {"/kulturago.bench.v1.EchoService/EchoInternal", *payment}, name
        assert principals == [{"any": True}], name


def test_cluster_files_come_from_the_mounted_volumes() -> None:
    for listener in _listeners(CLUSTER).values():
        assert _filter(listener, "envoy.filters.http.grpc_json_transcoder")["proto_descriptor"] == \
            "/etc/kulturago/descriptor/descriptor.binpb"
        provider = _filter(listener, "envoy.filters.http.jwt_authn")["providers"]["kulturago"]
        assert provider["local_jwks"]["filename"] == gateway.K8S_JWKS


def _documents(yaml_text: str) -> list[str]:
    return [d for d in yaml_text.split("\n---\n") if d.strip()]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) not installed")
def test_manifests_expose_the_internal_listener_only_inside_the_cluster() -> None:
    built = subprocess.run(["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
                            str(paths.ROOT / "k8s" / "base")], capture_output=True, text=True, check=True).stdout
    services = {d.split("\n  name: ", 1)[1].split("\n", 1)[0]: d for d in _documents(built)
                if d.startswith("apiVersion: v1\nkind: Service\n")}
    public, internal = services["gateway"], services["gateway-internal"]
    assert "type: LoadBalancer" in public and "externalTrafficPolicy: Local" in public
    assert "targetPort: http" in public and "internal" not in public
    assert "type: ClusterIP" in internal and f"port: {gateway.K8S_INTERNAL_PORT}" in internal
    assert "targetPort: internal" in internal
    assert f"containerPort: {gateway.K8S_INTERNAL_PORT}\n          name: internal" in built
