"""The files of /openapi.yaml and /docs (kgo/api_docs.py) and how both gateways serve them:
locally from `kgo up`'s export, in the cluster from the gateway pod's init container."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kgo import api_docs, gateway, paths


def test_export_writes_every_served_file(tmp_path: Path) -> None:
    api_docs.export(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in api_docs.DOCS)
    assert (tmp_path / "openapi.yaml").read_bytes() == paths.OPENAPI.read_bytes()
    assert (tmp_path / "swagger-ui-bundle.js").stat().st_size > 500_000
    index = (tmp_path / "index.html").read_text()
    assert "<script>" not in index  # no inline script: the page's policy allows none
    assert not re.search(r"(src|href)=\"(https?:)?//", index)  # nothing from elsewhere
    assert all(f.stat().st_size <= api_docs.MAX_BODY for f in tmp_path.iterdir())


def test_the_digest_follows_the_content(tmp_path: Path) -> None:
    api_docs.export(tmp_path)
    before = api_docs.digest(tmp_path)
    (tmp_path / "openapi.yaml").write_text("openapi: 3.0.3\n")
    assert api_docs.digest(tmp_path) != before


def _routes(config: dict[str, Any]) -> list[dict[str, Any]]:
    listener = config["static_resources"]["listeners"][0]
    (hcm,) = listener["filter_chains"][0]["filters"]
    return list(hcm["typed_config"]["route_config"]["virtual_hosts"][0]["routes"])


def test_both_gateways_serve_the_files_before_any_other_route() -> None:
    for options, folder in ((gateway.GatewayOptions(), str(api_docs.LOCAL_FOLDER)),
                            (gateway.k8s_options(), gateway.K8S_API_DOCS)):
        config = gateway.render(options, jwks_file="/jwks.json", tls=None)
        routes = _routes(config)
        served = {r["match"]["path"]: r["direct_response"]["body"]["filename"]
                  for r in routes[:len([p for f in api_docs.DOCS for p in f.url_paths])]}
        assert served == {url: f"{folder}/{f.name}" for f in api_docs.DOCS for url in f.url_paths}
        route_config = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0][
            "typed_config"]["route_config"]
        assert route_config["max_direct_response_body_size_bytes"] == api_docs.MAX_BODY


def test_the_cluster_pod_fills_the_folder_envoy_reads() -> None:
    manifests = list(yaml.safe_load_all((paths.ROOT / "k8s" / "base" / "gateway" / "gateway.yaml").read_text()))
    pod = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    assert init["args"] == ["python", "-m", "kgo.api_docs", gateway.K8S_API_DOCS]
    envoy = next(c for c in pod["containers"] if c["name"] == "envoy")
    mounts = {m["name"]: m["mountPath"] for m in envoy["volumeMounts"]}
    assert mounts["api-docs"] == gateway.K8S_API_DOCS
    assert {m["name"]: m["mountPath"] for m in init["volumeMounts"]}["api-docs"] == gateway.K8S_API_DOCS
    assert any(v["name"] == "api-docs" and "emptyDir" in v for v in pod["volumes"])
