"""Fault injection for development and tests: make a named point of a running service
fail on demand, to prove that supervision, retries and health behave.

A point fails while the file `<faults_dir>/<point>` exists. `faults_dir` is empty (off)
unless set, and `kgo up` sets it only for the local platform. A `stat` per check is
cheap enough for per-message points.
"""

from __future__ import annotations

from pathlib import Path

from services.runtime.errors import DependencyUnavailable


class FaultPoints:
    def __init__(self, directory: str | Path | None) -> None:
        self._dir = Path(directory) if directory else None

    def check(self, point: str) -> None:
        if self._dir is not None and (self._dir / point).exists():
            raise DependencyUnavailable(f"fault injected at {point}")


NO_FAULTS = FaultPoints(None)
