"""The API reference the gateway serves: /openapi.yaml (gen/openapi/kulturago.yaml) and
/docs, a Swagger UI page whose assets come from a PyPI package (swagger-ui-bundle), never
from a CDN.

Envoy serves them as direct responses read from one folder: `export` fills it (locally
`kgo up` into .dev/run/api-docs; in a cluster an init container of the backend image,
which carries the package and gen/, runs `python -m kgo.api_docs <folder>`), and `routes`
and `reply_mappers` are what kgo/gateway.py adds to its config. Envoy reads the files
when it starts, so a changed document needs a gateway restart (`kgo up` does it).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgo import paths

__all__ = ["DOCS", "LOCAL_FOLDER", "MAX_BODY", "DocsFile", "digest", "export", "reply_mappers", "routes"]

TYPE = "@type"


@dataclass(frozen=True)
class DocsFile:
    name: str  # in the exported folder
    url_paths: tuple[str, ...]
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


# The page runs only scripts of its own origin (no inline script: the initializer is a
# file of its own) and talks only to this gateway.
_PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")
_REVALIDATE = (("cache-control", "no-cache"),)
DOCS: tuple[DocsFile, ...] = (
    DocsFile("openapi.yaml", ("/openapi.yaml",), "application/yaml", _REVALIDATE),
    DocsFile("index.html", ("/docs", "/docs/"), "text/html; charset=utf-8",
             (*_REVALIDATE, ("content-security-policy", _PAGE_POLICY))),
    DocsFile("docs.js", ("/docs/docs.js",), "text/javascript; charset=utf-8", _REVALIDATE),
    DocsFile("swagger-ui-bundle.js", ("/docs/swagger-ui-bundle.js",), "text/javascript; charset=utf-8",
             (("cache-control", "public, max-age=3600"),)),
    DocsFile("swagger-ui.css", ("/docs/swagger-ui.css",), "text/css; charset=utf-8",
             (("cache-control", "public, max-age=3600"),)),
)
LOCAL_FOLDER = paths.RUN / "api-docs"  # kgo up exports here; the cluster's folder is the init container's
# Envoy refuses a direct response larger than this (its default is 4 KiB); the largest
# file is Swagger UI's bundle, about 1 MiB.
MAX_BODY = 4 * 1024 * 1024

_INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KulturaGo API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs.js"></script>
</body>
</html>
"""
# validatorUrl null: Swagger UI would otherwise send the document to an outside validator.
_INIT = """window.ui = SwaggerUIBundle({
  url: "/openapi.yaml",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def _swagger_ui() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def export(dest: Path, openapi: Path = paths.OPENAPI) -> None:
    """Writes every file of DOCS into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    assets = _swagger_ui()
    shutil.copyfile(openapi, dest / "openapi.yaml")
    (dest / "index.html").write_text(_INDEX)
    (dest / "docs.js").write_text(_INIT)
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        shutil.copyfile(assets / name, dest / name)


def digest(folder: Path) -> str:
    """Changes when any served file does (kgo up restarts the gateway then)."""
    sha = hashlib.sha256()
    for docs_file in DOCS:
        sha.update(docs_file.name.encode() + b"\0" + (folder / docs_file.name).read_bytes())
    return sha.hexdigest()


_OFF = {TYPE: "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}


def routes(folder: str) -> list[dict[str, Any]]:
    """GET/HEAD of each file: a direct response read from `folder` (public: neither the
    transcoder nor jwt_authn applies)."""
    return [{
        "match": {"path": url_path,
                  "headers": [{"name": ":method", "string_match": {"safe_regex": {"regex": "GET|HEAD"}}}]},
        "direct_response": {"status": 200, "body": {"filename": f"{folder}/{docs_file.name}"}},
        "typed_per_filter_config": {"envoy.filters.http.grpc_json_transcoder": _OFF,
                                    "envoy.filters.http.jwt_authn": _OFF},
    } for docs_file in DOCS for url_path in docs_file.url_paths]


def _regex(url_paths: Sequence[str]) -> str:
    return "(" + "|".join(p.replace(".", r"\.") for p in url_paths) + r")(\?.*)?"


def reply_mappers() -> list[dict[str, Any]]:
    """A direct response is a local reply, which the gateway's local_reply_config would
    turn into its JSON error shape: these mappers, first in the list, keep each file's
    bytes as they are and give them their content type and headers."""
    return [{
        "filter": {"and_filter": {"filters": [
            {"status_code_filter": {"comparison": {"op": "EQ", "value": {
                "default_value": 200, "runtime_key": "api_docs_status"}}}},
            {"header_filter": {"header": {"name": ":path",
                                          "string_match": {"safe_regex": {"regex": _regex(docs_file.url_paths)}}}}},
        ]}},
        "body_format_override": {"text_format_source": {"inline_string": "%LOCAL_REPLY_BODY%"},
                                 "content_type": docs_file.content_type},
        "headers_to_add": [{"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
                           for key, value in docs_file.headers],
    } for docs_file in DOCS]


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    """`python -m kgo.api_docs FOLDER [OPENAPI]`: export the served files (the cluster's
    init container runs it; locally `kgo up` does)."""
    if len(argv) not in (1, 2):
        raise SystemExit("usage: python -m kgo.api_docs FOLDER [OPENAPI]")
    export(Path(argv[0]), Path(argv[1]) if len(argv) == 2 else paths.OPENAPI)
    print(f"api docs in {argv[0]}")


if __name__ == "__main__":
    main()
