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


def require(exe: str, hint: str) -> str:
    found = shutil.which(exe)
    if not found:
        raise SystemExit(f"{exe} is required but not on PATH: {hint}")
    return found
