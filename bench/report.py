"""Benchmark report: one JSON file and one Markdown table per run."""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.wrk import LoadResult

RESULTS = Path(__file__).parent / "results"


@dataclass
class Check:
    name: str
    value: float
    target: str  # human-readable, e.g. "< 20 ms"
    ok: bool


@dataclass
class Section:
    title: str
    results: list[LoadResult] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def write(sections: list[Section]) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "commit": _commit(),
                            "machine": f"{platform.machine()} {platform.system()}, {_cores()} cores"}
    data = {**meta, "sections": [
        {"title": s.title, "results": [r.as_dict() for r in s.results],
         "checks": [c.__dict__ for c in s.checks], "notes": s.notes} for s in sections]}
    json_path = RESULTS / "latest.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    lines = ["# KulturaGo benchmarks", "", f"{meta['time']} · commit {meta['commit']} · {meta['machine']}", ""]
    for s in sections:
        lines += [f"## {s.title}", "", "| scenario | conns | rps | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r.name} | {r.connections} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p95_ms:.2f} | {r.p99_ms:.2f} | "
                  f"{r.errors + r.non2xx} |" for r in s.results]
        if s.checks:
            lines += ["", "| check | value | target | ok |", "|---|---:|---|---|"]
            lines += [f"| {c.name} | {c.value:.2f} | {c.target} | {'yes' if c.ok else 'NO'} |" for c in s.checks]
        lines += ["", *[f"- {n}" for n in s.notes], ""]
    md_path = RESULTS / "latest.md"
    md_path.write_text("\n".join(lines))
    return json_path, md_path


def _cores() -> int:
    import os

    return os.cpu_count() or 0
