"""The Python SDK (sdk/python, `kulturago-sdk`) as a developer gets it: the wheel built by
`nox -s sdk`, installed into a fresh virtualenv (dependencies from PyPI, cached in a
wheelhouse), and a script run there (sdk/python/tests/walkthrough.py) that walks
sign-up -> sign-in -> search -> event card -> /me over gRPC through the gateway, a bad
e-mail as a typed InvalidArgument naming the field, an avatar upload, and refresh-token
rotation (threads and asyncio tasks sharing one refresh; a replayed refresh token
ending the session)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from auth_support import Account, platform_signing_key, sign_eddsa, unverified_claims

from kgo import paths, sdk_python, topology
from services.runtime.rpc.policy import contract_services

WALKTHROUGH = sdk_python.SDK / "tests" / "walkthrough.py"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sdk_python.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def sdk_python_venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Iterator[Path]:
    yield sdk_python.fresh_venv(tmp_path_factory.mktemp("sdk-venv"), wheel)


def _expired(access_token: str) -> str:
    """The same token (user, session, key id) expired a minute ago, signed with the
    platform's key: the SDK has to refresh it."""
    claims = unverified_claims(access_token) | {"exp": int(time.time()) - 60}
    return sign_eddsa(claims, platform_signing_key(), jwt.get_unverified_header(access_token)["kid"])


def _sessions(http: httpx.Client, account: Account, count: int) -> list[dict[str, str]]:
    """`count` sessions of the account: the pair the walkthrough gets (the access token
    expired) and the real access token, for the test to check afterwards."""
    pairs = [(account.access_token, account.refresh_token)]
    for _ in range(count - 1):
        tokens = http.post("/api/v1/auth/signin", json={"login": account.login, "password": account.password}).json()
        pairs.append((tokens["accessToken"], tokens["refreshToken"]))
    return [{"access": _expired(access), "refresh": refresh, "real_access": access} for access, refresh in pairs]


def _run(python: Path, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    # A clean environment: nothing of the repository (PYTHONPATH, the dev venv) leaks in.
    clean = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8", **env}
    result = subprocess.run([str(python), str(WALKTHROUGH)], cwd=cwd, env=clean, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_wheel_carries_the_sdk_version_and_the_contracts(wheel: Path) -> None:
    version = sdk_python.version()
    assert sdk_python.wheel_version(wheel) == version
    # 1.<n>.0: the major is the contracts' package version (kulturago.<domain>.v1).
    majors = {s.full_name.split(".")[2] for s in contract_services()}
    assert majors == {f"v{version.split('.')[0]}"}, majors


def test_the_walkthrough_in_a_fresh_virtualenv(sdk_python_venv: Path, tmp_path: Path, http: httpx.Client,
                                               account: Account) -> None:
    sessions = _sessions(http, account, 3)
    env = {"KGO_GATEWAY_URL": f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}",
           "KGO_GATEWAY_TLS_URL": f"https://127.0.0.1:{topology.GATEWAY_HTTPS_PORT}",
           "KGO_GATEWAY_CA": str(paths.SECRETS / "gateway.crt"),
           "KGO_EXPIRED_SESSIONS": json.dumps([{k: s[k] for k in ("access", "refresh")} for s in sessions]),
           "KGO_EXPIRED_USER": account.id}
    report = _run(sdk_python_venv, tmp_path, env)
    assert report["version"] == sdk_python.version()
    walk = report["walk"]
    assert walk["me"] == walk["user_id"] and walk["hits"] > 0 and walk["card"]
    assert walk["bad_fields"] == ["email"] and "email" in walk["bad_message"]
    assert walk["avatar_type"] == "image/png"
    assert walk["missing_token_reason"] == "TOKEN_MISSING"
    assert report["tls_hits"] > 0
    assert report["threads"]["rotations"] == 1 and report["tasks"]["rotations"] == 1
    assert report["replay"]["replay_reason"]
    # The replayed refresh token revoked its session on the server; the others live on.
    statuses = [http.get("/api/v1/me", headers={"Authorization": f"Bearer {s['real_access']}"}).status_code
                for s in sessions]
    assert statuses == [200, 200, 401], statuses
