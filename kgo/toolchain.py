"""Pinned developer tools that come from package registries, fetched on first use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from kgo import paths
from kgo.console import step

BUF_VERSION = "1.75.0"  # npm @bufbuild/buf
PROTOVALIDATE_MODULE = "github.com/bufbuild/protovalidate@v1.2.2"  # Go module with validate.proto
# gnostic's protoc plugin: OpenAPI 3 from the google.api.http annotations (kgo/openapi.py)
PROTOC_GEN_OPENAPI = "github.com/google/gnostic/cmd/protoc-gen-openapi@v0.7.1"


def venv_env() -> dict[str, str]:
    """The environment with our venv first on PATH (buf calls `python -m grpc_tools.protoc`)."""
    env = dict(os.environ)
    env["PATH"] = f"{paths.VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def buf() -> Path:
    exe = paths.DEV / "npm" / "node_modules" / ".bin" / "buf"
    if not exe.exists():
        with step(f"installing buf {BUF_VERSION} from npm"):
            subprocess.run(
                ["npm", "install", "--prefix", str(paths.DEV / "npm"), "--no-audit", "--no-fund",
                 "--silent", f"@bufbuild/buf@{BUF_VERSION}"],
                check=True,
            )
    return exe


def go_module_dir(module: str) -> Path:
    """Download a Go module through the module proxy and return its source folder."""
    out = subprocess.run(
        ["go", "mod", "download", "-json", module],
        check=True, capture_output=True, text=True, cwd=paths.ROOT, env={**os.environ, "GOFLAGS": "-mod=mod"},
    )
    return Path(json.loads(out.stdout)["Dir"])


def go_command(package: str) -> Path:
    """A Go command (`<package>@<version>`) built through the module proxy, once, into
    .dev/bin/<name>-<version>/: a pinned version never changes, so a build is reused."""
    path, _, version = package.partition("@")
    name = path.rsplit("/", 1)[-1]
    folder = paths.BIN / f"{name}-{version}"
    exe = folder / name
    if not exe.exists():
        require("go", "install Go 1.26+")
        with step(f"building {name} {version} (go install, first time only)"):
            subprocess.run(["go", "install", "-trimpath", package], check=True,
                           env={**os.environ, "GOBIN": str(folder)})
    return exe


def require(exe: str, hint: str) -> str:
    found = shutil.which(exe)
    if not found:
        raise SystemExit(f"{exe} is required but not on PATH: {hint}")
    return found
