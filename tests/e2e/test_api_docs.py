"""The API reference through the gateway: /openapi.yaml (the committed document, as it is)
and /docs (Swagger UI from a package, no CDN), with their content types, nosniff, and a
page that may run only its own scripts."""

from __future__ import annotations

import re

import httpx
import pytest
import yaml

from kgo import api_docs, paths


def test_the_document_is_served_as_committed(http: httpx.Client) -> None:
    reply = http.get("/openapi.yaml")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/yaml"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.content == paths.OPENAPI.read_bytes()


def test_the_served_document_carries_the_contracts_rules(http: httpx.Client) -> None:
    document = yaml.safe_load(http.get("/openapi.yaml").text)
    signup = document["components"]["schemas"]["SignUpRequest"]
    assert signup["required"] == ["email", "login", "password"]
    assert signup["properties"]["email"]["format"] == "email"
    assert (signup["properties"]["password"]["minLength"], signup["properties"]["password"]["maxLength"]) == (8, 128)
    assert "bearer" in document["components"]["securitySchemes"]


def test_the_docs_page_and_its_assets(http: httpx.Client) -> None:
    for path in ("/docs", "/docs/"):
        page = http.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["x-content-type-options"] == "nosniff"
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    html = http.get("/docs").text
    # Everything it loads is the gateway's own: no CDN, no outside validator.
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "validatorUrl: null" in http.get("/docs/docs.js").text
    for url, content_type in (("/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                              ("/docs/swagger-ui.css", "text/css; charset=utf-8"),
                              ("/docs/docs.js", "text/javascript; charset=utf-8")):
        assert url in html
        asset = http.get(url)
        assert asset.status_code == 200 and asset.headers["content-type"] == content_type, url
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert len(http.get("/docs/swagger-ui-bundle.js").content) > 500_000  # the whole bundle, not cut at 4 KiB


@pytest.mark.parametrize("docs_file", api_docs.DOCS, ids=lambda f: f.name)
def test_head_answers_like_get_without_a_body(http: httpx.Client, docs_file: api_docs.DocsFile) -> None:
    reply = http.head(docs_file.url_paths[0])
    assert reply.status_code == 200 and reply.content == b""
    assert reply.headers["content-type"] == docs_file.content_type


def test_other_methods_are_not_served(http: httpx.Client) -> None:
    for method in ("POST", "PUT", "DELETE"):
        reply = http.request(method, "/openapi.yaml")
        assert reply.status_code == 404, method
        assert reply.headers["content-type"] == "application/json" and reply.json()["message"]
