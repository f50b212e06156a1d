"""A second Envoy, started by a test from a config kgo/gateway.py rendered: the real
gateway binary with other options (another listener layout, other internal networks).
Imported as `envoy_support` (tests/ is on sys.path)."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from kgo import provision


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_envoy(config: dict[str, Any], workdir: Path, ready_url: str, timeout: float = 30) -> Iterator[None]:
    """Runs Envoy with `config` until the block ends; ready when `ready_url` answers 200."""
    path = workdir / "envoy.json"
    path.write_text(json.dumps(config))
    envoy = subprocess.Popen([str(provision.envoy()), "-c", str(path), "--base-id", str(free_port()),
                              "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert envoy.poll() is None, "envoy exited: is the rendered config valid?"
            assert time.monotonic() < deadline, "envoy did not come up"
            time.sleep(0.2)
        yield
    finally:
        envoy.terminate()
        envoy.wait(10)
