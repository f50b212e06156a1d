"""`nox -s fuzz` (`python -m kgo.fuzz`): schemathesis against the running gateway, with the
OpenAPI document the gateway serves, for every operation of the services it routes.

Authenticated as a user and as an administrator (the OpenAPI-aware auth of schemathesis
gives each operation the token its security scheme names: `bearer` a fresh user's,
`adminBearer` one of an account made the way `kgo admin create` makes it; we call from
loopback, an internal network). Phases: examples, coverage (boundaries and malformed
input: wrong types, huge and unicode strings, empty bodies), fuzzing, and stateful runs
along the document's links (sign-up -> sign-in -> refresh, publish -> get by slug, ...).
Checks: no 5xx, status codes, content types, headers and bodies as the document says,
and that operations needing a token refuse a request without one.

Bounded: `--max-examples` per operation and phase (CI keeps the whole run within a few
minutes). Logout ends the session of the token it is called with, so it runs last, on a
session of its own. Exits non-zero on any failure; the report is in .dev/fuzz/.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from kgo import paths, rest_bindings, topology
from kgo.console import say

GATEWAY = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
REPORTS = paths.DEV / "fuzz"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "ignored_auth", "unsupported_method")
# Not these: rules between fields (CEL) are no JSON Schema, so schema-valid data may be
# refused (positive_data_acceptance); proto3 JSON takes more than the schema says, numbers
# as strings and enum names in any case (negative_data_rejection); a literal path that a
# template matches too takes that template's methods (allow_header_conformance); the
# rest need resources or accounts the run does not make.
CHECKS_OFF = ("positive_data_acceptance", "negative_data_rejection", "allow_header_conformance", "use_after_free",
              "ensure_resource_availability", "missing_required_header", "object_level_authorization")
LOGOUT = "AuthService_Logout"  # ends the session its token belongs to: fuzzed last, alone


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    access_token: str


def _sign_in(http: httpx.Client, login: str, password: str) -> str:
    reply = http.post("/api/v1/auth/signin", json={"login": login, "password": password})
    reply.raise_for_status()
    return str(reply.json()["accessToken"])


def user(http: httpx.Client) -> Account:
    suffix = uuid.uuid4().hex[:10]
    login, password = f"fuzz_{suffix}", f"pass-{suffix[::-1]}-kgo"  # containing no part of the e-mail
    reply = http.post("/api/v1/auth/signup", json={"email": f"fuzz-{suffix}@example.com", "login": login,
                                                   "password": password, "fullName": "Fuzz"})
    reply.raise_for_status()
    return Account(login, password, _sign_in(http, login, password))


def admin(http: httpx.Client) -> Account:
    """An administrator, granted the way `kgo admin create` grants it (there is no API)."""
    from kgo.admin import create_admin

    suffix = uuid.uuid4().hex[:10]
    email, password = f"fuzz-admin-{suffix}@example.com", f"key-{suffix[::-1]}-kgo"
    create_admin(email=email, password=password, login=f"fuzz_admin_{suffix}")
    return Account(email, password, _sign_in(http, email, password))


def routed_tags(document: dict[str, Any]) -> list[str]:
    """The document's tags (gRPC service names) of the services this gateway routes to: a
    contract whose service does not run yet is not fuzzed."""
    routed = {name.rsplit(".", 1)[-1] for svc in topology.SERVICES for name in svc.grpc_services}
    tagged = {tag for item in document.get("paths", {}).values() for operation in item.values()
              if isinstance(operation, dict) for tag in operation.get("tags", [])}
    return sorted(routed & tagged)


def shadowed_paths(document: dict[str, Any]) -> list[str]:
    """Literal paths that a templated one matches too (/api/v1/tickets/cancel and
    /api/v1/tickets/{id}): a method only the template declares is served on them (GET
    /api/v1/tickets/cancel is GetOrder of id "cancel", a 400), so the check that
    undeclared methods get a 405 does not hold there, by the contract's design."""
    templates = [rest_bindings.template_regex(path) for path in document.get("paths", {}) if "{" in path]
    return sorted(path for path in document.get("paths", {})
                  if "{" not in path and any(re.fullmatch(regex, path) for regex in templates))


def config(user_token: str, admin_token: str, document: dict[str, Any]) -> str:
    text = "".join(f"checks.{name}.enabled = {str(name in CHECKS).lower()}\n" for name in (*CHECKS, *CHECKS_OFF))
    text += (f'[auth.openapi.bearer]\nbearer = "{user_token}"\n'
             f'[auth.openapi.adminBearer]\nbearer = "{admin_token}"\n')
    for path in shadowed_paths(document):
        text += (f'\n[[operations]]\ninclude-path = "{path}"\n'
                 f'checks = {{ unsupported_method = {{ enabled = false }} }}\n')
    return text


def schemathesis(config_file: Path, schema: str, *, max_examples: int, seed: int | None, report: str,
                 extra: Sequence[str]) -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    command = [str(paths.VENV / "bin" / "st"), "--config-file", str(config_file), "run", schema,
               "--url", GATEWAY, "--max-examples", str(max_examples),
               "--workers", "1", "--request-timeout", "20", "--no-color",
               "--report", "junit,har", "--report-junit-path", str(REPORTS / f"{report}.xml"),
               "--report-har-path", str(REPORTS / f"{report}.har"), *extra]
    if seed is not None:
        command += ["--seed", str(seed)]
    return subprocess.run(command, check=False).returncode


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgo.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=40, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run (schemathesis prints its seed)")
    parser.add_argument("--schema", default=f"{GATEWAY}/openapi.yaml", help="the document's URL (default: as served)")
    args = parser.parse_args(argv)
    with httpx.Client(base_url=GATEWAY, timeout=30) as http, tempfile.TemporaryDirectory() as tmp:
        document = yaml.safe_load(http.get(args.schema).raise_for_status().text)
        tags = [arg for tag in routed_tags(document) for arg in ("--include-tag", tag)]
        someone, administrator = user(http), admin(http)
        main_config = Path(tmp) / "schemathesis.toml"
        main_config.write_text(config(someone.access_token, administrator.access_token, document))
        say(f"fuzzing {len(tags) // 2} services through {GATEWAY} as {someone.login} and {administrator.login}")
        failed = schemathesis(main_config, args.schema, max_examples=args.max_examples, seed=args.seed,
                              report="operations", extra=[*tags, "--exclude-operation-id", LOGOUT])
        # Logout last, with a session of its own (a second sign-in of the same user).
        logout_config = Path(tmp) / "logout.toml"
        logout_config.write_text(config(_sign_in(http, someone.login, someone.password), administrator.access_token,
                                        document))
        failed |= schemathesis(logout_config, args.schema, max_examples=args.max_examples, seed=args.seed,
                               report="logout", extra=["--include-operation-id", LOGOUT,
                                                       "--phases", "examples,coverage,fuzzing"])
    if failed:
        raise SystemExit(f"fuzz: failures above (reports in {REPORTS})")
    say(f"fuzz: no failures (reports in {REPORTS})")


if __name__ == "__main__":
    main()
