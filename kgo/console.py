"""Progress output for long provisioning steps."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def say(message: str) -> None:
    print(f"kgo: {message}", file=sys.stderr, flush=True)


@contextmanager
def step(message: str) -> Iterator[None]:
    started = time.monotonic()
    say(f"{message} ...")
    yield
    say(f"{message}: done in {time.monotonic() - started:.1f}s")
