"""The TypeScript SDK in sdk/typescript: its pinned npm packages, generated code, build and tests.

`kgo gen` calls `generate()`; `nox -s sdk` and the e2e test call `build()` / `test()`, also
as `python -m kgo.sdk_typescript build|test`. npm installs exactly what
sdk/typescript/package-lock.json pins (`npm ci`), again only when the lock changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from kgo import paths
from kgo.console import step
from kgo.toolchain import buf, require, venv_env

SDK = paths.ROOT / "sdk" / "typescript"
GEN = SDK / "src" / "gen"
TEMPLATE = paths.ROOT / "buf.gen.ts.yaml"
VERSION_FILE = paths.ROOT / "sdk" / "VERSION"  # both SDKs' version, the API's major version first
NPM_CACHE = paths.DEV / "npm-cache"
MIN_NODE_MAJOR = 20  # fetch, node:test; the pinned protoc-gen-es (2.13) still supports it


def _node() -> str:
    node = require("node", f"install Node.js {MIN_NODE_MAJOR} or newer (Debian: apt-get install nodejs npm)")
    version = subprocess.run([node, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE_MAJOR:
        raise SystemExit(f"node {version} is too old for the TypeScript SDK: {MIN_NODE_MAJOR} or newer is needed")
    return node


def _npm(*args: str, env: Mapping[str, str] | None = None) -> None:
    npm = require("npm", "install npm with Node.js")
    subprocess.run([npm, *args, "--cache", str(NPM_CACHE), "--no-audit", "--no-fund"],
                   check=True, cwd=SDK, env=dict(env or os.environ))


def install() -> None:
    """`npm ci` when node_modules was not installed from the current lock."""
    _node()
    lock = SDK / "package-lock.json"
    stamp = SDK / "node_modules" / ".kgo-lock-sha256"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    with step("npm ci (sdk/typescript)"):
        _npm("ci", "--loglevel=error")
    stamp.write_text(want)


def version() -> str:
    return VERSION_FILE.read_text().strip()


def sync_version() -> None:
    """package.json and its lock carry sdk/VERSION (npm's own layout: 2 spaces, final newline)."""
    want = version()
    for name in ("package.json", "package-lock.json"):
        path = SDK / name
        data = json.loads(path.read_text())
        holders = [data, data["packages"][""]] if "packages" in data else [data]
        if any(holder.get("version") != want for holder in holders):
            for holder in holders:
                holder["version"] = want
            path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def generate() -> None:
    """proto/ (with the google/api, google/rpc and buf/validate files it needs) -> sdk/typescript/src/gen."""
    sync_version()
    install()
    shutil.rmtree(GEN, ignore_errors=True)
    with step("buf generate (typescript sdk)"):
        subprocess.run([str(buf()), "generate", "--template", str(TEMPLATE)], check=True, cwd=paths.ROOT,
                       env=venv_env())


def build() -> Path:
    """tsc -> sdk/typescript/dist; returns that folder."""
    install()
    with step("tsc (typescript sdk)"):
        _npm("run", "--silent", "build")
    return SDK / "dist"


def test(gateway: str, *, extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The SDK's own tests (`node --test`) against a running gateway; output captured for the caller."""
    install()
    # The tests forge an expired access token with the platform's signing key to see the
    # client refresh it, without waiting out its 15 minutes.
    env = {**os.environ, "KGO_GATEWAY_URL": gateway,
           "KGO_JWT_SIGNING_KEY": str(paths.SECRETS / "jwt-signing-key.pem"), **(extra_env or {})}
    npm = require("npm", "install npm with Node.js")
    return subprocess.run([npm, "test", "--silent", "--cache", str(NPM_CACHE)], cwd=SDK, env=env,
                          capture_output=True, text=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgo.sdk_typescript")
    parser.add_argument("command", choices=["install", "generate", "build", "test"])
    parser.add_argument("--gateway", default=None, help="test: the gateway's base URL")
    args = parser.parse_args(argv)
    if args.command == "install":
        install()
    elif args.command == "generate":
        generate()
    elif args.command == "build":
        print(build())
    else:
        from kgo import topology

        result = test(args.gateway or f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}")
        print(result.stdout, result.stderr, sep="")
        raise SystemExit(result.returncode)


if __name__ == "__main__":
    main()
