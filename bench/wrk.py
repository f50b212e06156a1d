"""Run wrk (a C load generator, so the client is not the bottleneck) and read its
latency distribution back as JSON through a Lua done() hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

_LUA = """
local paths = {%(paths)s}
local headers = %(headers)s
local i = 0
local pace = %(pace)s
if pace > 0 then
  delay = function() return pace end
end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  local out = io.open("%(out)s", "w")
  out:write(string.format(
    '{"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  out:close()
end
"""


@dataclass(frozen=True)
class LoadResult:
    name: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non2xx: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("wrk") or "wrk"
    raise SystemExit("bench needs wrk (Debian/Ubuntu: apt-get install wrk)")


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def run(name: str, base_url: str, paths: Sequence[str], *, headers: dict[str, str] | None = None,
        connections: int = 16, seconds: int = 10, threads: int = 1, pace_ms: int = 0) -> LoadResult:
    """GET `paths` round-robin against `base_url` for `seconds` with `connections`; with
    `pace_ms`, each connection waits that long before each request (a load below saturation)."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        script = Path(tmp) / "script.lua"
        lua_headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}"
                                      for k, v in (headers or {}).items()) + "}"
        script.write_text(_LUA % {"paths": ", ".join(_lua_string(p) for p in paths),
                                  "headers": lua_headers, "out": out, "pace": int(pace_ms)})
        subprocess.run([wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base_url],
                       check=True, stdout=subprocess.DEVNULL)
        data = json.loads(out.read_text())
    duration = data["duration_us"] / 1e6
    return LoadResult(
        name=name, connections=connections, seconds=round(duration, 2), requests=data["requests"],
        rps=round(data["requests"] / duration, 1), p50_ms=data["p50_us"] / 1000, p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000, errors=data["errors"], non2xx=data["non2xx"],
    )
