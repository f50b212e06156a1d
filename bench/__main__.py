"""Run the benchmark scenarios (all, or those named) and write bench/results/latest.*"""

from __future__ import annotations

import importlib
import sys

from bench.report import Section, write

SCENARIOS = ("gateway", "search", "geo", "tickets", "recommendation", "notifications", "tours", "gamification")


def main(argv: list[str]) -> None:
    names = argv or list(SCENARIOS)
    sections: list[Section] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"bench: {name} ...", flush=True)
        sections.append(module.run())
    json_path, md_path = write(sections)
    print(md_path.read_text())
    print(f"bench: wrote {json_path} and {md_path}")


main(sys.argv[1:])
